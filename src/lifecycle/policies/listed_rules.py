"""What a programme asks of a provider while it is listed, as pack data: the
numbers and clauses the listed phase's handlers read. A section left out means the programme
has no such rule."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lifecycle.policies.deadline_rules import FindingSpec


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Named(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str


class QuotaRules(Strict):
    """Yearly caps on what the government buys from one provider (wenzhou-2021 第十条)."""

    clause: str
    target_setting: str = Field(
        "city_diagnosis_target", description="the bureau's yearly setting the caps start from"
    )
    share_of_target: float = Field(gt=0, le=1)
    share_clause: str
    recognition: dict[str, int] = Field(description="recognised by whom → added to the cap")
    recognition_clause: str
    demonstration: int = Field(ge=0)
    demonstration_clause: str
    excellence: tuple[int, int] = Field(description="excellent last year; two or more running")
    excellence_clause: str
    excellence_raises_open_year: bool = Field(
        False,
        description="last year's excellence, named after the year opened, raises the open "
        "year's caps (a version without it waits for the next year)",
    )
    design_share: float = Field(gt=0, le=1)
    design_clause: str
    capped_kinds: dict[str, str] = Field(
        description="service kind → the cap it counts against (diagnosis or design)"
    )


class ServiceRules(Strict):
    clause: str
    kinds: list[str] = Field(min_length=1)
    exclusive: list[str] = Field(
        default_factory=list, description="kinds one provider may not both do for one enterprise"
    )
    exclusive_clause: str | None = None
    purchase_bar_clause: str | None = Field(
        None, description="plagiarism: no purchased services for the rest of the year"
    )


class TrainingRules(Strict):
    """Training events (wenzhou-2021 第十五条)."""

    clause: str
    filing_working_days: int = Field(ge=1)
    max_days: float = Field(gt=0)
    min_participants: dict[str, int]
    free: bool = True
    satisfaction_payable: float = Field(ge=0, le=100)
    industries: list[Named] = Field(min_length=1)
    exempt_audiences: list[str] = Field(
        default_factory=list,
        description="audiences (data audience) the participant minimums do not bind; the "
        "default audience is enterprises",
    )
    exempt_clause: str | None = None
    whole_filing_by_latest: bool = Field(
        False,
        description="the district's review and the city's acceptance are due by the latest "
        "on-time date too, not only the provider's filing",
    )


class ComplaintRules(Strict):
    """Verified complaints that open a decision for an officer (wenzhou-2021 第十六条)."""

    clause: str
    distinct_enterprises: int = Field(ge=1)
    from_one_enterprise: int = Field(ge=1)


class ChangeRules(Strict):
    clause: str
    kinds: list[str] = Field(min_length=1)
    notice_working_days: int | None = Field(None, ge=1, description="reported this far ahead")
    notice_clause: str | None = None
    late_finding: FindingSpec | None = None
    partners: bool = Field(
        False, description="a partner's changes are reported too, with data partner (its code)"
    )

    @model_validator(mode="after")
    def _together(self) -> ChangeRules:
        given = (self.notice_working_days, self.notice_clause, self.late_finding)
        if any(v is not None for v in given) and not all(v is not None for v in given):
            raise ValueError("notice_working_days, notice_clause and late_finding go together")
        return self


class PartnerRules(Strict):
    """Ecosystem partners added by application, review and a public notice in batches
    (guangzhou-2024 §4.6)."""

    clause: str
    documents: list[str] = Field(min_length=1)
