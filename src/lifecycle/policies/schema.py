"""The shape of a policy pack: one programme's rules as data, format 2.

Cross-field rules (every transition names declared states and roles, the admission path is a
walk through the transitions, deadlines fire actions the system may take, …) are checked here so
a bad pack never reaches a workflow. Older formats are upgraded by ``migrations`` before they are
validated, so a version a running case names keeps loading after the schema changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lifecycle.policies.deadline_rules import DeadlineRule
from lifecycle.policies.evaluation_rules import Consequences, Rubric
from lifecycle.policies.listed_rules import (
    ChangeRules,
    ComplaintRules,
    PartnerRules,
    QuotaRules,
    ServiceRules,
    TrainingRules,
)
from lifecycle.policies.vocabulary import TERMINAL_STATES, CaseState, Role

FORMAT = 2


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    file: str = Field(description="the seed document under shared/seeds/")
    document: str
    number: str | None = None
    issued: dt.date
    authority: str


class Transition(Strict):
    trigger: str = Field(pattern=r"^[a-z][a-z_]*$")
    source: list[CaseState] = Field(min_length=1)
    dest: CaseState | None = Field(None, description="None: stays in the state (internal)")
    roles: list[Role] = Field(min_length=1)
    clause: str
    conditions: list[str] = Field(default_factory=list)
    label: str


class ProviderType(Strict):
    id: str
    name: str
    max_sectors: int | None = Field(None, ge=1)
    own_sector_only: bool = False
    per_sector: tuple[int, int] | None = Field(None, description="selection minimum and maximum")


class Sector(Strict):
    id: str
    name: str


class Round(Strict):
    applications_close: dt.date | None = Field(None, description="applications close 24:00 of")
    preliminary_review_due: dt.date | None = None
    expert_review_due: dt.date | None = None


class Requirement(Strict):
    """A substantive condition: unmet, it becomes a finding reviewers see."""

    id: str
    clause: str
    text: str
    field: str
    at_least: float | None = None
    required: bool | None = None
    applies_to: list[str] = Field(default_factory=list, description="provider types or tracks")
    in_principle: bool = False

    @model_validator(mode="after")
    def _one_test(self) -> Requirement:
        if (self.at_least is None) == (self.required is None):
            raise ValueError("give exactly one of at_least and required")
        return self


class Admission(Strict):
    path: list[CaseState] = Field(min_length=2)
    required_fields: list[str] = Field(default_factory=list)
    required_fields_clause: str
    types_by: Literal["provider_type", "tracks"] | None = None
    sectors_clause: str | None = None
    one_entity_clause: str | None = Field(
        None, description="branches or subsidiaries of one entity may not both apply"
    )
    types_clause: str | None = Field(None, description="the clause of the per-sector limits")
    provider_types: list[ProviderType] = Field(default_factory=list)
    sectors: list[Sector] = Field(default_factory=list)
    requirements: list[Requirement] = Field(default_factory=list)
    rounds: dict[str, Round] = Field(default_factory=dict)
    default_round: str


class ReportRule(Strict):
    id: str
    every: Literal["week", "month", "quarter", "year"]
    due_working_days_after: int | None = Field(None, ge=1)
    clause: str


class Listed(Strict):
    """While listed. Reports are declared deadlines; ``reports`` and the two
    ``*_working_days`` are what versions written before the listed phase carried (inert)."""

    reports: list[ReportRule] = Field(default_factory=list)
    change_notice_working_days: int | None = Field(None, ge=1)
    training_filing_working_days: int | None = Field(None, ge=1)
    clauses: list[str] = Field(default_factory=list)
    quota: QuotaRules | None = None
    services: ServiceRules | None = None
    training: TrainingRules | None = None
    complaints: ComplaintRules | None = None
    changes: ChangeRules | None = None
    partners: PartnerRules | None = None

    @model_validator(mode="after")
    def _claim_or_quota(self) -> Listed:
        """Engine rule: a record takes an exclusive claim or a quota place, never both, so a
        record refused for one never holds the other."""
        if self.services and self.quota:
            both = sorted(set(self.services.exclusive) & set(self.quota.capped_kinds))
            if both:
                raise ValueError(
                    f"service kinds {both} are both exclusive and capped by the quota; "
                    "engine rule: a kind is one or the other"
                )
        return self


class Evaluation(Strict):
    """Periodic evaluation: the scheme is filled in by the evaluation work."""

    every: Literal["quarter", "year"] | None = None
    scheme: str | None = None
    clauses: list[str] = Field(default_factory=list)
    rubric: Rubric | None = None
    consequences: Consequences = Field(default_factory=lambda: Consequences())
    evaluators: list[Role] = Field(
        default_factory=lambda: [Role.EXPERT, Role.BUREAU_OFFICER],
        description="who may score a provider in a round",
    )


class Grounds(Strict):
    """A ground for criticism and a rectification order (guangzhou-2024 §4.4, first list);
    ``findings``: the findings of the listed phase an officer may turn into such an order."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: str
    text: str
    findings: list[str] = Field(default_factory=list)


