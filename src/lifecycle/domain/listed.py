"""What a listed case keeps about its years in the directory, bounded: the year's quota, the
provider's record, what is open (filings, complaints, decisions, a change, partner applications)
and counts. What is over (services recorded, filings concluded, complaints decided) is in the
audit trail, not here."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class QuotaPart(BaseModel):
    rule: str
    clause: str
    amount: int


class Quota(BaseModel):
    year: int
    diagnosis_cap: int
    design_cap: int
    parts: list[QuotaPart]
    used: dict[str, int] = Field(default_factory=dict, description="cap → what this case used")

    def cap(self, of: str) -> int:
        return self.diagnosis_cap if of == "diagnosis" else self.design_cap


class ProviderRecord(BaseModel):
    """What raises a provider's quota (wenzhou-2021 第十条(二)–(四))."""

    recognition: Literal["ministry", "province"] | None = None
    served_demo_enterprise: bool = False
    excellent_years: list[int] = Field(default_factory=list, description="the last few only")

    def excellent_running(self, before: int) -> int:
        """Years rated excellent in a row, up to the year before ``before``."""
        years, run = set(self.excellent_years), 0
        while before - 1 - run in years:
            run += 1
        return run


class TrainingFiling(BaseModel):
    id: int
    event_date: dt.date
    days: float
    kind: str
    participants: int
    industries: list[str]
    latest: dt.date = Field(description="the latest on-time filing date")
    audience: str = "enterprises"
    status: Literal["filed", "reviewed", "accepted", "refused"] = "filed"


class Complaint(BaseModel):
    """An enterprise's complaint; its text is the enterprise's business (shown to officers
    only, never logged) and leaves the case once the complaint is decided."""

    id: int
    enterprise: str
    text: str
    event_id: str | None = None


class Decision(BaseModel):
    """A decision the rules open for an officer (never taken by the engine itself)."""

    id: int
    kind: str
    text: str
    clause: str
    opened: dt.date
    reason: str | None = Field(None, description="an exit proposal: the exit reason's code")


class Change(BaseModel):
    """A major change the provider reported, until it takes effect."""

    kinds: list[str]
    effective: dt.date
    name: str | None = None
    reported: dt.date
    partner: str | None = Field(None, description="the partner that changes, not the provider")


class Partner(BaseModel):
    code: str
    name: str
    status: Literal["applied", "approved", "in_notice", "objected", "published"] = "applied"


class RectificationOrder(BaseModel):
    """The rectification order a case is under (通报批评, 限期整改): its grounds, the deadline it
    runs to, and the provider's submission while the officer has not decided it."""

    id: int
    grounds: str | None = None
    clause: str
    text: str
    ordered: dt.date
    due: dt.date | None = None
    submitted: dt.date | None = None
    continued: int = Field(0, description="times the officer gave a new deadline (§4.3)")


class EvaluationRecord(BaseModel):
    """What the case keeps of its evaluations: counts and the last period (each result is an
    audit row and a row of the round's published results)."""

    failures: int = 0
    missed: int = 0
    last_period: str | None = None
    last_grade: str | None = None


class ListedRecord(BaseModel):
    quota: Quota | None = None
    provider: ProviderRecord = Field(default_factory=ProviderRecord)
    purchase_barred_year: int | None = None
    filings: list[TrainingFiling] = Field(default_factory=list)
    complaints: list[Complaint] = Field(default_factory=list)
    verified: dict[str, int] = Field(
        default_factory=dict, description="enterprise → complaints verified"
    )
    decisions: list[Decision] = Field(default_factory=list)
    change: Change | None = None
    partners: dict[str, Partner] = Field(default_factory=dict)
    order: RectificationOrder | None = None
    evaluations: EvaluationRecord = Field(default_factory=EvaluationRecord)
    last_id: int = 0

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id
