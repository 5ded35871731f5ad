"""An application (申报) and what intake decides about it (DOMAIN.md §5).

``intake_refusal`` answers the rules that refuse an application outright; ``findings`` turns the
pack's substantive requirements into findings reviewers must see and answer.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lifecycle.domain import credit_code, limits
from lifecycle.policies.schema import PolicyPack, Requirement


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: str = Field(min_length=1)
    phone: str = Field(min_length=5)


class Application(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, description="registered name (单位名称)")
    credit_code: str = Field(description="统一社会信用代码")
    district: str = Field(min_length=1, description="district office that reviews it")
    contact: Contact | None = None
    provider_type: str | None = None
    tracks: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    own_sector: str | None = Field(None, description="a chain leader's own sector")
    parent_credit_code: str | None = Field(None, description="parent entity of a branch")
    credit_report: str | None = Field(None, description="reference of the credit report")
    ecosystem_partners: list[str] = Field(default_factory=list)
    facts: dict[str, float | bool] = Field(default_factory=dict)

    @property
    def entity(self) -> str:
        """The legal entity behind the applicant: the parent for a branch or subsidiary."""
        return self.parent_credit_code or self.credit_code

    def kinds(self) -> set[str]:
        return {self.provider_type} if self.provider_type else set(self.tracks)


class Finding(BaseModel):
    """A condition not met (at intake) or a deadline missed (while listed), with its clause;
    a finding met again while still open counts up instead of growing the case."""

    id: str
    clause: str
    text: str
    in_principle: bool = False
    observed: float | bool | None = None
    answer: str | None = None
    answered_by: str | None = None
    times: int = 1
    last_period: str | None = None

    @property
    def open(self) -> bool:
        return self.answer is None


def input_problem(app: Application) -> str | None:
    """The first field that breaks a limit on input (length, hidden characters, sizes, finite
    numbers), in one sentence; None when every field keeps them."""
    contact = app.contact
    return limits.first(
        [
            limits.text("name", app.name, limits.NAME),
            limits.text("credit_code", app.credit_code, limits.SHORT),
            limits.text("district", app.district, limits.SHORT),
            limits.text("contact.person", contact.person if contact else None, limits.NAME),
            limits.text("contact.phone", contact.phone if contact else None, limits.SHORT),
            limits.text("provider_type", app.provider_type, limits.SHORT),
            limits.items("tracks", app.tracks, limits.LIST_ITEMS, limits.SHORT),
            limits.items("sectors", app.sectors, limits.LIST_ITEMS, limits.SHORT),
            limits.text("own_sector", app.own_sector, limits.SHORT),
            limits.text("parent_credit_code", app.parent_credit_code, limits.SHORT),
            limits.text("credit_report", app.credit_report, limits.REFERENCE),
            limits.items(
                "ecosystem_partners", app.ecosystem_partners, limits.PARTNERS, limits.SHORT
            ),
            limits.facts("facts", app.facts),
        ]
    )


def intake_refusal(pack: PolicyPack, app: Application) -> str | None:
    """Why the application is refused outright, in one sentence with its clause; else None."""
    problem = input_problem(app)
    if problem:
        return problem
    for field, code in (
        ("credit_code", app.credit_code),
        ("parent_credit_code", app.parent_credit_code),
    ):
        if code is not None and (problem := credit_code.problem(code)):
            return f"{field}: {problem[:-1]} (GB 32100-2015)."
    adm = pack.admission
    for field in adm.required_fields:
        if _empty(getattr(app, field, None)):
            return (
                f"{field} is missing; {pack.id} requires it of every application "
                f"({adm.required_fields_clause})."
            )
    return _type_refusal(pack, app) or _sector_refusal(pack, app)


def _type_refusal(pack: PolicyPack, app: Application) -> str | None:
    known = {t.id for t in pack.admission.provider_types}
    clause = pack.admission.required_fields_clause
    for kind in app.kinds():
        if kind not in known:
            field = pack.admission.types_by or "provider_type"
            return f"{field} '{kind}' is not one of {pack.id}'s: {', '.join(sorted(known))} ({clause})."
    return None


def _sector_refusal(pack: PolicyPack, app: Application) -> str | None:
    adm = pack.admission
    known = {s.id for s in adm.sectors}
    clause = adm.sectors_clause or adm.required_fields_clause
    for sector in [*app.sectors, *([app.own_sector] if app.own_sector else [])]:
        if known and sector not in known:
            return f"sector '{sector}' is not one of {pack.id}'s: {', '.join(sorted(known))} ({clause})."
    kind = next((t for t in adm.provider_types if t.id == app.provider_type), None)
    if kind is None:
        return None
    if kind.max_sectors is not None and len(app.sectors) > kind.max_sectors:
        return (
            f"sectors names {len(app.sectors)} sectors; a {kind.id} applicant may name at most "
            f"{kind.max_sectors} ({pack.id} {clause})."
        )
    if kind.own_sector_only:
        if not app.own_sector:
            return f"own_sector is missing; a {kind.id} applicant must state its own sector ({clause})."
        if app.sectors != [app.own_sector]:
            return (
                f"sectors is {app.sectors}; a {kind.id} may apply only in its own sector "
                f"'{app.own_sector}' ({pack.id} {clause})."
            )
    return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def findings(pack: PolicyPack, app: Application) -> list[Finding]:
    kinds = app.kinds()
    return [
        Finding(
            id=req.id,
            clause=req.clause,
            text=req.text,
            in_principle=req.in_principle,
            observed=app.facts.get(req.field),
        )
        for req in pack.admission.requirements
        if (not req.applies_to or kinds & set(req.applies_to)) and not _met(req, app)
    ]


def _met(req: Requirement, app: Application) -> bool:
    value = app.facts.get(req.field)
    if req.required is not None:
        return value is req.required
    if req.at_least is None or isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return value >= req.at_least
