"""Days as the rules speak of them: Asia/Shanghai, a deadline's day closing at 24:00 (the first
instant of the next day), provisional when a year it crossed has no published calendar yet."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today(at: dt.datetime) -> dt.date:
    """The business date of an instant, in Asia/Shanghai."""
    return at.astimezone(SHANGHAI).date()


class Deadline(BaseModel):
    """A date computed from the calendar; provisional when a year it crossed has no notice yet."""

    model_config = ConfigDict(frozen=True)
    date: dt.date
    provisional: bool

    def closes_at(self) -> dt.datetime:
        """24:00 of the date, Asia/Shanghai (the first instant of the next day)."""
        return dt.datetime.combine(self.date + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
