"""Rectification orders (guangzhou-2024 §4.4 first list, §4.3): an officer criticises a listed
provider on one of the programme's grounds (or turns a finding of the listed phase into an
order) and sets a deadline in working days; the provider submits its rectification and the
officer accepts it (back to listed) or not. A deadline that passes unfixed opens a decision for
an officer: continue with a new deadline, or disqualify (an exit). The engine never decides it."""

from __future__ import annotations

from typing import Any

from lifecycle.domain import limits
from lifecycle.domain.case import Action, Case
from lifecycle.domain.listed import Decision, RectificationOrder
from lifecycle.domain.phases import fields
from lifecycle.domain.phases.fields import reading
from lifecycle.domain.phases.services import day
from lifecycle.domain.registry import Handler, register
from lifecycle.policies.deadline_rules import DeadlineRule
from lifecycle.policies.schema import Grounds, PolicyPack

PHASE = "rectification"
LAPSED = "rectification_lapsed"  # the system action the order's deadline takes; also the
# kind of the decision it opens
SUBMIT = "submit_rectification"


def deadline_rule(pack: PolicyPack) -> DeadlineRule | None:
    """The declared deadline an order runs to (the one whose passing is a lapse)."""
    return next((d for d in pack.deadlines if d.on_pass.action == LAPSED), None)


def _order(case: Case) -> RectificationOrder:
    if case.listed.order is None:
        raise fields.FieldError("the case is under no rectification order.")
    return case.listed.order


def _lapse(case: Case) -> Decision | None:
    return next((d for d in case.listed.decisions if d.kind == LAPSED), None)


def _days(pack: PolicyPack, action: Action) -> int | None:
    """The working days an officer gives instead of the programme's default."""
    rule = deadline_rule(pack)
    if "working_days" not in action.data:
        return None
    if rule is None or rule.working_days_from is None:
        raise fields.FieldError(f"{pack.id} sets no rectification deadline to change.")
    return fields.integer(action.data, "working_days", 1, 366)


def _grounds(case: Case, pack: PolicyPack, action: Action) -> tuple[Grounds | None, str | None]:
    """The order's grounds, named by code (``grounds``) or by an open finding (``finding``);
    (None, None) for a programme that lists no grounds."""
    rules, data = pack.rectification, action.data
    if "finding" in data:
        wanted = fields.text(data, "finding", limits.SHORT)
        found = next((f for f in case.findings if f.id == wanted and f.open), None)
        if found is None:
            open_ids = [f.id for f in case.findings if f.open] or "none"
            raise fields.FieldError(
                f"data finding '{wanted}' is not an open finding of the case (open: {open_ids})."
            )
        ground = rules.for_finding(wanted)
        if ground is None:
            raise fields.FieldError(
                f"finding '{wanted}' is not a ground for rectification in {pack.id}."
            )
        return ground, wanted
    if not rules.grounds:
        return None, None
    code = fields.choice(data, "grounds", [g.code for g in rules.grounds])
    return rules.ground(code), None


def _check_order(case: Case, pack: PolicyPack, action: Action) -> str | None:
    _grounds(case, pack, action)
    _days(pack, action)
    return None


