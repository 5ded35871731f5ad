"""Working days and deadline arithmetic (DOMAIN.md §3), in Asia/Shanghai.

Sources, in order: a bureau holiday file for the year (``LIFECYCLE_CALENDAR_DIR/*.toml``), then
the ``chinesecalendar`` package (the State Council's notices for 2004–2026), and for any other
year a *provisional* calendar: weekends plus the fixed-date statutory holidays only.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October: the statutory days fixed by date.
FIXED_DATE_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))
MAX_WORKING_DAYS = 3660


class CalendarError(ValueError):
    """A calendar file or a calendar question that cannot be answered."""


class Deadline(BaseModel):
    """A date computed from the calendar; provisional when a year it crossed has no notice yet."""

    model_config = ConfigDict(frozen=True)
    date: dt.date
    provisional: bool

    def closes_at(self) -> dt.datetime:
        """24:00 of the date, Asia/Shanghai (the first instant of the next day)."""
        return dt.datetime.combine(self.date + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Day:
    date: dt.date
    workday: bool
    provisional: bool
    name: str | None = None


class HolidayPeriod(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    first: dt.date
    last: dt.date
    makeup: list[dt.date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> HolidayPeriod:
        if self.last < self.first:
            raise ValueError(
                f"holiday '{self.name}' ends ({self.last}) before it starts ({self.first})"
            )
        return self


class HolidayFile(BaseModel):
    """One year's State Council notice (国务院办公厅关于部分节假日安排的通知) as data."""

    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2004, le=2200)
    notice: str
    holidays: list[HolidayPeriod]

    @model_validator(mode="after")
    def _consistent(self) -> HolidayFile:
        off = set()
        for period in self.holidays:
            for day in _days(period.first, period.last):
                if day.year != self.year:
                    raise ValueError(
                        f"holiday '{period.name}' day {day} is outside year {self.year}"
                    )
                off.add(day)
        for period in self.holidays:
            for day in period.makeup:
                if day.year != self.year:
                    raise ValueError(f"make-up day {day} is outside year {self.year}")
                if day.weekday() < 5:
                    raise ValueError(
                        f"make-up day {day} is a {day:%A}, already a working day; "
                        "make-up days (调休上班) fall on weekends"
                    )
                if day in off:
                    raise ValueError(f"{day} is both a holiday and a make-up working day")
        return self

    def days_off(self) -> dict[dt.date, str]:
        return {d: p.name for p in self.holidays for d in _days(p.first, p.last)}

    def makeup_days(self) -> dict[dt.date, str]:
        return {d: f"{p.name} (调休上班)" for p in self.holidays for d in p.makeup}


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def load_holiday_file(path: Path) -> HolidayFile:
    try:
        with path.open("rb") as fh:
            return HolidayFile.model_validate(tomllib.load(fh))
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError(f"{path}: not valid TOML ({exc}).") from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise CalendarError(f"{path}: {where}: {err['msg']}.") from exc


class WorkingCalendar:
    """Answers 'is this a working day' and counts working-day deadlines (DOMAIN.md §3)."""

    def __init__(self, files: Iterable[HolidayFile] = ()) -> None:
        self._files = {f.year: f for f in files}
        self._off = {y: f.days_off() for y, f in self._files.items()}
        self._makeup = {y: f.makeup_days() for y, f in self._files.items()}

    @classmethod
    def from_dir(cls, directory: Path | None) -> WorkingCalendar:
        if directory is None:
            return cls()
        if not directory.is_dir():
            raise CalendarError(f"LIFECYCLE_CALENDAR_DIR '{directory}' is not a directory.")
        files = [load_holiday_file(p) for p in sorted(directory.glob("*.toml"))]
        years = [f.year for f in files]
        duplicate = {y for y in years if years.count(y) > 1}
        if duplicate:
            raise CalendarError(f"{directory}: more than one file for year {min(duplicate)}.")
        return cls(files)

    @classmethod
    def from_env(cls) -> WorkingCalendar:
        value = os.environ.get("LIFECYCLE_CALENDAR_DIR", "").strip()
        return cls.from_dir(Path(value) if value else None)

    def source(self, year: int) -> str:
        if year in self._files:
            return f"bureau file: {self._files[year].notice}"
        if _packaged(year):
            return "chinesecalendar (State Council notices)"
        return "provisional: weekends and fixed-date statutory holidays only"

    def day(self, date: dt.date) -> Day:
        if date.year in self._files:
            if date in self._off[date.year]:
                return Day(date, False, False, self._off[date.year][date])
            if date in self._makeup[date.year]:
                return Day(date, True, False, self._makeup[date.year][date])
            return Day(date, date.weekday() < 5, False)
        if _packaged(date.year):
            _, name = chinese_calendar.get_holiday_detail(date)
            return Day(date, chinese_calendar.is_workday(date), False, name)
        fixed = (date.month, date.day) in FIXED_DATE_HOLIDAYS
        return Day(date, date.weekday() < 5 and not fixed, True)

    def is_workday(self, date: dt.date) -> bool:
        return self.day(date).workday

    def window_close(self, opens: dt.date, n: int, *, opening_day_counts: bool = True) -> Deadline:
        """Last day of an N-working-day window opening on ``opens`` (公示N个工作日)."""
        _check_count(n)
        date = opens if opening_day_counts else opens + dt.timedelta(days=1)
        return self._count(date, n, dt.timedelta(days=1))

    def latest_before(self, event: dt.date, n: int) -> Deadline:
        """Latest on-time date for something due N working days before ``event`` (提前N个工作日)."""
        _check_count(n)
        return self._count(event - dt.timedelta(days=1), n, dt.timedelta(days=-1))

    def _count(self, date: dt.date, n: int, step: dt.timedelta) -> Deadline:
        counted, provisional = 0, False
        while True:
            day = self.day(date)
            provisional = provisional or day.provisional
            if day.workday:
                counted += 1
                if counted == n:
                    return Deadline(date=date, provisional=provisional)
            date += step


def _check_count(n: int) -> None:
    if not 1 <= n <= MAX_WORKING_DAYS:
        raise CalendarError(
            f"N is {n}; a number of working days must be a whole number from 1 to {MAX_WORKING_DAYS}."
        )


_PACKAGED_YEARS = (
    min(chinese_calendar.constants.holidays).year,
    max(chinese_calendar.constants.holidays).year,
)


def _packaged(year: int) -> bool:
    return _PACKAGED_YEARS[0] <= year <= _PACKAGED_YEARS[1]
