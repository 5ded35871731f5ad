"""Inputs and outputs of the case workflow's activities (the calendar's are in
lifecycle.domain.plan: DeadlineRequest → Counted, ReservationRequest → SlotResult)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field, model_validator

from lifecycle.domain.case import AuditEntry
from lifecycle.domain.plan import Notification, Plan
from lifecycle.domain.work import WorkItem

# The calendar activity's failure type for a question no calendar can answer (not retried).
CALENDAR_QUESTION = "CalendarQuestion"
# The store's answer to a change of a case it does not hold (not retried): the whole projection
# is sent instead.
WHOLE_WANTED = "WholeProjectionWanted"


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


# What a case's projection holds that the store keeps between records: its programme, round,
# provider and rules version (sent whole once a run, and again when one of them changes).
KEPT = (
    "policy",
    "round",
    "credit_code",
    "provider_name",
    "district",
    "parent_credit_code",
    "provider_type",
    "sectors",
    "rules_version",
)


class CaseChange(BaseModel):
    """The projection without what the store keeps (``KEPT``): what a record sends once the
    store has the case's whole projection from this run."""

    case_id: str = Field(
        "", description="the case; empty when it is the id of the run that records it"
    )
    state: str
    pending_decision: str | None = None
    next_deadline: dt.datetime | None = None
    next_deadline_provisional: bool = False
    deadlines: list[SnapshotDeadline] = Field(default_factory=list)
    work: list[WorkItem] = Field(default_factory=list, description="what waits for people now")
    last_seq: int
    updated_at: dt.datetime


def kept(snapshot: CaseSnapshot) -> tuple[object, ...]:
    """What of ``snapshot`` the store keeps between records."""
    return tuple(getattr(snapshot, name) for name in KEPT)


def change_of(snapshot: CaseSnapshot, run_id: str | None = None) -> CaseChange:
    """``run_id``: the id of the workflow that records it; a change of that very case leaves
    its id out (the record activity knows it as its workflow's id)."""
    change = CaseChange.model_construct(
        **{name: getattr(snapshot, name) for name in CaseChange.model_fields}
    )
    if run_id is not None and change.case_id == run_id:
        change.case_id = ""
    return change


def with_case_id(change: CaseChange, run_id: str) -> CaseChange:
    """``change`` naming its case: a change that left its id out is of the run ``run_id``."""
    return change if change.case_id else change.model_copy(update={"case_id": run_id})


class RecordInput(BaseModel):
    """``snapshot``: the case's whole projection; or ``change``: the projection without what
    the store keeps, once the store has it (the store answers WHOLE_WANTED if it does not)."""

    snapshot: CaseSnapshot | None = None
    change: CaseChange | None = None
    entries: list[AuditEntry]
    release: bool = Field(False, description="give back every place the case holds")
    notifications: list[Notification] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_projection(self) -> RecordInput:
        if (self.snapshot is None) == (self.change is None):
            raise ValueError("a record carries either the whole snapshot or a change, not both")
        return self

    @property
    def projection(self) -> CaseSnapshot | CaseChange:
        found = self.snapshot or self.change
        assert found is not None
        return found


class ObtainRequest(BaseModel):
    """What one decision of a case needs from outside, asked at once (``obtain``)."""

    policy: str = Field(description="whose bureau settings the plan reads")
    plan: Plan


class SettingsInput(BaseModel):
    policy: str
    keys: list[str]


class SettingsFound(BaseModel):
    values: dict[str, Any] = Field(
        description="key → value; a key the bureau has not set is absent"
    )


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
