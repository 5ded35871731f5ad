"""Working days as people ask about them: windows, latest on-time days, working days, from the
packaged notices and the bureau's own files (installed by ``app.holidays``)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from lifecycle.calendar import CalendarError, WorkingCalendar
from lifecycle.errors import Invalid, Misconfigured
from lifecycle.holidays import CalendarFileError


def calendar() -> WorkingCalendar:
    """The working-day calendar: the packaged notices and the bureau's own files."""
    try:
        return WorkingCalendar.from_env()
    except CalendarError as exc:
        raise Misconfigured(str(exc)) from exc


def window(opens: dt.date, n: int, opening_day_counts: bool = True) -> dict[str, object]:
    """The last day of an N-working-day window opening on ``opens`` (it closes 24:00 then)."""
    working = calendar()
    with _asked():
        deadline = working.window_close(opens, n, opening_day_counts=opening_day_counts)
    return {"date": deadline.date.isoformat(), "provisional": deadline.provisional}


def before(event: dt.date, n: int) -> dict[str, object]:
    """The latest on-time day for what is due N working days before ``event``."""
    working = calendar()
    with _asked():
        deadline = working.latest_before(event, n)
    return {"date": deadline.date.isoformat(), "provisional": deadline.provisional}


def is_workday(date: dt.date) -> dict[str, object]:
    working = calendar()
    with _asked():
        day = working.day(date)
    return {"workday": day.workday, "provisional": day.provisional}


@contextlib.contextmanager
def _asked() -> Iterator[None]:
    """A question the calendar cannot answer (past its range) is the asker's to change."""
    try:
        yield
    except CalendarFileError as exc:  # the bureau's own file (LIFECYCLE_CALENDAR_DIR)
        raise Misconfigured(str(exc)) from exc
    except CalendarError as exc:
        raise Invalid(str(exc)) from exc
