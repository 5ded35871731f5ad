"""A provider's case as the workflow holds it: one pydantic model, no I/O (DOMAIN.md §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from lifecycle.domain.application import Finding
from lifecycle.domain.states import TERMINAL_STATES, CaseState, Role


class ActorError(ValueError):
    pass


class Actor(BaseModel):
    role: Role
    id: str = Field(min_length=1)
    district: str | None = None

    @classmethod
    def parse(cls, text: str) -> Actor:
        """``role:id``, and ``district_officer:id@district`` for a district officer."""
        role, sep, rest = text.partition(":")
        if not sep or not rest or role not in Role.__members__.values():
            roles = ", ".join(r.value for r in Role)
            raise ActorError(f"--as is '{text}'; it must be ROLE:ID with ROLE one of {roles}.")
        ident, _, district = rest.partition("@")
        if role == Role.DISTRICT_OFFICER and not district:
            raise ActorError(
                f"--as is '{text}'; a district officer acts as district_officer:ID@DISTRICT "
                "(DOMAIN §9: district officers act only on their district's cases)."
            )
        return cls(role=Role(role), id=ident, district=district or None)

    def __str__(self) -> str:
        return f"{self.role}:{self.id}" + (f"@{self.district}" if self.district else "")


class Action(BaseModel):
    """A person's decision or another system's event, as the case receives it."""

    trigger: str
    actor: Actor
    reason: str = ""
    clause: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    event_id: str | None = None
    # Filled by the workflow from the store before the selection limit is checked.
    selected_in_sector: int | None = None
    selection_max: int | None = None

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


class ExpertReview(BaseModel):
    score: float = Field(ge=0, le=110)
    rank: int = Field(ge=1)
    recommended: bool
    by: str


class CaseDeadline(BaseModel):
    """A deadline that matters while the case is in ``state``; ``fires`` is the system action
    taken when it passes (None: the case is only shown as overdue, never decided by a clock)."""

    name: str
    state: CaseState
    date: dt.date
    closes_at: dt.datetime
    provisional: bool
    fires: str | None = None
    expired: bool = False
    # For a working-day window: how to count it again once a year's calendar is published.
    opens: dt.date | None = None
    working_days: int | None = None
    opening_day_counts: bool = True


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


class Case(BaseModel):
    case_id: str
    policy: str
    round: str
    credit_code: str
    name: str
    district: str
    provider_type: str | None = None
    sectors: list[str] = Field(default_factory=list)
    state: CaseState = CaseState.SUBMITTED
    findings: list[Finding] = Field(default_factory=list)
    objections: list[Objection] = Field(default_factory=list)
    expert_review: ExpertReview | None = None
    deadlines: dict[str, CaseDeadline] = Field(default_factory=dict)
    window_closed: bool = False
    history: list[AuditEntry] = Field(default_factory=list)
    seen_events: list[str] = Field(default_factory=list)

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

    def next_deadline(self) -> CaseDeadline | None:
        """The earliest deadline of the current state that has not passed."""
        pending = [d for d in self.deadlines.values() if d.state == self.state and not d.expired]
        return min(pending, key=lambda d: d.closes_at, default=None)

    def overdue(self) -> list[str]:
        return [
            d.name
            for d in self.deadlines.values()
            if d.state == self.state and d.expired and d.fires is None
        ]
