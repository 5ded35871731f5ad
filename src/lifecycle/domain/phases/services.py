"""Services a listed provider records (wenzhou-2021 第十四条, qingdao-2024 §二(一)7), the yearly
quota they count against (wenzhou-2021 第十条) and the purchase bar (第十六条(四))."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle.domain import quota
from lifecycle.domain.case import Action, Case
from lifecycle.domain.days import today
from lifecycle.domain.phases import fields
from lifecycle.domain.phases.fields import reading
from lifecycle.domain.plan import ClaimRequest, Plan, ReservationRequest
from lifecycle.domain.registry import Handler, register
from lifecycle.policies.schema import PolicyPack

PHASE = "listed"


def day(action: Action) -> dt.date:
    assert action.at is not None, "the engine stamps every action with its business time"
    return today(action.at)


def _service(pack: PolicyPack, action: Action) -> dict[str, Any]:
    rules = pack.listed.services
    if rules is None:
        raise fields.FieldError(f"{pack.id} records no services.")
    data = action.data
    kind = fields.choice(data, "kind", rules.kinds)
    capped = pack.listed.quota.capped_kinds if pack.listed.quota else {}
    return {
        "enterprise": fields.code(data, "enterprise"),
        "district": fields.text(data, "district", 64),
        "kind": kind,
        "date": fields.date(data, "date"),
        "purchased": fields.flag(data, "purchased", default=kind in capped),
        "cap": capped.get(kind),
    }


def _check_service(case: Case, pack: PolicyPack, action: Action) -> str | None:
    record = _service(pack, action)
    if action.at is not None and record["date"] > day(action):
        return f"data date is {record['date']}, after today ({day(action)}); record what was done."
    year = record["date"].year
    barred = case.listed.purchase_barred_year
    if record["purchased"] and barred == year:
        clause = pack.listed.services.purchase_bar_clause if pack.listed.services else None
        return (
            f"the provider lost its eligibility for purchased services for {year} "
            f"({pack.id} {clause}); it records purchased services again from {year + 1}-01-01."
        )
    held = case.listed.quota
    if record["purchased"] and record["cap"] and (held is None or held.year != year):
        return (
            f"the {year} quota is not open: it opens when the year begins, from the bureau's "
            f"target ('lifecycle setting set {pack.id} city_diagnosis_target.{year} N'), or an "
            "officer opens it with 'open_year'."
        )
    for claim in action.claims.values():
        if not claim.granted:
            rules = pack.listed.services
            clause = rules.exclusive_clause if rules else None
            return (
                f"the provider has recorded {claim.held_by} for enterprise {record['enterprise']}; "
                f"one provider may not both {' and '.join(rules.exclusive if rules else [])} one "
                f"pilot enterprise ({pack.id} {clause})."
            )
    return None


def _needs_service(case: Case, pack: PolicyPack, action: Action) -> Plan:
    record = _service(pack, action)
    rules = pack.listed.services
    plan = Plan()
    if rules and record["kind"] in rules.exclusive:
        plan.claims.append(
            ClaimRequest(
                key=f"engagement:{case.credit_code}:{record['enterprise']}",
                holder=record["kind"],
                what=f"{record['kind']} of enterprise {record['enterprise']}",
                clause=f"{pack.id} {rules.exclusive_clause}",
            )
        )
    held = case.listed.quota
    rules_q = pack.listed.quota
    if (
        record["purchased"]
        and record["cap"]
        and held
        and rules_q
        and held.year == record["date"].year
    ):
        cap = record["cap"]
        parts = "; ".join(f"{p.rule}: {p.amount}" for p in held.parts)
        plan.reservation = ReservationRequest(
            holder=f"{case.case_id}#{case.seq + 1}",
            pools={
                f"{case.policy}:quota:{held.year}:{case.credit_code}:{cap}": (
                    f"the {held.year} {cap} quota ({parts}"
                    + ("; design plans: half of the diagnosis cap" if cap == "design" else "")
                    + ")"
                )
            },
            capacity=held.cap(cap),
            clause=f"{pack.id} {rules_q.clause}",
        )
    return plan


def _record_service(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    record = _service(pack, action)
    held = case.listed.quota
    if record["purchased"] and record["cap"] and held is not None:
        held.used[record["cap"]] = held.used.get(record["cap"], 0) + 1
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in record.items()}


def _check_open_year(case: Case, pack: PolicyPack, action: Action) -> str | None:
    if pack.listed.quota is None:
        return f"{pack.id} sets no yearly quota."
    if action.at is not None and case.listed.quota and case.listed.quota.year == day(action).year:
        return f"the {day(action).year} quota is open already."
    return None


def _needs_open_year(case: Case, pack: PolicyPack, action: Action) -> Plan:
    rules = pack.listed.quota
    if rules is None or action.at is None:
        return Plan()
    return Plan(settings=[f"{rules.target_setting}.{day(action).year}"])


def _open_year(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    rules = pack.listed.quota
    assert rules is not None
    year = day(action).year
    record = case.listed.provider
    target = int(action.settings[f"{rules.target_setting}.{year}"])
    case.listed.quota = quota.caps(
        rules,
        year,
        target,
        record.recognition,
        record.served_demo_enterprise,
        record.excellent_running(year),
    )
    opened = case.listed.quota
    return {"year": year, "diagnosis_cap": opened.diagnosis_cap, "design_cap": opened.design_cap}


def _check_record(case: Case, pack: PolicyPack, action: Action) -> str | None:
    data = action.data
    if "recognition" in data and data["recognition"] not in (None, "ministry", "province"):
        return (
            f"data recognition is {data['recognition']!r}; it must be ministry, province or null."
        )
    if "served_demo_enterprise" in data:
        fields.flag(data, "served_demo_enterprise")
    if not {"recognition", "served_demo_enterprise"} & set(data):
        return "data gives recognition and/or served_demo_enterprise."
    return None


def _set_record(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    record = case.listed.provider
    if "recognition" in action.data:
        record.recognition = action.data["recognition"]
    if "served_demo_enterprise" in action.data:
        record.served_demo_enterprise = action.data["served_demo_enterprise"]
    return dict(action.data)


def _rate_excellent(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    year = fields.integer(action.data, "year", 2000, 2200)
    record = case.listed.provider
    record.excellent_years = sorted({*record.excellent_years, year})[-5:]
    data: dict[str, Any] = {"year": year}
    rules, held = pack.listed.quota, case.listed.quota
    if rules and rules.excellence_raises_open_year and held and held.year == year + 1:
        case.listed.quota = quota.with_excellence(rules, held, record.excellent_running(held.year))
        raised = case.listed.quota
        data["quota"] = {
            "year": raised.year,
            "diagnosis_cap": raised.diagnosis_cap,
            "design_cap": raised.design_cap,
            "excellence": next(
                (
                    f"{p.rule}: +{p.amount} ({pack.id} {p.clause})"
                    for p in raised.parts
                    if p.clause == rules.excellence_clause
                ),
                None,
            ),
        }
    return data


def _bar_purchase(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    case.listed.purchase_barred_year = day(action).year
    return {"year": day(action).year}


register(
    Handler(
        "record_service",
        PHASE,
        check=reading(_check_service),
        effect=_record_service,
        needs=_needs_service,
    )
)
register(
    Handler(
        "open_year",
        PHASE,
        check=reading(_check_open_year),
        effect=_open_year,
        needs=_needs_open_year,
    )
)
register(Handler("set_provider_record", PHASE, check=reading(_check_record), effect=_set_record))
register(
    Handler(
        "rate_excellent",
        PHASE,
        check=reading(lambda c, p, a: fields.integer(a.data, "year", 2000, 2200) and None),
        effect=_rate_excellent,
    )
)
register(Handler("bar_purchase", PHASE, effect=_bar_purchase, needs_reason=True))
