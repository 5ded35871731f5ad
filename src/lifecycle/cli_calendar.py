"""`lifecycle calendar load FILE.toml`: the bureau installs a year's holiday notice, and every
open case whose deadlines touch that year counts them again at once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import click

from lifecycle.calendar import CalendarError, WorkingCalendar, load_holiday_file
from lifecycle.cli_cases import run_cases
from lifecycle.config import Settings, UserError
from lifecycle.contracts import CalendarNotice
from lifecycle.holidays import HolidayFile
from lifecycle.store.repo import Store


@click.command("load")
@click.argument("file")
def calendar_load(file: str) -> None:
    """Check FILE (one year's State Council notice as TOML), install it in
    LIFECYCLE_CALENDAR_DIR and tell the open cases whose deadlines touch that year."""
    source = Path(file)
    parsed = load_holiday_file(source)
    settings = Settings.from_env()
    folder = settings.calendar_dir
    target = folder / f"{parsed.year}.toml"
    _check_folder(folder, target, parsed)
    text = source.read_text("utf-8")
    staged = target.with_name(f".{target.name}.new")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staged.write_text(text, encoding="utf-8")
        os.replace(staged, target)  # whole or not at all: a worker never reads half a file
    except OSError as exc:
        raise UserError(
            f"LIFECYCLE_CALENDAR_DIR '{folder}' cannot take the file ({exc.strerror}); "
            "nothing was installed.",
            exit_code=1,
        ) from exc
    click.echo(f"Installed {parsed.notice} for {parsed.year} as {target}.")
    if not Store.from_url(settings.db_url).cases_touching(parsed.year):
        click.echo(f"No open case has a deadline touching {parsed.year}.")
        return
    event_id = f"calendar:{parsed.year}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    notice = CalendarNotice(year=parsed.year, notice=parsed.notice, event_id=event_id)
    try:
        told = run_cases(lambda s: s.tell_calendar(notice))
    except UserError as exc:
        raise UserError(
            f"The file is installed, but the open cases could not be told ({str(exc).rstrip('.')}); "
            "each counts again when its deadline fires, or run this command again to tell them now.",
            exit_code=1,
        ) from exc
    click.echo(
        f"Told {len(told)} open case(s) whose deadlines touch {parsed.year}; each counts them "
        "again now and records any that moved."
    )
    for case_id in told:
        click.echo(f"  {case_id}")


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
            raise UserError(
                f"{exc} Fix or remove that file first: the calendar folder is read as a whole."
            ) from exc
        if other.year == parsed.year:
            raise UserError(
                f"{path} already holds year {parsed.year} ({other.notice}); remove it first, "
                f"or load over {target.name}."
            )
        others.append(other)
    WorkingCalendar([*others, parsed])
