"""What crosses the boundary of an evaluation round: the round workflow's start input, its
Updates (an evaluator's scores, the officer's close) and Query, the scheduled trigger's input,
and the round's activities. Fields are only ever added with defaults (histories decode)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from lifecycle.clock import BusinessClock
from lifecycle.contracts.case import ActRequest, ActResult, Assurance
from lifecycle.domain import limits
from lifecycle.domain.evaluations import Entrant, Result, Scored
from lifecycle.policies.versions import PackRef

ROUND_WORKFLOW = "EvaluationRound"
TRIGGER_WORKFLOW = "EvaluationTrigger"
OPEN = "open"
SCORE = "score"
CLOSE = "close"
ROUND_VIEW = "view"
SCHEDULE_PREFIX = "evaluation-schedule"

Status = Literal["open", "closing", "closed"]


class RoundStart(BaseModel):
    """A round of ``policy`` for ``period``; ``rules`` None: the current rules when it opens
    (a scheduled round), read by the round's first activity and kept for its life."""

    round_id: str
    policy: str
    period: str
    rules: PackRef | None = None
    budget_cny: int | None = Field(None, ge=0)
    clock: BusinessClock = Field(default_factory=BusinessClock)
    opened_by: str | None = None
    indexed: bool = True
    # How the opening officer was known, proven by ``proof`` (the gateway's signature); a
    # round its programme's schedule opens is the engine's own.
    assurance: Assurance = "asserted"
    proof: str | None = None

    def proof_fields(self) -> list[Any]:
        return [
            self.round_id,
            OPEN,
            self.policy,
            self.period,
            self.opened_by,
            self.assurance,
            self.budget_cny,
        ]


class ScoreRequest(BaseModel):
    """An evaluator's scores for one provider (``case``: its case id or credit code), or that
    it did not take part (``missed``)."""

    case: str
    actor: str
    data: dict[str, Any] = Field(default_factory=dict)
    missed: bool = False
    reason: str = ""
    assurance: Assurance = "asserted"  # how the evaluator was known, proven by ``proof``
    proof: str | None = None

    def proof_fields(self, round_id: str) -> list[Any]:
        return [round_id, SCORE, self.case, self.actor, self.assurance, self.data, self.missed]

    def problem(self) -> str | None:
        return limits.first(
            [
                limits.text("CASE", self.case, 120),
                limits.text("--as", self.actor, limits.NAME),
                limits.text("--reason", self.reason, limits.TEXT, multiline=True),
                limits.data("--data", self.data),
            ]
        )


class CloseRequest(BaseModel):
    actor: str
    reason: str = ""
    budget_cny: int | None = Field(None, ge=0)
    assurance: Assurance = "asserted"  # how the officer was known, proven by ``proof``
    proof: str | None = None

    def proof_fields(self, round_id: str) -> list[Any]:
        return [round_id, CLOSE, self.actor, self.assurance, self.reason, self.budget_cny]

    def problem(self) -> str | None:
        return limits.first(
            [
                limits.text("--as", self.actor, limits.NAME),
                limits.text("--reason", self.reason, limits.TEXT, multiline=True),
            ]
        )


class RoundView(BaseModel):
    round_id: str
    policy: str
    period: str
    rules: PackRef | None
    status: Status
    gathered: bool = Field(False, description="its providers are gathered: it takes scores")
    budget_cny: int | None
    opened_by: str | None
    opened_at: dt.datetime | None
    closed_by: str | None = None
    closed_at: dt.datetime | None = None
    opened_as: str | None = Field(None, description="how the opener was known (engine rule)")
    closed_as: str | None = Field(None, description="how the closing officer was known")
    refused: str | None = Field(
        None, description="why the round took nothing: opened by an actor named, not proven"
    )
    roster: list[Entrant] = Field(default_factory=list)
    scores: dict[str, Scored] = Field(default_factory=dict)
    results: list[Result] = Field(default_factory=list)
    applied: int = Field(0, description="results whose actions were taken")
    waiting: str | None = Field(None, description="what the round waits on (the store, …)")


class TriggerStart(BaseModel):
    """What a programme's Schedule starts: a round for the period that ended last."""

    policy: str
    every: Literal["quarter", "year"]
    clock: BusinessClock
    indexed: bool = True


# --- activities ----------------------------------------------------------------------------


class RosterInput(BaseModel):
    round_id: str
    policy: str
    period: str
    rules: PackRef | None
    budget_cny: int | None
    opened_by: str | None
    opened_at: dt.datetime
    opened_as: str | None = None


class Roster(BaseModel):
    rules: PackRef
    entrants: list[Entrant]


class PublishInput(BaseModel):
    round_id: str
    policy: str
    period: str
    budget_cny: int | None
    closed_by: str
    closed_at: dt.datetime
    results: list[Result]
    status: Status = "closing"
    closed_as: str | None = None


class AwardRequest(BaseModel):
    round_id: str
    case_id: str
    amount_cny: int = Field(ge=0)


class AwardResult(BaseModel):
    granted_cny: int


class CaseActInput(BaseModel):
    case_id: str
    request: ActRequest


class CaseActOutcome(BaseModel):
    applied: bool
    result: ActResult | None = None
    refusal: str | None = None
