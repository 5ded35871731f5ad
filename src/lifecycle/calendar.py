"""Working days and deadline arithmetic , in Asia/Shanghai.

Sources, in order: a bureau holiday file for the year (``LIFECYCLE_CALENDAR_DIR/*.toml``, by
default ``var/calendar``), then the ``chinesecalendar`` package (the State Council's notices for
2004–2026), and for any other year a *provisional* calendar: weekends plus the fixed-date
statutory holidays only.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar

from lifecycle.config import var_dir
from lifecycle.domain.days import SHANGHAI, Deadline
from lifecycle.holidays import (
    CalendarError,
    CalendarFileError,
    HolidayFile,
    load_holiday_file,
)

__all__ = [
    "SHANGHAI",
    "CalendarError",
    "CalendarFileError",
    "Deadline",
    "HolidayFile",
    "WorkingCalendar",
    "load_holiday_file",
]

# 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October: the statutory days fixed by date.
FIXED_DATE_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))
MAX_WORKING_DAYS = 3660


@dataclass(frozen=True)
class Day:
    date: dt.date
    workday: bool
    provisional: bool
    name: str | None = None


@functools.lru_cache(maxsize=8192)
def _packaged_day(date: dt.date) -> Day:
    """A day of a year the package publishes, asked of it once: its answer never changes while
    the process runs, and each question scans the package's whole table of days."""
    _, name = chinese_calendar.get_holiday_detail(date)
    return Day(date, chinese_calendar.is_workday(date), False, name)


class WorkingCalendar:
    """Answers 'is this a working day' and counts working-day deadlines ."""

    def __init__(self, files: Iterable[HolidayFile] = ()) -> None:
        self._files = {f.year: f for f in files}
        self._off = {y: f.days_off() for y, f in self._files.items()}
        self._makeup = {y: f.makeup_days() for y, f in self._files.items()}

    @classmethod
    def from_dir(cls, directory: Path | None, *, must_exist: bool = True) -> WorkingCalendar:
        if directory is None or (not must_exist and not directory.exists()):
            return cls()
        if not directory.is_dir():
            raise CalendarFileError(f"LIFECYCLE_CALENDAR_DIR '{directory}' is not a directory.")
        files = [load_holiday_file(p) for p in sorted(directory.glob("*.toml"))]
        years = [f.year for f in files]
        duplicate = {y for y in years if years.count(y) > 1}
        if duplicate:
            raise CalendarFileError(
                f"{directory}: more than one file for year {min(duplicate)}; keep one per year."
            )
        return cls(files)

    @classmethod
    def from_env(cls) -> WorkingCalendar:
        """The bureau's folder (LIFECYCLE_CALENDAR_DIR, default var/calendar under
        LIFECYCLE_VAR_DIR); the default folder may not exist yet."""
        value = os.environ.get("LIFECYCLE_CALENDAR_DIR", "").strip()
        if value:
            return cls.from_dir(Path(value))
        return cls.from_dir(var_dir() / "calendar", must_exist=False)

    def notices(self, first: dt.date, last: dt.date) -> list[str]:
        """The calendar sources a count between two dates relied on, one per year."""
        low, high = sorted((first, last))
        return [self.source(year) for year in range(low.year, high.year + 1)]

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
            return _packaged_day(date)
        fixed = (date.month, date.day) in FIXED_DATE_HOLIDAYS
        return Day(date, date.weekday() < 5 and not fixed, True)

    def is_workday(self, date: dt.date) -> bool:
        return self.day(date).workday

    def window_close(self, opens: dt.date, n: int, *, opening_day_counts: bool = True) -> Deadline:
        """Last day of an N-working-day window opening on ``opens`` (公示N个工作日)."""
        return self._count(opens, n, dt.timedelta(days=1), skip_first=not opening_day_counts)

    def latest_before(self, event: dt.date, n: int) -> Deadline:
        """Latest on-time date for something due N working days before ``event`` (提前N个工作日)."""
        return self._count(event, n, dt.timedelta(days=-1), skip_first=True)

    def after(self, anchor: dt.date, n: int) -> Deadline:
        """The N-th working day after ``anchor`` (报送: N working days after the period ends)."""
        return self.window_close(anchor, n, opening_day_counts=False)

    def _count(self, start: dt.date, n: int, step: dt.timedelta, skip_first: bool) -> Deadline:
        _check_count(n)
        counted, provisional = 0, False
        try:
            date = start + step if skip_first else start
            while True:
                day = self.day(date)
                provisional = provisional or day.provisional
                if day.workday:
                    counted += 1
                    if counted == n:
                        return Deadline(date=date, provisional=provisional)
                date += step
        except OverflowError:
            raise CalendarError(
                f"counting {n} working days from {start} runs past the calendar's range "
                "(years 1 to 9999)."
            ) from None


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
