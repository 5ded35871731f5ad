"""What an action does to a case: refusal with a reason, or the change and its audit entry.

Pure functions over :class:`Case`; the workflow calls them and turns results into activities.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from lifecycle.calendar import Deadline
from lifecycle.domain.case import (
    Action,
    Actor,
    AuditEntry,
    Case,
    CaseDeadline,
    ExpertReview,
    Objection,
)
from lifecycle.domain.machine import CaseMachine
from lifecycle.domain.states import CaseState, Role
from lifecycle.policies.schema import PolicyPack, Round, Transition

SYSTEM = Actor(role=Role.SYSTEM, id="lifecycle")


class SelectionQuery(BaseModel):
    """Ask the store how many cases of this type the round has already selected per sector."""

    policy: str
    round: str
    provider_type: str
    sectors: list[str]
    case_id: str
    maximum: int


class WindowRequest(BaseModel):
    """A working-day window the calendar activity must close (DOMAIN §3)."""

    name: str
    state: CaseState
    opens: dt.date
    working_days: int
    opening_day_counts: bool
    fires: str | None


def refusal(case: Case, pack: PolicyPack, action: Action) -> str | None:
    """Why the action may not happen now, in one sentence; None when it may."""
    if action.event_id and action.event_id in case.seen_events:
        return f"event '{action.event_id}' was already applied to this case."
    actor = action.actor
    if actor.role == Role.PROVIDER and actor.id != case.credit_code:
        return f"provider '{actor.id}' may act only on its own case (DOMAIN §9)."
    machine = CaseMachine(pack, case.state)
    reason = machine.refusal(action.trigger, actor.role, case, action)
    if reason:
        return reason
    if (
        actor.role != Role.SYSTEM
        and not action.reason.strip()
        and _needs_reason(rule_of(case, pack, action))
    ):
        return (
            f"'{action.trigger}' needs a reason (--reason): adverse decisions and objections "
            "record why (DOMAIN §4)."
        )
    if action.clause is not None and action.clause not in pack.clauses:
        return f"clause '{action.clause}' is not a clause of {pack.id}."
    check = _DATA_CHECKS.get(action.trigger)
    return check(case, action) if check else None


ADVERSE = frozenset({CaseState.REJECTED, CaseState.WITHDRAWN, CaseState.EXITED})
TEXT_ACTIONS = frozenset({"object", "dismiss_objection", "uphold_objection"})


def rule_of(case: Case, pack: PolicyPack, action: Action) -> Transition:
    rule = CaseMachine(pack, case.state).rule(action.trigger)
    assert rule is not None
    return rule


def _needs_reason(rule: Transition) -> bool:
    return rule.dest in ADVERSE or rule.trigger in TEXT_ACTIONS


def apply(case: Case, pack: PolicyPack, action: Action, at: dt.datetime) -> AuditEntry:
    """Applies an allowed action: its effect, the transition, one audit entry."""
    reason = refusal(case, pack, action)
    if reason:
        raise ValueError(reason)
    machine = CaseMachine(pack, case.state)
    rule = machine.rule(action.trigger)
    assert rule is not None
    before = case.state
    after = machine.fire(action.trigger, case, action)  # guards see the case as it was
    effect = _EFFECTS.get(action.trigger)
    data = effect(case, action) if effect else dict(action.data)
    if "findings_answered" in rule.conditions:
        for finding in case.findings:
            if finding.open:
                finding.answer, finding.answered_by = action.reason, str(action.actor)
    case.state = after
    if action.event_id:
        case.seen_events.append(action.event_id)
    entry = AuditEntry(
        seq=len(case.history) + 1,
        at=at,
        actor_role=action.actor.role.value,
        actor_id=action.actor.id,
        action=action.trigger,
        from_state=before,
        to_state=case.state,
        reason=action.reason,
        clause=action.clause or rule.clause,
        data=data,
    )
    case.history.append(entry)
    return entry


def follow_up(case: Case, pack: PolicyPack, at: dt.datetime) -> list[AuditEntry]:
    """System actions that are due: a passed deadline that fires one, when it may now happen."""
    entries = []
    for deadline in list(case.deadlines.values()):
        if deadline.state != case.state or not deadline.expired or not deadline.fires:
            continue
        action = Action(trigger=deadline.fires, actor=SYSTEM, reason=f"{deadline.name} passed")
        if refusal(case, pack, action) is None:
            entries.append(apply(case, pack, action, at))
    return entries


def expire(case: Case, name: str) -> None:
    case.deadlines[name].expired = True
    if name == "public_notice":
        case.window_closed = True


def round_deadlines(case: Case, pack: PolicyPack, rnd: Round) -> list[CaseDeadline]:
    """Calendar-date deadlines of the round that apply in the case's current state."""
    dates = {
        CaseState.SUBMITTED: (
            "applications_close",
            rnd.applications_close,
            pack.admission.on_round_close,
        ),
        CaseState.PRELIMINARY_REVIEW: ("preliminary_review_due", rnd.preliminary_review_due, None),
        CaseState.EXPERT_REVIEW: ("expert_review_due", rnd.expert_review_due, None),
    }
    name, date, fires = dates.get(case.state, (None, None, None))
    if name is None or date is None or name in case.deadlines:
        return []
    closes_at = Deadline(date=date, provisional=False).closes_at()
    return [
        CaseDeadline(
            name=name,
            state=case.state,
            date=date,
            closes_at=closes_at,
            provisional=False,
            fires=fires,
        )
    ]


