"""The case workflow's start input (also what it continues as new with), its Updates, Signals
and Query, and its result.

Saved histories decode with these models for as long as a case may run: fields are only ever
added with defaults, and what older runs wrote is read by the ``_from_*`` validators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from lifecycle.clock import BusinessClock
from lifecycle.config import MAX_SPREAD
from lifecycle.contracts.activities import RejectedEvent
from lifecycle.domain import limits
from lifecycle.domain.application import Application
from lifecycle.domain.case import AuditEntry, Case
from lifecycle.domain.plan import Notification
from lifecycle.domain.states import CaseState
from lifecycle.policies.schema import Round
from lifecycle.policies.versions import PackRef

WORKFLOW = "CaseWorkflow"
ACT = "act"
MOVE_RULES = "move_rules"
EVENT = "event"
CALENDAR_CHANGED = "calendar_changed"
# The operator's ask to continue a case as a new run now (its history then holds only what this
# engine wrote: sealed payloads); applied once, at the case's next turn.
RESEAL = "reseal"
# The worker's word that the store takes writes again: a case waiting on it tries at once.
STORE_BACK = "store_back"
VIEW = "view"

# The engine's changes a run started now follows without patch markers (workflows.versions).
ENGINE = 6

RECENT_EVENTS = 64
HISTORY_EVENTS = 2000
HISTORY_BYTES = 2 * 1024 * 1024

# How the actor of a request is known: named with --as on a direct command (the embedded
# development set-up), or authenticated by the gateway (an OpenID Connect token, an API key).
# How an actor was known (engine rule): a token, an API key, the console's public form (a
# member of the public, named by what they wrote, through the gateway), or named by a command.
Assurance = Literal["asserted", "oidc", "api-key", "public-form"]


class RunState(BaseModel):
    """Everything a case's run holds, in one object: what the case is, what it remembers of
    requests and events, what waits for the store, and what it waits on. A run hands it whole
    to the next when it continues as new, so it is the same size at any age."""

    case: Case
    remembered: dict[str, int] = Field(
        default_factory=dict, description="the last event ids and request keys, with their change"
    )
    recent_events: list[str] = Field(default_factory=list, description="older runs' form")
    events: int = Field(0, description="events applied in all: beyond the window, ask the store")
    outbox: list[AuditEntry] = Field(default_factory=list, description="not yet in the store")
    rejected: list[RejectedEvent] = Field(
        default_factory=list, description="refused events not yet kept in the store"
    )
    notices: list[Notification] = Field(
        default_factory=list, description="reminders not yet in the notifications outbox"
    )
    release: bool = Field(False, description="a release of held places waits for the store")
    run: int = 1
    trouble: dict[str, str] = Field(
        default_factory=dict, description="what the case waits on, by kind (the store, …)"
    )
    recounts: dict[int, str] = Field(
        default_factory=dict, description="years whose installed calendar is still to count"
    )
    retry_at: dt.datetime | None = Field(None, description="when what waits is tried again")
    attempt: int = Field(0, description="tries of what waits so far (its backoff)")

    @model_validator(mode="after")
    def _from_recent_events(self) -> RunState:
        """Runs before remembered changes carried their event ids alone."""
        if self.recent_events:
            self.remembered = dict.fromkeys(self.recent_events, 0) | self.remembered
            self.recent_events = []
        return self


# Its name in the start input (``carried``) and in older code.
Carried = RunState


class CaseStart(BaseModel):
    """What a case starts from. The rules travel by id and version only; the application comes
    first, as staff read it in the Web UI."""

    case_id: str
    application: Application
    round_name: str
    round: Round
    rules: PackRef | None = None
    clock: BusinessClock = Field(default_factory=BusinessClock)
    indexed: bool = Field(True, description="keep the custom search attributes up to date")
    history_budget: int = Field(HISTORY_EVENTS, ge=40, le=3500)
    spread: int = Field(
        0,
        ge=0,
        le=MAX_SPREAD,
        description="seconds of real time over which the cases' deadline firings are spread "
        "once they fall due (bureau setting LIFECYCLE_DEADLINE_SPREAD); effects are dated when due",
    )
    carried: RunState | None = None
    engine: int = Field(
        0, description="the engine's changes this run follows (0: as its history's markers say)"
    )
    pack: dict[str, Any] | None = Field(
        None, description="only in cases started before rules were versioned: the rules inline"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_unversioned(cls, data: Any) -> Any:
        """Cases started before the clock was shared and state was bounded carried their own
        day length, origins and whole case."""
        if not isinstance(data, dict) or "clock" in data:
            return data
        data = dict(data)
        data["clock"] = {
            "day_seconds": data.pop("day_seconds", 86400),
            "business_origin": data.pop("business_origin", None),
            "real_origin": data.pop("clock_origin", None),
        }
        case = data.pop("case", None)
        if case is not None:
            seen = list(case.get("seen_events") or [])[-RECENT_EVENTS:]
            data["carried"] = {"case": case, "recent_events": seen}
        return data


class ActRequest(BaseModel):
    """A person's decision. ``expected_seq`` is the number of the case's last change as the actor
    saw it (an action against a case changed since is refused); ``request_id`` is its
    idempotency key (the Update id: a retried request is applied once); ``sent_at`` is when it
    was sent, so it is judged at that business time whenever a worker gets to it."""

    action: str
    actor: str
    reason: str = ""
    clause: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    expected_seq: int | None = None
    request_id: str | None = None
    sent_at: dt.datetime | None = None
    assurance: Assurance = Field(
        "asserted", description="how the actor is known: asserted with --as, or authenticated"
    )
    proof: str | None = Field(
        None, description="the gateway's signature over who and how (engine rule: else asserted)"
    )

    def proof_fields(self, case_id: str) -> list[Any]:
        """What the gateway's proof binds: the case, the request, who and how, what it says."""
        return [
            case_id,
            self.key,
            self.action,
            self.actor,
            self.assurance,
            self.reason,
            self.clause,
            self.data,
        ]

    def problem(self) -> str | None:
        """The first limit on input this request breaks, in one sentence; None when it keeps
        them all."""
        return limits.first(
            [
                limits.text("action", self.action, limits.SHORT),
                limits.text("--as", self.actor, limits.NAME),
                limits.text("--reason", self.reason, limits.TEXT, multiline=True),
                limits.text("--clause", self.clause, limits.CLAUSE),
                limits.data("--data", self.data),
                limits.event_id("--request-id", self.request_id),
                None
                if self.expected_seq is None or self.expected_seq >= 0
                else f"--expect-seq is {self.expected_seq}; it must be 0 or more.",
            ]
        )

    @property
    def key(self) -> str | None:
        """Its idempotency key as the case remembers it (beside other systems' event ids)."""
        return f"request:{self.request_id}" if self.request_id else None