def _order_effect(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    ground, finding = _grounds(case, pack, action)
    clause = ground.clause if ground else pack.rectification.clause or ""
    order = RectificationOrder(
        id=case.listed.next_id(),
        grounds=ground.code if ground else None,
        clause=clause,
        text=ground.text if ground else action.reason,
        ordered=day(action),
        due=_due(pack, action),
    )
    case.listed.order = order
    data: dict[str, Any] = {
        "order": order.id,
        "grounds": order.grounds,
        "clause": clause,
        "text": order.text,
        "due": order.due.isoformat() if order.due else None,
    }
    if finding is not None:
        for f in case.findings:
            if f.id == finding and f.open:
                f.answer, f.answered_by = f"rectification ordered ({clause})", str(action.actor)
        data["finding"] = finding
    return data


def _due(pack: PolicyPack, action: Action) -> Any:
    rule = deadline_rule(pack)
    counted = action.counted.get(rule.name) if rule else None
    return counted.date if counted else None


def _check_submit(case: Case, pack: PolicyPack, action: Action) -> str | None:
    order = _order(case)
    if order.submitted is not None:
        return (
            f"the rectification submitted on {order.submitted} waits for the bureau's "
            "decision; submit again once it is decided."
        )
    return None


def _submit(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    order = _order(case)
    order.submitted = day(action)
    late = order.due is not None and order.submitted > order.due
    return {"order": order.id, "late": late}


def _check_decide(case: Case, pack: PolicyPack, action: Action) -> str | None:
    if not pack.transition(SUBMIT):  # a programme whose provider submits nothing in the engine
        return None
    if _order(case).submitted is None:
        return "the provider has not submitted its rectification ('submit_rectification')."
    return None


def _accept(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    order = case.listed.order
    case.listed.order = None
    case.listed.decisions = [d for d in case.listed.decisions if d.kind != LAPSED]
    if order is None:
        return dict(action.data)
    return {"order": order.id, "grounds": order.grounds, "submitted": _iso(order.submitted)}


def _reject(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    order = _order(case)
    submitted, order.submitted = order.submitted, None
    return {"order": order.id, "submitted": _iso(submitted)}


def _check_lapse(case: Case, pack: PolicyPack, action: Action) -> str | None:
    order = _order(case)
    if order.submitted is not None:
        return "a submitted rectification waits for the bureau's decision."
    if _lapse(case) is not None:
        return "the lapse of this order waits for an officer's decision already."
    return None


def _lapse_effect(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    order = _order(case)
    decision = Decision(
        id=case.listed.next_id(),
        kind=LAPSED,
        text=(
            f"rectification order {order.id} ({order.text}) was due {order.due} and is not "
            "fixed: continue with a new deadline ('continue_rectification') or disqualify "
            "('exit' rectification_failed)"
        ),
        clause=_lapse_clause(pack),
        opened=day(action),
    )
    case.listed.decisions.append(decision)
    return {"order": order.id, "decision": decision.id, "due": _iso(order.due)}


def _lapse_clause(pack: PolicyPack) -> str:
    rule = pack.transition(LAPSED)
    return rule[0].clause if rule else pack.rectification.clause or ""


def _check_continue(case: Case, pack: PolicyPack, action: Action) -> str | None:
    _order(case)
    if _lapse(case) is None:
        return (
            "an order is continued once its deadline has passed unfixed "
            f"({pack.id} {_lapse_clause(pack)}); none has."
        )
    _days(pack, action)
    return None


def _continue(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    order = _order(case)
    lapse = _lapse(case)
    case.listed.decisions = [d for d in case.listed.decisions if d.kind != LAPSED]
    before = order.due
    order.due, order.submitted = _due(pack, action), None
    order.continued += 1
    return {
        "order": order.id,
        "decision": lapse.id if lapse else None,
        "from": _iso(before),
        "due": _iso(order.due),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _may_submit(case: Case, pack: PolicyPack) -> str | None:
    order = case.listed.order
    if order is None:
        return "the case is under no rectification order."
    return "the submitted rectification waits for the bureau." if order.submitted else None


def _may_decide(case: Case, pack: PolicyPack) -> str | None:
    order = case.listed.order
    if order is None:
        return "the case is under no rectification order."
    if pack.transition(SUBMIT) and order.submitted is None:
        return "the provider has not submitted its rectification."
    return None


def _may_continue(case: Case, pack: PolicyPack) -> str | None:
    return None if _lapse(case) is not None else "no order has lapsed."


register(
    Handler(
        "order_rectification",
        PHASE,
        check=reading(_check_order),
        effect=_order_effect,
        needs_reason=True,
    )
)
register(
    Handler(
        SUBMIT,
        PHASE,
        check=reading(_check_submit),
        effect=_submit,
        needs_reason=True,
        available=_may_submit,
    )
)
register(
    Handler(
        "accept_rectification",
        PHASE,
        check=reading(_check_decide),
        effect=_accept,
        available=_may_decide,
    )
)
register(
    Handler(
        "reject_rectification",
        PHASE,
        check=reading(_check_decide),
        effect=_reject,
        needs_reason=True,
        available=_may_decide,
    )
)
register(Handler(LAPSED, PHASE, check=reading(_check_lapse), effect=_lapse_effect))
register(
    Handler(
        "continue_rectification",
        PHASE,
        check=reading(_check_continue),
        effect=_continue,
        needs_reason=True,
        available=_may_continue,
    )
)
