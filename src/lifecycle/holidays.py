"""A year's holiday calendar as the bureau loads it: one TOML file per State Council notice
(国务院办公厅关于部分节假日安排的通知). A file that breaks a rule is refused in one sentence
naming the file, the line and the rule."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

FILE_BYTES = 65536


class CalendarError(ValueError):
    """A calendar question that cannot be answered."""


class CalendarFileError(CalendarError):
    """A holiday file (or the folder of them) that cannot be used: the bureau can fix it."""


class HolidayPeriod(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    first: dt.date
    last: dt.date
    makeup: list[dt.date] = Field(default_factory=list)


class HolidayFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2004, le=2200)
    notice: str = Field(min_length=1, max_length=200)
    holidays: list[HolidayPeriod]

    def days_off(self) -> dict[dt.date, str]:
        return {d: p.name for p in self.holidays for d in days(p.first, p.last)}

    def makeup_days(self) -> dict[dt.date, str]:
        return {d: f"{p.name} (调休上班)" for p in self.holidays for d in p.makeup}


def days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


Loc = tuple[str | int, ...]


def _problems(f: HolidayFile) -> Iterable[tuple[Loc, str]]:
    """The rules a notice keeps: every day in its year, holidays in order, make-up days on
    weekends and not off."""
    off: set[dt.date] = set()
    for i, p in enumerate(f.holidays):
        if p.last < p.first:
            yield (
                ("holidays", i, "last"),
                f"holiday '{p.name}' ends ({p.last}) before it starts ({p.first})",
            )
        for key, day in (("first", p.first), ("last", p.last)):
            if day.year != f.year:
                yield ("holidays", i, key), f"holiday '{p.name}' day {day} is outside year {f.year}"
        off.update(days(p.first, p.last))
    for i, p in enumerate(f.holidays):
        for j, day in enumerate(p.makeup):
            loc: Loc = ("holidays", i, "makeup", j)
            if day.year != f.year:
                yield loc, f"make-up day {day} is outside year {f.year}"
            elif day.weekday() < 5:
                yield (
                    loc,
                    (
                        f"make-up day {day} is a {day:%A}, already a working day; make-up days "
                        "(调休上班) fall on weekends"
                    ),
                )
            elif day in off:
                yield loc, f"{day} is both a holiday and a make-up working day"


def parse_holiday_text(text: str, origin: str) -> HolidayFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise CalendarFileError(
            _where(origin, _line_of_message(str(exc))) + f"not valid TOML ({message})."
        ) from exc
    try:
        parsed = HolidayFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise CalendarFileError(
            _where(origin, _line_of(text, loc)) + f"{_path(loc)}: {err['msg']}."
        ) from exc
    for loc, message in _problems(parsed):
        raise CalendarFileError(_where(origin, _line_of(text, loc)) + f"{message}.")
    return parsed


def load_holiday_file(path: Path) -> HolidayFile:
    try:
        if path.stat().st_size > FILE_BYTES:
            raise CalendarFileError(
                f"{path}: is {path.stat().st_size} bytes; a year's holiday file is at most "
                f"{FILE_BYTES} (engine rule)."
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CalendarFileError(f"{path}: cannot be read ({exc.strerror}).") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CalendarFileError(f"{path}: is not UTF-8 text (byte {exc.start}).") from exc
    return parse_holiday_text(text, str(path))


def _where(origin: str, line: int | None) -> str:
    return f"{origin}, line {line}: " if line else f"{origin}: "


def _path(loc: Loc) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(top)"


def _line_of_message(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None


def _line_of(text: str, loc: Loc) -> int | None:
    """The line holding ``loc`` (holidays[i].key or a top-level key), found by reading the
    file's layout: the i-th ``[[holidays]]`` table, then its key."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    if len(loc) >= 2 and loc[0] == "holidays" and isinstance(loc[1], int):
        headers = [n for n, line in enumerate(lines) if line.strip().startswith("[[holidays]]")]
        if loc[1] >= len(headers):
            return headers[-1] + 1 if headers else None
        start = headers[loc[1]]
        later = [h for h in headers if h > start]
        end = later[0] if later else end
        key = loc[2] if len(loc) > 2 else None
    else:
        key = loc[0] if loc else None
        headers = [n for n, line in enumerate(lines) if line.strip().startswith("[")]
        end = headers[0] if headers else end
    if key is None:
        return start + 1
    for n in range(start, end):
        if re.match(rf"\s*{re.escape(str(key))}\s*=", lines[n]):
            return n + 1
    return start + 1 if start else None
