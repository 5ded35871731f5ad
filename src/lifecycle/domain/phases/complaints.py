"""Complaints enterprises send (wenzhou-2021 第十六条(四)): an officer verifies or dismisses
each; verified complaints from enough distinct enterprises, or enough from one, open a decision
for an officer. The engine never decides it: the provider leaves only by an officer's exit."""

from __future__ import annotations

from typing import Any

from lifecycle.domain.case import Action, Case
from lifecycle.domain.listed import Complaint, Decision
from lifecycle.domain.phases import fields
from lifecycle.domain.phases.fields import reading
from lifecycle.domain.phases.services import day
from lifecycle.domain.registry import Handler, register
from lifecycle.domain.states import Role
from lifecycle.policies.schema import PolicyPack

PHASE = "listed"
OPEN_COMPLAINTS = 50
DECISION = "complaints"
TEXT_READERS = (Role.BUREAU_OFFICER, Role.DISTRICT_OFFICER)


def text_refusal(role: Role) -> str | None:
    """Who may read a complaint's text (the enterprise's business): officers only."""
    if role in TEXT_READERS:
        return None
    return (
        f"complaint texts are shown to bureau and district officers only, not to a "
        f"{role.value} (an enterprise's complaint is its own business, engine rule)."
    )


def _check_complain(case: Case, pack: PolicyPack, action: Action) -> str | None:
    if pack.listed.complaints is None:
        return f"{pack.id} takes no complaints."
    if action.actor.role != Role.ENTERPRISE:
        return "a complaint comes from an enterprise (enterprise:CREDIT_CODE)."
    fields.code({"enterprise": action.actor.id}, "enterprise")
    return None


def _budget(case: Case, pack: PolicyPack, action: Action) -> str | None:
    if len(case.listed.complaints) >= OPEN_COMPLAINTS:
        return f"{OPEN_COMPLAINTS} complaints wait to be verified; decide some first (engine rule)."
    return None


def _complain(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    complaint = Complaint(
        id=case.listed.next_id(),
        enterprise=action.actor.id,
        text=action.reason,
        event_id=action.event_id,
    )
    case.listed.complaints.append(complaint)
    return {"complaint": complaint.id, "enterprise": complaint.enterprise}


def _open(case: Case, action: Action) -> Complaint:
    return fields.open_item(case.listed.complaints, action.data, "complaint", "complaint")


def _verify(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    rules = pack.listed.complaints
    assert rules is not None
    complaint = _open(case, action)
    case.listed.complaints.remove(complaint)
    verified = case.listed.verified
    if complaint.enterprise in verified or len(verified) < OPEN_COMPLAINTS:
        # Bounded: past this many enterprises the threshold has long been reached.
        verified[complaint.enterprise] = verified.get(complaint.enterprise, 0) + 1
    data: dict[str, Any] = {"complaint": complaint.id, "enterprise": complaint.enterprise}
    distinct, most = len(verified), max(verified.values())
    reached = distinct >= rules.distinct_enterprises or most >= rules.from_one_enterprise
    if reached and not any(d.kind == DECISION for d in case.listed.decisions):
        decision = Decision(
            id=case.listed.next_id(),
            kind=DECISION,
            text=(
                f"{sum(verified.values())} verified complaints from {distinct} enterprise(s) "
                f"(at most {most} from one): decide whether the provider loses purchase "
                "eligibility for the next three years"
            ),
            clause=rules.clause,
            opened=day(action),
        )
        case.listed.decisions.append(decision)
        data["decision"] = decision.id
    return data


def _dismiss(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    complaint = _open(case, action)
    case.listed.complaints.remove(complaint)
    return {"complaint": complaint.id, "enterprise": complaint.enterprise}


def _decision(case: Case, action: Action) -> Decision:
    return fields.open_item(case.listed.decisions, action.data, "decision", "decision")


def _close(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    decision = _decision(case, action)
    case.listed.decisions.remove(decision)
    data: dict[str, Any] = {"decision": decision.id, "kind": decision.kind}
    if decision.kind == DECISION:  # decided: the count starts again (the trail keeps this one)
        data["verified"] = dict(case.listed.verified)
        case.listed.verified = {}
    return data


def _complaint_open(case: Case, pack: PolicyPack) -> str | None:
    return None if case.listed.complaints else "no complaint waits to be verified."


def _decision_open(case: Case, pack: PolicyPack) -> str | None:
    return None if case.listed.decisions else "no decision is open."


register(
    Handler(
        "complain",
        PHASE,
        check=reading(_check_complain),
        effect=_complain,
        needs_reason=True,
        budget=_budget,
    )
)
register(
    Handler(
        "verify_complaint",
        PHASE,
        check=reading(lambda c, p, a: _open(c, a) and None),
        effect=_verify,
        available=_complaint_open,
    )
)
register(
    Handler(
        "dismiss_complaint",
        PHASE,
        check=reading(lambda c, p, a: _open(c, a) and None),
        effect=_dismiss,
        needs_reason=True,
        available=_complaint_open,
    )
)
register(
    Handler(
        "close_decision",
        PHASE,
        check=reading(lambda c, p, a: _decision(c, a) and None),
        effect=_close,
        needs_reason=True,
        available=_decision_open,
    )
)
