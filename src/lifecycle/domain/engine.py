"""The engine's own actions on a case, beside the pack's: moving a running case to a newer
version of its rules (a bureau officer's audited decision), and counting a deadline again when
the calendar it relied on changed."""

from __future__ import annotations

import datetime as dt

from lifecycle.domain import deadlines
from lifecycle.domain.actors import SYSTEM
from lifecycle.domain.case import Action, AuditEntry, Case, CaseDeadline
from lifecycle.domain.decide import ENGINE_RULE, record, today
from lifecycle.domain.plan import Counted, Obtained, Plan
from lifecycle.domain.states import Role
from lifecycle.policies.schema import PolicyPack, Round
from lifecycle.policies.versions import PackRef

MOVE = "move_rules"
RECOUNT = "recount_deadline"


def move_refusal(
    case: Case, action: Action, current: PackRef, target: PackRef, new: PolicyPack
) -> str | None:
    """Why the case may not move to ``target``'s rules, in one sentence; None when it may."""
    if action.actor.role != Role.BUREAU_OFFICER:
        return f"{action.actor.role.a} may not move a case to other rules; only bureau_officer may (engine rule)."
    if not action.reason.strip():
        return "moving a case to other rules needs a reason (--reason) (engine rule)."
    if target.id != current.id:
        return f"rules {target} are not {current.id}'s; a case keeps its programme (engine rule)."
    if target == current:
        return f"the case already runs under {current} (engine rule)."
    if case.state not in new.states:
        return (
            f"rules {target} have no state '{case.state}', where the case is; it cannot move "
            "there (engine rule)."
        )
    declared = {d.name for d in new.deadlines_in(case.state)}
    missing = [d.name for d in case.running() if d.open and d.name not in declared]
    if missing:
        return (
            f"rules {target} do not declare the open deadline(s) {', '.join(missing)} in state "
            f"'{case.state}'; the case cannot move there (engine rule)."
        )
    return None


def move_plan(case: Case, new: PolicyPack, at: dt.datetime, rnd: Round) -> Plan:
    starts = deadlines.starting(new, case, case.state, today(at), rnd)
    return Plan(deadlines=[r for s in starts if (r := s.request())])


def move(
    case: Case,
    new: PolicyPack,
    action: Action,
    obtained: Obtained,
    at: dt.datetime,
    rnd: Round,
    current: PackRef,
    target: PackRef,
) -> AuditEntry:
    """The case keeps its state and its running deadlines' dates; what they do when they pass
    becomes the new rules', and deadlines the new rules add for this state start now."""
    for held in case.running():
        rule = new.deadline(held.name)
        if rule is not None:
            deadlines.adopt(held, rule)
    for start in deadlines.starting(new, case, case.state, today(at), rnd):
        case.deadlines[start.rule.name] = start.instance(obtained.counted.get(start.rule.name))
    case.policy = new.id
    data = {"from": current.version, "to": target.version}
    return record(case, action, case.state, ENGINE_RULE, data, at)


def recounted(
    case: Case, held: CaseDeadline, counted: Counted, at: dt.datetime, notice: str
) -> AuditEntry | None:
    """Applies a new count of ``held``; a deadline that moved is recorded with the notice that
    moved it (a change of the provisional flag alone updates the case quietly)."""
    before = held.date
    held.provisional = counted.provisional
    if counted.date == before:
        return None
    held.date, held.closes_at = counted.date, counted.closes_at
    action = Action(
        trigger=RECOUNT,
        actor=SYSTEM,
        reason=f"{held.label or held.name} moved from {before} to {counted.date}: {notice}",
    )
    data = {"deadline": held.name, "from": before.isoformat(), "to": counted.date.isoformat()}
    return record(case, action, case.state, held.clause, data, at)
