"""The engine: whether an action may happen, what it needs first, and what it does.

Pure functions over :class:`Case`. Which action means what comes from the registry (filled by
the phase modules) and the pack; this module names no action and no deadline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle.calendar import SHANGHAI
from lifecycle.domain import deadlines, phases, registry
from lifecycle.domain.actors import SYSTEM
from lifecycle.domain.application import Finding
from lifecycle.domain.case import Action, AuditEntry, Case, CaseDeadline, LastChange
from lifecycle.domain.machine import CaseMachine
from lifecycle.domain.plan import Obtained, Plan
from lifecycle.domain.states import CaseState, Role
from lifecycle.policies.schema import PolicyPack, Round, Transition

assert phases.PHASES  # every phase's handlers are registered before the engine runs

ADVERSE = frozenset({CaseState.REJECTED, CaseState.WITHDRAWN, CaseState.EXITED})
ENGINE_RULE = "engine rule"


def today(at: dt.datetime) -> dt.date:
    return at.astimezone(SHANGHAI).date()


def refusal(case: Case, pack: PolicyPack, action: Action) -> str | None:
    """Why the action may not happen now, in one sentence; None when it may."""
    actor = action.actor
    if actor.role == Role.PROVIDER and actor.id != case.credit_code:
        return f"provider '{actor.id}' may act only on its own case (engine rule)."
    slot = action.slot
    if slot is not None and not slot.granted:  # the cap's own clause, not the action's
        return (
            f"'{action.trigger}' refused: {slot.what} already holds {slot.held} of at most "
            f"{slot.capacity} ({slot.clause})."
        )
    machine = CaseMachine(pack, case.state)
    reason = machine.refusal(action.trigger, actor.role, case, action)
    if reason:
        return reason
    rule = rule_of(case, pack, action)
    handler = registry.handler(action.trigger)
    needs_reason = rule.dest in ADVERSE or (handler is not None and handler.needs_reason)
    if actor.role != Role.SYSTEM and not action.reason.strip() and needs_reason:
        return (
            f"'{action.trigger}' needs a reason (--reason): adverse decisions and objections "
            "record why (engine rule)."
        )
    if action.clause is not None and action.clause not in pack.clauses:
        return f"clause '{action.clause}' is not a clause of {pack.id}."
    return handler.check(case, pack, action) if handler and handler.check else None


def rule_of(case: Case, pack: PolicyPack, action: Action) -> Transition:
    rule = CaseMachine(pack, case.state).rule(action.trigger)
    assert rule is not None, f"'{action.trigger}' was not checked before use"
    return rule


def plan(case: Case, pack: PolicyPack, action: Action, at: dt.datetime, rnd: Round) -> Plan:
    """What the action needs from outside before it may change the case."""
    rule = rule_of(case, pack, action)
    dest = rule.dest or case.state
    # The deadlines that keep running into ``dest``; the others end with the state.
    kept = {n: d for n, d in case.deadlines.items() if dest in d.states}
    entering = case.model_copy(update={"deadlines": kept})
    starts = deadlines.starting(pack, entering, dest, today(at), rnd, action.data, action.trigger)
    met = _meets(case, pack, action, today(at))
    starts += [s for d in met if (s := deadlines.renewal(pack, d))]
    requests = [r for s in starts if (r := s.request())]
    reservation = None
    if not case.holds_slot:
        for condition in rule.conditions:
            reserver = registry.reserver(condition)
            reservation = reservation or (reserver and reserver(case, pack, rule))
    handler = registry.handler(action.trigger)
    own = handler.needs(case, pack, action) if handler and handler.needs else Plan()
    return Plan(deadlines=requests, reservation=reservation).plus(own)


def _meets(case: Case, pack: PolicyPack, action: Action, day: dt.date) -> list[CaseDeadline]:
    """The open deadlines of this state that this action meets (a report submitted for a
    period that has begun)."""
    return [
        d
        for d in case.running()
        if d.open
        and (rule := pack.deadline(d.name)) is not None
        and rule.met_by == action.trigger
        and action.data.get("deadline", d.name) == d.name
        and action.data.get("period", d.period) == d.period  # a late one names its own period
        and deadlines.begun(pack, d, day)
    ]


def apply(
    case: Case,
    pack: PolicyPack,
    action: Action,
    obtained: Obtained,
    at: dt.datetime,
    rnd: Round,
) -> AuditEntry:
    """Applies an allowed action: its effect, the transition, its deadlines, one audit entry."""
    reason = refusal(case, pack, action)
    if reason:
        raise ValueError(reason)
    machine = CaseMachine(pack, case.state)
    rule = rule_of(case, pack, action)
    before = case.state
    after = machine.fire(action.trigger, case, action)  # guards see the case as it was
    handler = registry.handler(action.trigger)
    data = handler.effect(case, pack, action) if handler and handler.effect else dict(action.data)
    if "findings_answered" in rule.conditions:
        for finding in case.findings:
            if finding.open:
                finding.answer, finding.answered_by = action.reason, str(action.actor)
    met = _meets(case, pack, action, today(at))
    for held in met:
        held.met = True
    case.state = after
    if action.slot is not None and action.slot.granted:
        case.holds_slot = True
    started = _move_deadlines(case, pack, action, obtained, at, rnd, before, met)
    if started:  # the dates it set, as published (the notice's closing day) and audited
        data = {**data, "deadlines": started}
    return record(case, action, before, action.clause or rule.clause, data, at)


def _move_deadlines(
    case: Case,
    pack: PolicyPack,
    action: Action,
    obtained: Obtained,
    at: dt.datetime,
    rnd: Round,
    before: CaseState,
    met: list[CaseDeadline],
) -> dict[str, str]:
    """Ends the deadlines of the state left, starts those of the state entered (and those the
    action starts or renews); returns the last day of each it started."""
    if case.state != before:
        case.entered_on = today(at)
        deadlines.keep_running(case)
    starts = deadlines.starting(pack, case, case.state, today(at), rnd, action.data, action.trigger)
    starts += [s for d in met if (s := deadlines.renewal(pack, d))]
    started = {}
    for start in starts:
        held = start.instance(obtained.counted.get(start.rule.name))
        case.deadlines[start.rule.name] = held
        started[held.name] = held.date.isoformat()
    return started


def record(
    case: Case,
    action: Action,
    before: CaseState,
    clause: str | None,
    data: dict[str, Any],
    at: dt.datetime,
) -> AuditEntry:
    case.seq += 1
    case.last_change = LastChange(
        seq=case.seq, action=action.trigger, actor=str(action.actor), at=at
    )
    if action.event_id and not action.event_id.startswith("request:"):
        day = today(at)
        case.events_today = case.events_today + 1 if case.events_day == day else 1
        case.events_day = day
    return AuditEntry(
        seq=case.seq,
        at=at,
        actor_role=action.actor.role.value,
        actor_id=action.actor.id,
        action=action.trigger,
        from_state=before,
        to_state=case.state,
        reason=action.reason,
        clause=clause,
        data=data,
        event_id=action.event_id,
        assurance=action.assurance,
    )


def follow_ups(case: Case, at: dt.datetime) -> list[Action]:
    """System actions due because a deadline that takes them has passed in this state."""
    return [
        Action(trigger=d.fires, actor=SYSTEM, reason=f"{d.label or d.name} passed", at=at)
        for d in case.running()
        if d.expired and d.fires
    ]


FINDING = "record_finding"


def pass_deadline(
    case: Case, pack: PolicyPack, held: CaseDeadline, at: dt.datetime
) -> list[AuditEntry]:
    """Marks ``held`` passed; a deadline whose passing is a finding records it (once per open
    finding: a repeat counts up rather than growing the case)."""
    held.expired = True
    rule = pack.deadline(held.name)
    spec = rule.on_pass.finding if rule is not None else None
    if spec is None:
        return []
    found = next((f for f in case.findings if f.id == spec.id and f.open), None)
    if found is not None:
        found.times += 1
        found.last_period = held.period
    else:
        case.findings.append(
            Finding(id=spec.id, clause=held.clause or "", text=spec.text, last_period=held.period)
        )
    when = f" for {held.period}" if held.period else ""
    missed = Action(
        trigger=FINDING,
        actor=SYSTEM,
        reason=f"{held.label or held.name}{when} passed on {held.date} 24:00: {spec.text}",
    )
    data = {"deadline": held.name, "period": held.period, "finding": spec.id}
    return [record(case, missed, case.state, held.clause, data, at)]
