"""`lifecycle calendar …`: working days in Asia/Shanghai, and a year's holiday notice installed
by the bureau."""

from __future__ import annotations

from pathlib import Path

import click

from lifecycle.app import calendar as working_days
from lifecycle.app.inputs import count
from lifecycle.cli.common import emit, run
from lifecycle.config import parse_date


@click.group()
def calendar() -> None:
    """Working days in Asia/Shanghai, as the State Council's holiday notices set them."""


@calendar.command("window", context_settings={"ignore_unknown_options": True})
@click.argument("date_", metavar="DATE")
@click.argument("n")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with the provisional flag.")
@click.option(
    "--exclude-opening-day", is_flag=True, help="Count from the next working day after DATE."
)
def calendar_window(date_: str, n: str, as_json: bool, exclude_opening_day: bool) -> None:
    """Closing date of an N-working-day window opening on DATE (closes 24:00 that day)."""
    found = working_days.window(
        parse_date("DATE", date_), count("N", n), opening_day_counts=not exclude_opening_day
    )
    emit(as_json, found, str(found["date"]), indent=None)


@calendar.command("before", context_settings={"ignore_unknown_options": True})
@click.argument("date_", metavar="DATE")
@click.argument("n")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with the provisional flag.")
def calendar_before(date_: str, n: str, as_json: bool) -> None:
    """Latest on-time date for something due N working days before DATE."""
    found = working_days.before(parse_date("DATE", date_), count("N", n))
    emit(as_json, found, str(found["date"]), indent=None)


@calendar.command("is-workday")
@click.argument("date_", metavar="DATE")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with the provisional flag.")
def calendar_is_workday(date_: str, as_json: bool) -> None:
    """Whether DATE is a working day: prints yes or no."""
    found = working_days.is_workday(parse_date("DATE", date_))
    emit(as_json, found, "yes" if found["workday"] else "no", indent=None)


@calendar.command("load")
@click.argument("file")
def calendar_load(file: str) -> None:
    """Check FILE (one year's State Council notice as TOML), install it in
    LIFECYCLE_CALENDAR_DIR and tell the open cases whose deadlines touch that year."""
    # Loaded here, not with the group: the questions above never load the store or Temporal.
    from lifecycle.app import holidays

    done = run(lambda system: holidays.install(system, Path(file)))
    click.echo(f"Installed {done.notice} for {done.year} as {done.target}.")
    if not done.touching:
        click.echo(f"No open case has a deadline touching {done.year}.")
        return
    click.echo(
        f"Told {len(done.told)} open case(s) whose deadlines touch {done.year}; each counts them "
        "again now and records any that moved."
    )
    for case_id in done.told:
        click.echo(f"  {case_id}")


COMMANDS = [calendar]
