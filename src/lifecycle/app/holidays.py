"""A year's holiday notice installed by the bureau: checked as a whole with the folder it joins,
written whole or not at all, and every open case whose deadlines touch that year told to count
them again."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from lifecycle.app.cases import cases
from lifecycle.app.system import System
from lifecycle.calendar import CalendarError, WorkingCalendar, load_holiday_file
from lifecycle.contracts import CalendarNotice
from lifecycle.errors import Invalid, LifecycleError, Misconfigured, Unavailable
from lifecycle.holidays import HolidayFile


def check_file(path: Path) -> HolidayFile:
    """A year's notice as the engine reads it, or its first problem (file, line, rule)."""
    try:
        return load_holiday_file(path)
    except CalendarError as exc:
        raise Invalid(str(exc)) from exc


@dataclass
class Installed:
    year: int
    notice: str
    target: Path
    told: list[str] = field(default_factory=list)
    touching: bool = False


async def install(system: System, source: Path) -> Installed:
    """Checks the file, installs it in LIFECYCLE_CALENDAR_DIR and tells the open cases whose
    deadlines touch its year (a case not told counts again when its deadline fires)."""
    parsed = check_file(source)
    folder = system.settings.calendar_dir
    target = folder / f"{parsed.year}.toml"
    _check_folder(folder, target, parsed)
    text = source.read_text("utf-8")
    staged = target.with_name(f".{target.name}.new")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staged.write_text(text, encoding="utf-8")
        os.replace(staged, target)  # whole or not at all: a worker never reads half a file
    except OSError as exc:
        raise Unavailable(
            f"LIFECYCLE_CALENDAR_DIR '{folder}' cannot take the file ({exc.strerror}); "
            "nothing was installed."
        ) from exc
    done = Installed(parsed.year, parsed.notice, target)
    if not system.store.cases_touching(parsed.year):
        return done
    done.touching = True
    event_id = f"calendar:{parsed.year}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    notice = CalendarNotice(year=parsed.year, notice=parsed.notice, event_id=event_id)
    try:
        done.told = await (await cases(system)).tell_calendar(notice)
    except LifecycleError as exc:
        raise Unavailable(
            f"The file is installed, but the open cases could not be told ({str(exc).rstrip('.')}); "
            "each counts again when its deadline fires, or run this command again to tell them now."
        ) from exc
    return done


def _check_folder(folder: Path, target: Path, parsed: HolidayFile) -> None:
    """The folder must still read as a whole with the new file in it."""
    if not folder.exists():
        return
    others = []
    for path in sorted(folder.glob("*.toml")):
        if path == target:
            continue
        try:
            other = load_holiday_file(path)
        except CalendarError as exc:
            raise Misconfigured(
                f"{exc} Fix or remove that file first: the calendar folder is read as a whole."
            ) from exc
        if other.year == parsed.year:
            raise Invalid(
                f"{path} already holds year {parsed.year} ({other.notice}); remove it first, "
                f"or load over {target.name}."
            )
        others.append(other)
    try:
        WorkingCalendar([*others, parsed])
    except CalendarError as exc:
        raise Invalid(str(exc)) from exc
