"""Major changes a listed provider reports (guangzhou-2024 §4.8 and §4.4.4, anhui-2019 运营
第五条/第十五条): what changes and from when; reported later than the programme's notice period,
it is a finding; a new name is the provider's name from the day it takes effect. Where the
programme says so (guangzhou-2024 §4.8 "牵引单位或其合作伙伴"), a partner's changes are
reported the same way, naming the partner."""

from __future__ import annotations

from typing import Any

from lifecycle.domain import limits
from lifecycle.domain.application import Finding
from lifecycle.domain.case import Action, Case
from lifecycle.domain.listed import Change
from lifecycle.domain.phases import fields
from lifecycle.domain.phases.fields import reading
from lifecycle.domain.phases.services import day
from lifecycle.domain.plan import DeadlineRequest, Plan
from lifecycle.domain.registry import Handler, register
from lifecycle.policies.listed_rules import ChangeRules
from lifecycle.policies.schema import PolicyPack

PHASE = "listed"
NOTICE = "change_notice"


def _rules(pack: PolicyPack) -> ChangeRules:
    if pack.listed.changes is None:
        raise fields.FieldError(f"{pack.id} takes no change reports.")
    return pack.listed.changes


def _read(pack: PolicyPack, action: Action) -> Change:
    rules, data = _rules(pack), action.data
    kinds = fields.choices(data, "changes", rules.kinds)
    name = fields.text(data, "name", limits.NAME) if "name" in kinds else None
    reported = day(action) if action.at is not None else fields.date(data, "effective")
    partner = None
    if data.get("partner") is not None:
        if not rules.partners:
            raise fields.FieldError(
                f"data partner is given; {pack.id} takes change reports of the provider only "
                f"({rules.clause})."
            )
        partner = fields.code(data, "partner")
    return Change(
        kinds=kinds,
        effective=fields.date(data, "effective"),
        name=name,
        reported=reported,
        partner=partner,
    )


def _check(case: Case, pack: PolicyPack, action: Action) -> str | None:
    change = _read(pack, action)
    partner = case.listed.partners.get(change.partner) if change.partner else None
    if change.partner is not None and (partner is None or partner.status != "published"):
        return (
            f"data partner {change.partner} is not a published partner of this provider "
            f"({pack.id} {_rules(pack).clause})."
        )
    pending = case.listed.change
    if pending is not None:
        return (
            f"a change ({', '.join(pending.kinds)}) reported on {pending.reported} takes effect "
            f"on {pending.effective}; report the next one after it."
        )
    return None


def _needs(case: Case, pack: PolicyPack, action: Action) -> Plan:
    rules = _rules(pack)
    if rules.notice_working_days is None:
        return Plan()
    return Plan(
        deadlines=[
            DeadlineRequest(
                name=NOTICE,
                rule="before",
                date=fields.date(action.data, "effective"),
                working_days=rules.notice_working_days,
            )
        ]
    )


def _report(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    rules, change = _rules(pack), _read(pack, action)
    case.listed.change = change
    data: dict[str, Any] = change.model_dump(mode="json")
    counted = action.counted.get(NOTICE)
    if counted is not None and rules.late_finding is not None:
        data["latest"] = counted.date.isoformat()
        if change.reported > counted.date:
            spec = rules.late_finding
            found = next((f for f in case.findings if f.id == spec.id and f.open), None)
            if found is not None:
                found.times += 1
            else:
                case.findings.append(
                    Finding(id=spec.id, clause=rules.notice_clause or "", text=spec.text)
                )
            data["finding"] = spec.id
    return data


def _check_effect(case: Case, pack: PolicyPack, action: Action) -> str | None:
    pending = case.listed.change
    if pending is None:
        return "no reported change waits to take effect."
    if action.at is not None and day(action) < pending.effective:
        return f"the change takes effect on {pending.effective}."
    return None


def _take_effect(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    change = case.listed.change
    assert change is not None
    if change.name and change.partner is not None:
        partner = case.listed.partners.get(change.partner)
        if partner is not None:
            partner.name = change.name
    elif change.name:
        case.name = change.name
    case.listed.change = None
    return change.model_dump(mode="json")


register(Handler("report_change", PHASE, check=reading(_check), effect=_report, needs=_needs))
register(
    Handler(
        "take_effect",
        PHASE,
        check=reading(_check_effect),
        effect=_take_effect,
        available=lambda c, p: None if c.listed.change else "no reported change is pending.",
    )
)
