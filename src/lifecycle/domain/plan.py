"""What an action needs from outside the case before it may change it: working-day counts and
reservations of limits shared by many cases. The workflow obtains these (activities) first, so
a decision applies whole or not at all."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class DeadlineRequest(BaseModel):
    """Count a working-day deadline (the calendar can change, so this is never done in a
    workflow). ``date`` is the anchor: the window's first day, or the day counted from."""

    name: str = ""
    rule: Literal["window", "after", "before"]
    date: dt.date
    working_days: int = Field(ge=1)
    opening_day_counts: bool = True


class Counted(BaseModel):
    """A counted deadline: its last day, whether a year it crossed has no published calendar
    yet, the instant it closes (24:00 Asia/Shanghai) and the calendar notices it relied on."""

    date: dt.date
    provisional: bool
    closes_at: dt.datetime
    notices: list[str] = Field(default_factory=list)


class ReservationRequest(BaseModel):
    """Hold one place in each pool (a cap shared by many cases), all or none."""

    holder: str
    pools: dict[str, str] = Field(description="pool key → what it counts, for the refusal")
    capacity: int = Field(ge=0)
    clause: str


class SlotResult(BaseModel):
    granted: bool
    pool: str | None = Field(None, description="the pool that is full, when refused")
    held: int = 0
    capacity: int = 0
    what: str = ""
    clause: str = ""


class Plan(BaseModel):
    deadlines: list[DeadlineRequest] = Field(default_factory=list)
    reservation: ReservationRequest | None = None

    @property
    def empty(self) -> bool:
        return not self.deadlines and self.reservation is None


class Obtained(BaseModel):
    counted: dict[str, Counted] = Field(default_factory=dict)
    slot: SlotResult | None = None
