"""Inputs and outputs of the case workflow's activities (the calendar's are in
lifecycle.domain.plan: DeadlineRequest → Counted, ReservationRequest → SlotResult)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from lifecycle.domain.case import AuditEntry
from lifecycle.domain.plan import Notification
from lifecycle.domain.work import WorkItem

# The calendar activity's failure type for a question no calendar can answer (not retried).
CALENDAR_QUESTION = "CalendarQuestion"


class SnapshotDeadline(BaseModel):
    name: str
    date: dt.date
    closes_at: dt.datetime
    provisional: bool
    first_year: int = Field(description="years its count crossed: a calendar for any of them")
    last_year: int = Field(description="may move it")


class CaseSnapshot(BaseModel):
    """The projection of a case the read model keeps (no enterprise secrets)."""

    case_id: str
    policy: str
    round: str
    credit_code: str
    provider_name: str
    district: str
    parent_credit_code: str | None = None
    provider_type: str | None = None
    sectors: list[str] = Field(default_factory=list)
    state: str
    rules_version: str | None = None
    pending_decision: str | None = None
    next_deadline: dt.datetime | None = None
    next_deadline_provisional: bool = False
    deadlines: list[SnapshotDeadline] = Field(default_factory=list)
    work: list[WorkItem] = Field(default_factory=list, description="what waits for people now")
    last_seq: int
    updated_at: dt.datetime


class RecordInput(BaseModel):
    snapshot: CaseSnapshot
    entries: list[AuditEntry]
    release: bool = Field(False, description="give back every place the case holds")
    notifications: list[Notification] = Field(default_factory=list)


class SettingsInput(BaseModel):
    policy: str
    keys: list[str]


class SettingsFound(BaseModel):
    values: dict[str, Any] = Field(
        description="key → value; a key the bureau has not set is absent"
    )


class RecordResult(BaseModel):
    new_rows: int


class EventSeenInput(BaseModel):
    case_id: str
    event_id: str


class EventSeen(BaseModel):
    seen: bool
    seq: int | None = Field(None, description="the change it made")


class RejectedEvent(BaseModel):
    """An event another system sent that the case did not apply, kept for that system's
    operator: what, when and why, never its personal content."""

    case_id: str
    event_id: str
    action: str
    actor_role: str
    reason: str
    received_at: dt.datetime


class RejectedEvents(BaseModel):
    events: list[RejectedEvent]


class SelectionQuery(BaseModel):
    """Only in histories recorded before selection places were reserved: how many cases of a
    type the round had selected per sector, read from the read model."""

    policy: str
    round: str
    provider_type: str
    sectors: list[str]
    case_id: str
    maximum: int


class SelectionCount(BaseModel):
    counts: dict[str, int]

    @property
    def fullest(self) -> int:
        return max(self.counts.values(), default=0)