def window_request(case: Case, pack: PolicyPack, today: dt.date) -> WindowRequest | None:
    notice = pack.admission.public_notice
    if case.state != CaseState.PUBLICITY or notice is None or "public_notice" in case.deadlines:
        return None
    return WindowRequest(
        name="public_notice",
        state=CaseState.PUBLICITY,
        opens=today,
        working_days=notice.working_days,
        opening_day_counts=notice.opening_day_counts,
        fires=notice.closes_with,
    )


def selection_query(case: Case, pack: PolicyPack, action: Action) -> SelectionQuery | None:
    rule = CaseMachine(pack, case.state).rule(action.trigger)
    if rule is None or "within_selection_limit" not in rule.conditions:
        return None
    kind = next((t for t in pack.admission.provider_types if t.id == case.provider_type), None)
    if kind is None or kind.per_sector is None:
        return None
    return SelectionQuery(
        policy=case.policy,
        round=case.round,
        provider_type=kind.id,
        sectors=case.sectors,
        case_id=case.case_id,
        maximum=kind.per_sector[1],
    )


# --- what particular actions carry and do -------------------------------------------------


def _check_score(case: Case, action: Action) -> str | None:
    try:
        ExpertReview(by=str(action.actor), **action.data)
    except (TypeError, ValueError):
        return (
            "'score' needs data with score (0–110), rank (1 or more) and recommended "
            f"(true/false); got {action.data}."
        )
    return None


def _score(case: Case, action: Action) -> dict[str, Any]:
    case.expert_review = ExpertReview(by=str(action.actor), **action.data)
    return case.expert_review.model_dump(exclude={"by"})


def _check_objection(case: Case, action: Action) -> str | None:
    wanted = action.data.get("objection")
    open_ids = [o.id for o in case.objections if o.status == "open"]
    if wanted is None and len(open_ids) > 1:
        return f"several objections are undecided ({open_ids}); name one with data objection."
    if wanted is not None and wanted not in open_ids:
        return f"objection {wanted} is not an undecided objection of this case (open: {open_ids})."
    return None


def _decide_objection(status: str) -> Callable[[Case, Action], dict[str, Any]]:
    def effect(case: Case, action: Action) -> dict[str, Any]:
        wanted = action.data.get("objection")
        objection = next(
            o for o in case.objections if o.status == "open" and wanted in (None, o.id)
        )
        objection.status, objection.decided_by = status, str(action.actor)  # type: ignore[assignment]
        objection.decision = action.reason
        return {"objection": objection.id}

    return effect


def _object(case: Case, action: Action) -> dict[str, Any]:
    objection = Objection(id=len(case.objections) + 1, by=str(action.actor), text=action.reason)
    case.objections.append(objection)
    return {"objection": objection.id}


_DATA_CHECKS: dict[str, Callable[[Case, Action], str | None]] = {
    "score": _check_score,
    "dismiss_objection": _check_objection,
    "uphold_objection": _check_objection,
}
_EFFECTS: dict[str, Callable[[Case, Action], dict[str, Any]]] = {
    "score": _score,
    "object": _object,
    "dismiss_objection": _decide_objection("dismissed"),
    "uphold_objection": _decide_objection("upheld"),
}
