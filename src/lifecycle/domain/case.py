"""A provider's case as the workflow holds it: one pydantic model, no I/O, bounded in size.

The audit trail is kept in the store (one row per change); the case keeps what its rules need
and the sequence number of its last audit row, so its size does not grow with its age.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from lifecycle.domain.actors import Actor
from lifecycle.domain.application import Finding
from lifecycle.domain.listed import ListedRecord
from lifecycle.domain.plan import ClaimResult, Counted, SlotResult
from lifecycle.domain.states import TERMINAL_STATES, CaseState


class Action(BaseModel):
    """A person's decision, another system's event or the engine's own step, as the case
    receives it; ``slot`` is the outcome of a reservation obtained before deciding."""

    trigger: str
    actor: Actor
    reason: str = ""
    clause: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    event_id: str | None = None
    assurance: str | None = Field(
        None, description="authenticated (oidc, api-key) or asserted by a direct command"
    )
    at: dt.datetime | None = Field(None, description="the business time it is judged at")
    slot: SlotResult | None = None
    counted: dict[str, Counted] = Field(default_factory=dict)
    claims: dict[str, ClaimResult] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)

    @property
    def actor_district(self) -> str | None:
        return self.actor.district


class Objection(BaseModel):
    id: int
    by: str
    text: str
    status: Literal["open", "dismissed", "upheld"] = "open"
    decided_by: str | None = None
    decision: str | None = None

    @property
    def open(self) -> bool:
        return self.status == "open"


class ExpertReview(BaseModel):
    score: float = Field(ge=0, le=110)
    rank: int = Field(ge=1)
    recommended: bool
    by: str


class ReminderAt(BaseModel):
    """When a deadline's reminder is due (``passed``: when the deadline passes)."""

    at: dt.datetime
    on: dt.date
    role: str
    text: str
    passed: bool = False
    sent: bool = False


class CaseDeadline(BaseModel):
    """One running instance of a deadline the pack declares. Passing it (``expired``) fires
    the system action ``fires``, marks the case overdue, or records ``finding``."""

    name: str
    states: list[CaseState]
    label: str = ""
    clause: str | None = None
    length_clause: str | None = None  # "bureau setting": the programme fixes no length
    date: dt.date
    closes_at: dt.datetime
    provisional: bool
    fires: str | None = None
    overdue_mark: bool = False
    finding: str | None = None
    expired: bool = False
    met: bool = False
    period: str | None = None
    # How it was counted, so a calendar change can count it again.
    rule: Literal["date", "window", "after", "before"] = "date"
    opens: dt.date | None = None
    working_days: int | None = None
    opening_day_counts: bool = True
    reminders: list[ReminderAt] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_format_1(cls, data: Any) -> Any:
        """Cases started before deadlines were declared carried one state and no rule."""
        if isinstance(data, dict) and "state" in data and "states" not in data:
            data = dict(data)
            data["states"] = [data.pop("state")]
            data.setdefault("rule", "window" if data.get("working_days") else "date")
            data.setdefault("overdue_mark", data.get("fires") is None)
        return data

    @property
    def open(self) -> bool:
        return not (self.expired or self.met)

    @property
    def counts_working_days(self) -> bool:
        return self.rule != "date" and self.opens is not None and self.working_days is not None

    def touches(self, year: int) -> bool:
        """Whether counting it crossed ``year`` (so that year's calendar can move it)."""
        if not self.counts_working_days or self.opens is None:
            return False
        first, last = sorted((self.opens, self.date))
        return first.year <= year <= last.year


class LastChange(BaseModel):
    """What the case's last change was, to name it when an action comes in against an older
    reading of the case."""

    seq: int
    action: str
    actor: str
    at: dt.datetime


class AuditEntry(BaseModel):
    seq: int
    at: dt.datetime
    actor_role: str
    actor_id: str
    action: str
    from_state: CaseState
    to_state: CaseState
    reason: str
    clause: str | None
    data: dict[str, Any] = Field(default_factory=dict)
    event_id: str | None = None
    assurance: str | None = Field(None, description="how the actor was known (engine rule)")


class Case(BaseModel):
    case_id: str
    policy: str
    round: str
    credit_code: str
    name: str
    district: str
    parent_credit_code: str | None = None
    provider_type: str | None = None
    sectors: list[str] = Field(default_factory=list)
    state: CaseState = CaseState.SUBMITTED
    entered_on: dt.date | None = Field(None, description="business date the state began")
    seq: int = Field(0, description="sequence number of the last audit entry")
    findings: list[Finding] = Field(default_factory=list)
    objections: list[Objection] = Field(default_factory=list)
    expert_review: ExpertReview | None = None
    deadlines: dict[str, CaseDeadline] = Field(default_factory=dict)
    holds_slot: bool = Field(False, description="holds a place under a shared cap")
    last_change: LastChange | None = None
    listed: ListedRecord = Field(default_factory=ListedRecord)
    events_day: dt.date | None = Field(None, description="business day events_today counts")
    events_today: int = 0

    @model_validator(mode="before")
    @classmethod
    def _from_unbounded(cls, data: Any) -> Any:
        """Cases continued before the audit trail moved to the store carried it whole."""
        if isinstance(data, dict) and "history" in data:
            data = {k: v for k, v in data.items() if k not in ("seen_events", "window_closed")}
            data["seq"] = len(data.pop("history") or [])
        return data

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def open_findings(self) -> int:
        return sum(1 for f in self.findings if f.open)

    @property
    def recommended(self) -> bool | None:
        return self.expert_review.recommended if self.expert_review else None

    @property
    def open_objections(self) -> int:
        return sum(1 for o in self.objections if o.status == "open")

    def running(self) -> list[CaseDeadline]:
        """Deadlines of the current state, in the order they close."""
        mine = [d for d in self.deadlines.values() if self.state in d.states]
        return sorted(mine, key=lambda d: d.closes_at)

    def next_deadline(self) -> CaseDeadline | None:
        """The earliest deadline of the current state that is still open."""
        return next((d for d in self.running() if d.open), None)

    def deadline_passed_for(self, trigger: str) -> bool:
        return any(d.expired and d.fires == trigger for d in self.running())

    def overdue(self) -> list[str]:
        return [d.name for d in self.running() if d.expired and d.overdue_mark]
