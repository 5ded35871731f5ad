"""Ecosystem partners (产业生态联合体企业, guangzhou-2024 §4.6): the provider applies with the
required documents, the working group reviews, approved partners go to a public notice in
batches, and those without an upheld objection join the published list."""

from __future__ import annotations

from typing import Any

from lifecycle.domain.case import Action, Case
from lifecycle.domain.listed import Partner
from lifecycle.domain.phases import fields
from lifecycle.domain.phases.fields import reading
from lifecycle.domain.registry import Available, Handler, register
from lifecycle.policies.listed_rules import PartnerRules
from lifecycle.policies.schema import PolicyPack

PHASE = "listed"
PARTNERS = 200


def _rules(pack: PolicyPack) -> PartnerRules:
    if pack.listed.partners is None:
        raise fields.FieldError(f"{pack.id} keeps no partner list.")
    return pack.listed.partners


def _check_apply(case: Case, pack: PolicyPack, action: Action) -> str | None:
    rules, data = _rules(pack), action.data
    partner = fields.code(data, "partner")
    fields.text(data, "name")
    documents = data.get("documents")
    if not isinstance(documents, dict):
        return f"data documents must name each of {', '.join(rules.documents)} ({pack.id} {rules.clause})."
    missing = [
        d
        for d in rules.documents
        if not isinstance(documents.get(d), str) or not documents[d].strip()
    ]
    if missing:
        return (
            f"data documents lacks {', '.join(missing)}; a partner applies with "
            f"{', '.join(rules.documents)} ({pack.id} {rules.clause})."
        )
    if partner in case.listed.partners:
        return f"{partner} is already {case.listed.partners[partner].status}."
    return None


def _budget(case: Case, pack: PolicyPack, action: Action) -> str | None:
    if len(case.listed.partners) >= PARTNERS:
        return f"the provider has {PARTNERS} partners, the most a case keeps (engine rule)."
    return None


def _apply(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    code = fields.code(action.data, "partner")
    case.listed.partners[code] = Partner(code=code, name=fields.text(action.data, "name"))
    return {"partner": code, "name": action.data["name"], "documents": action.data["documents"]}


def _partner(case: Case, action: Action, *statuses: str) -> Partner:
    code = fields.code(action.data, "partner")
    found = case.listed.partners.get(code)
    if found is None or found.status not in statuses:
        now = found.status if found else "not a partner of this case"
        raise fields.FieldError(
            f"partner {code} is {now}; this step needs it {' or '.join(statuses)}."
        )
    return found


def _check_review(case: Case, pack: PolicyPack, action: Action) -> str | None:
    _partner(case, action, "applied")
    if not fields.flag(action.data, "approve") and not action.reason.strip():
        return "refusing a partner needs a reason (--reason)."
    return None


def _review(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    partner = _partner(case, action, "applied")
    if fields.flag(action.data, "approve"):
        partner.status = "approved"
    else:
        del case.listed.partners[partner.code]
    return {"partner": partner.code, "approve": action.data["approve"]}


def _check_publicise(case: Case, pack: PolicyPack, action: Action) -> str | None:
    return _may_publicise(case, pack)


def _may_publicise(case: Case, pack: PolicyPack) -> str | None:
    if not any(p.status == "approved" for p in case.listed.partners.values()):
        return "no approved partner waits for a public notice."
    if any(p.status == "in_notice" for p in case.listed.partners.values()):
        return "a batch of partners is in its public notice; publicise the next after it."
    return None


def _publicise(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    batch = [p for p in case.listed.partners.values() if p.status == "approved"]
    for partner in batch:
        partner.status = "in_notice"
    return {"partners": [p.code for p in batch]}


def _object(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    partner = _partner(case, action, "in_notice")
    partner.status = "objected"
    return {"partner": partner.code}


def _check_publish(case: Case, pack: PolicyPack, action: Action) -> str | None:
    if not any(p.status == "in_notice" for p in case.listed.partners.values()):
        return "no partner is in a public notice."
    return None


def _publish(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    published = [p for p in case.listed.partners.values() if p.status == "in_notice"]
    for partner in published:
        partner.status = "published"
    held = [p.code for p in case.listed.partners.values() if p.status == "objected"]
    return {"published": [p.code for p in published], "held": held}


def _decide(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    partner = _partner(case, action, "objected")
    publish = fields.flag(action.data, "publish")
    if publish:
        partner.status = "published"
    else:
        del case.listed.partners[partner.code]
    return {"partner": partner.code, "publish": publish}


def opening(codes: list[str]) -> dict[str, Partner]:
    """The partners an application named: the unit was selected with them (its list)."""
    return {c: Partner(code=c, name=c, status="published") for c in codes}


def _partners(*statuses: str) -> Available:
    def available(case: Case, pack: PolicyPack) -> str | None:
        if any(p.status in statuses for p in case.listed.partners.values()):
            return None
        return f"no partner is {' or '.join(statuses)}."

    return available


register(
    Handler("apply_partner", PHASE, check=reading(_check_apply), effect=_apply, budget=_budget)
)
register(
    Handler(
        "review_partner",
        PHASE,
        check=reading(_check_review),
        effect=_review,
        available=_partners("applied"),
    )
)
register(
    Handler(
        "publicise_partners",
        PHASE,
        check=reading(_check_publicise),
        effect=_publicise,
        available=_may_publicise,
    )
)
register(
    Handler(
        "object_partner",
        PHASE,
        check=reading(lambda c, p, a: _partner(c, a, "in_notice") and None),
        effect=_object,
        needs_reason=True,
        available=_partners("in_notice"),
    )
)
register(
    Handler(
        "publish_partners",
        PHASE,
        check=reading(_check_publish),
        effect=_publish,
        available=_partners("in_notice"),
    )
)
register(
    Handler(
        "decide_partner",
        PHASE,
        check=reading(lambda c, p, a: _partner(c, a, "objected") and None),
        effect=_decide,
        needs_reason=True,
        available=_partners("objected"),
    )
)
