"""What an action needs from outside the case before it may change it: working-day counts and
reservations of limits shared by many cases. The workflow obtains these (activities) first, so
a decision applies whole or not at all."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field


class DeadlineRequest(BaseModel):
    """Count a working-day deadline (the calendar can change, so this is never done in a
    workflow). ``date`` is the anchor: the window's first day, or the day counted from."""

    name: str = ""
    rule: Literal["window", "after", "before", "date"]
    date: dt.date
    working_days: int = Field(ge=1)
    opening_day_counts: bool = True
    remind_before: list[int] = Field(
        default_factory=list, description="also the dates N working days before its last day"
    )


class Counted(BaseModel):
    """A counted deadline: its last day, whether a year it crossed has no published calendar
    yet, the instant it closes (24:00 Asia/Shanghai) and the calendar notices it relied on."""

    date: dt.date
    provisional: bool
    closes_at: dt.datetime
    notices: list[str] = Field(default_factory=list)
    reminders: list[dt.date] = Field(default_factory=list, description="for remind_before")


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


class Notification(BaseModel):
    """A reminder for a role, written once (its key) to the notifications outbox other systems
    read; it never changes the case."""

    key: str
    case_id: str
    role: str
    text: str
    due: dt.date


class ClaimRequest(BaseModel):
    """Claim ``key`` for ``holder``, exclusively and for good (a provider transforming a pilot
    enterprise claims it against assessing it); granted again to the same holder."""

    key: str
    holder: str
    what: str = Field(description="what the claim is, for the refusal")
    clause: str


class ClaimResult(BaseModel):
    granted: bool
    held_by: str | None = None


class Plan(BaseModel):
    deadlines: list[DeadlineRequest] = Field(default_factory=list)
    reservation: ReservationRequest | None = None
    claims: list[ClaimRequest] = Field(default_factory=list)
    settings: list[str] = Field(
        default_factory=list, description="bureau settings to read (a year's target)"
    )

    @property
    def empty(self) -> bool:
        return not (self.deadlines or self.reservation or self.claims or self.settings)

    def plus(self, other: Plan) -> Plan:
        return Plan(
            deadlines=[*self.deadlines, *other.deadlines],
            reservation=self.reservation or other.reservation,
            claims=[*self.claims, *other.claims],
            settings=[*self.settings, *other.settings],
        )


class Obtained(BaseModel):
    counted: dict[str, Counted] = Field(default_factory=dict)
    slot: SlotResult | None = None
    claims: dict[str, ClaimResult] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