class ExternalEvent(ActRequest):
    event_id: str = Field(min_length=1)

    def problem(self) -> str | None:
        return limits.event_id("event_id", self.event_id) or super().problem()

    @property
    def key(self) -> str | None:
        return self.event_id


class MoveRequest(BaseModel):
    """Move a running case to another version of its programme's rules."""

    version: str
    actor: str
    reason: str = ""
    assurance: Assurance = "asserted"
    proof: str | None = None

    def proof_fields(self, case_id: str) -> list[Any]:
        return [case_id, MOVE_RULES, self.version, self.actor, self.assurance, self.reason]

    def problem(self) -> str | None:
        return limits.first(
            [
                limits.text("--to", self.version, limits.SHORT),
                limits.text("--as", self.actor, limits.NAME),
                limits.text("--reason", self.reason, limits.TEXT, multiline=True),
            ]
        )


class CalendarNotice(BaseModel):
    """A year's holiday calendar was installed: count the deadlines that touch it again."""

    year: int
    notice: str
    event_id: str


class ActResult(BaseModel):
    state: CaseState
    seq: int
    recorded: bool = Field(True, description="False: the store lags and will catch up")
    duplicate: bool = Field(False, description="the same request was applied before, as #seq")


class CaseView(BaseModel):
    case: Case
    rules: PackRef | None
    business_now: dt.datetime = Field(description="the case's business time at its last task")
    clock: BusinessClock | None = Field(None, description="the case's clock, to read it now")
    overdue: list[str]
    actions: list[str]
    trouble: list[str] = Field(default_factory=list)
    unrecorded: int = 0
    run: int = 1


class CaseOutcome(BaseModel):
    """The result of a case that ended."""

    case: Case
    rules: PackRef | None
