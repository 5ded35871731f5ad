"""Times as the rules speak of them: Asia/Shanghai, a deadline's last day as '24:00'."""

from __future__ import annotations

import datetime as dt

from lifecycle.calendar import SHANGHAI


def at(value: dt.datetime) -> str:
    """An instant, to the minute, in Asia/Shanghai: '2026-12-08 14:30'."""
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def closes(instant: dt.datetime) -> str:
    """A deadline as every screen shows it: its last day, '24:00' (Asia/Shanghai)."""
    local = instant.astimezone(SHANGHAI)
    if local.time() == dt.time(0):
        return f"{(local - dt.timedelta(days=1)).date()} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"


def iso(value: dt.datetime | None) -> str | None:
    """An instant as ISO 8601 in Asia/Shanghai, for JSON."""
    return value.astimezone(SHANGHAI).isoformat() if value is not None else None