class Rectification(Strict):
    """Rectification orders (整改): on which grounds, and how long the provider has (the
    ``rectification_due`` deadline counts it; ``deadline_working_days`` is its default, a
    bureau setting). Versions written before orders had grounds took any order (inert)."""

    deadline_working_days: int = Field(20, ge=1)
    clause: str | None = None
    grounds: list[Grounds] = Field(default_factory=list)

    def ground(self, code: str) -> Grounds | None:
        return next((g for g in self.grounds if g.code == code), None)

    def for_finding(self, finding: str) -> Grounds | None:
        return next((g for g in self.grounds if finding in g.findings), None)


class ExitReason(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: str
    text: str
    ban_years: int | None = Field(None, ge=0, description="None: no ban; 0: never again")
    proposed: bool = Field(
        False, description="proposed first, then confirmed by the bureau's meeting"
    )
    after_decision: str | None = Field(
        None, description="only once the case holds an open decision of this kind"
    )


class Exit(Strict):
    """How a provider leaves. With ``by_reason`` an exit names one of ``reasons`` (its code in
    ``--data``) and a reason with ``ban_years`` bans the provider from the programme; with
    ``proposed`` a reason's exit is first proposed and then confirmed by the bureau's meeting
    (``proposal_clause``: guangzhou-2024 §4.4). Versions written before exits had codes took any exit (inert)."""

    reasons: list[ExitReason] = Field(default_factory=list)
    by_reason: bool = False
    proposal_clause: str | None = None
    announcement_clause: str | None = None

    @model_validator(mode="after")
    def _proposals(self) -> Exit:
        if any(r.proposed for r in self.reasons) and self.proposal_clause is None:
            raise ValueError("a reason that is proposed first needs exit.proposal_clause")
        return self

    def reason(self, code: str) -> ExitReason | None:
        return next((r for r in self.reasons if r.code == code), None)


class Publication(Strict):
    """How the programme's published documents name those in its directory."""

    listed_as: str | None = Field(
        None, description="e.g. 数字化牵引单位: headings read '…拟入选名单公示', '…名单'"
    )


class PolicyPack(Strict):
    pack_format: int = Field(FORMAT, ge=FORMAT, le=FORMAT)
    id: str = Field(pattern=r"^[a-z]+-\d{4}$")
    title: str
    title_en: str
    source: Source
    clauses: dict[str, str] = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    states: list[CaseState] = Field(min_length=2)
    initial: CaseState = CaseState.SUBMITTED
    transitions: list[Transition] = Field(min_length=1)
    admission: Admission
    deadlines: list[DeadlineRule] = Field(default_factory=list)
    listed: Listed = Field(default_factory=lambda: Listed())
    evaluation: Evaluation = Field(default_factory=lambda: Evaluation())
    rectification: Rectification = Field(default_factory=lambda: Rectification())
    exit: Exit = Field(default_factory=lambda: Exit())
    publication: Publication = Field(default_factory=lambda: Publication())

    def transition(self, trigger: str) -> list[Transition]:
        return [t for t in self.transitions if t.trigger == trigger]

    def is_terminal(self, state: CaseState) -> bool:
        return state in TERMINAL_STATES

    def round(self, name: str) -> Round | None:
        return self.admission.rounds.get(name)

    def deadline(self, name: str) -> DeadlineRule | None:
        return next((d for d in self.deadlines if d.name == name), None)

    def deadlines_in(self, state: CaseState) -> list[DeadlineRule]:
        return [d for d in self.deadlines if state in d.states]
