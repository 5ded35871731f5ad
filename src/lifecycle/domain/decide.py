"""The engine: whether an action may happen, what it needs first, and what it does.

Pure functions over :class:`Case`. Which action means what comes from the registry (filled by
the phase modules) and the pack; this module names no action and no deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lifecycle.domain import deadlines, phases, registry
from lifecycle.domain.actors import SYSTEM
from lifecycle.domain.application import Finding
from lifecycle.domain.case import Action, AuditEntry, Case, CaseDeadline, LastChange
from lifecycle.domain.days import today
from lifecycle.domain.machine import CaseMachine
from lifecycle.domain.plan import Obtained, Plan
from lifecycle.domain.refusal import Refusal, cited
from lifecycle.domain.states import CaseState, Role
from lifecycle.policies.schema import PolicyPack, Round, Transition

assert phases.PHASES  # every phase's handlers are registered before the engine runs

ADVERSE = frozenset({CaseState.REJECTED, CaseState.WITHDRAWN, CaseState.EXITED})
ENGINE_RULE = "engine rule"


@dataclass(frozen=True)
class Verdict:
    """An action judged once against the case as it stands: the rule it fires, or why it may
    not happen (the sentence, with its clause)."""

    rule: Transition | None
    refusal: Refusal | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None and self.rule is not None


def judge(case: Case, pack: PolicyPack, action: Action) -> Verdict:
    """Whether the action may happen now, asked once: the engine's rules, the machine's (its
    state, roles and guards), the reason and clause it needs, and the phase's own check."""
    actor = action.actor
    if actor.role == Role.PROVIDER and actor.id != case.credit_code:
        return Verdict(
            None, Refusal(f"provider '{actor.id}' may act only on its own case (engine rule).")
        )
    slot = action.slot
    if slot is not None and not slot.granted:  # the cap's own clause, not the action's
        return Verdict(
            None,
            Refusal(
                f"'{action.trigger}' refused: {slot.what} already holds {slot.held} of at most "
                f"{slot.capacity} ({slot.clause}).",
                slot.clause,
            ),
        )
    rule, reason = CaseMachine(pack, case.state).judge(action.trigger, actor.role, case, action)
    if reason or rule is None:
        return Verdict(rule, reason)
    handler = registry.handler(action.trigger)
    if actor.role != Role.SYSTEM and not action.reason.strip() and needs_reason(rule):
        return Verdict(
            rule,
            Refusal(
                f"'{action.trigger}' needs a reason (--reason): adverse decisions and objections "
                "record why (engine rule)."
            ),
        )
    if action.clause is not None and action.clause not in pack.clauses:
        return Verdict(rule, Refusal(f"clause '{action.clause}' is not a clause of {pack.id}."))
    own = handler.check(case, pack, action) if handler and handler.check else None
    return Verdict(rule, cited(own, f"{pack.id} {rule.clause}"))


def needs_reason(rule: Transition) -> bool:
    """Whether a person taking this transition must say why (engine rule: adverse decisions,
    objections and what their phase marks so)."""
    handler = registry.handler(rule.trigger)
    return rule.dest in ADVERSE or (handler is not None and handler.needs_reason)


@dataclass(frozen=True)
class OpenAction:
    """An action the case could take now by its rules, and who may take it."""

    trigger: str
    roles: tuple[Role, ...]
    clause: str


def open_actions(case: Case, pack: PolicyPack) -> list[OpenAction]:
    """The actions people could take on the case now: allowed in its state, their conditions on
    the case itself holding, and something open for them to act on."""
    machine = CaseMachine(pack, case.state)
    found = []
    for trigger in machine.actions(case=case):
        rule = machine.rule(trigger)
        handler = registry.handler(trigger)
        if rule is None or (handler and handler.available and handler.available(case, pack)):
            continue
        roles = tuple(r for r in rule.roles if r != Role.SYSTEM)
        found.append(OpenAction(trigger, roles, f"{pack.id} {rule.clause}"))
    return found


def refusal(case: Case, pack: PolicyPack, action: Action) -> Refusal | None:
    """Why the action may not happen now, in one sentence; None when it may."""
    return judge(case, pack, action).refusal


def _allowed(case: Case, pack: PolicyPack, action: Action, verdict: Verdict | None) -> Transition:
    verdict = verdict or judge(case, pack, action)
    if verdict.refusal is not None:
        raise ValueError(verdict.refusal)
    assert verdict.rule is not None, f"'{action.trigger}' was not judged before use"
    return verdict.rule


def plan(
    case: Case,
    pack: PolicyPack,
    action: Action,
    at: dt.datetime,
    rnd: Round,
    verdict: Verdict | None = None,
) -> Plan:
    """What the allowed action needs from outside before it may change the case."""
    rule = _allowed(case, pack, action, verdict)
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
    verdict: Verdict | None = None,
) -> AuditEntry:
    """Applies an allowed action: its effect, the transition, its deadlines, one audit entry.
    ``verdict`` is the judgement already made on these facts (asked here when not given)."""
    rule = _allowed(case, pack, action, verdict)
    before = case.state
    # The machine moves on the judgement made: its guards are not asked a second time.
    after = CaseMachine(pack, case.state).fire(action.trigger, case, action, judged=True)
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


def follow_ups(case: Case, at: dt.datetime, when_due: bool = False) -> list[Action]:
    """System actions due because a deadline that takes them has passed in this state;
    ``when_due``: each dated when it fell due (see ``due_time``), not when it is applied."""
    return [
        Action(
            trigger=d.fires,
            actor=SYSTEM,
            reason=f"{d.label or d.name} passed",
            at=due_time(case, d.closes_at, at) if when_due else at,
        )
        for d in case.running()
        if d.expired and d.fires
    ]


def due_time(case: Case, due: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When a change a deadline drives happened in business time: when the deadline closed,
    whenever the worker got to it (after an outage, days later), but never before the case's
    last change (a follow-up that waited on an officer's decision happened with it)."""
    last = case.last_change.at if case.last_change is not None else due
    return min(now, max(due, last))


def applied_late(entry: AuditEntry, now: dt.datetime) -> AuditEntry:
    """``entry`` dated when due, with the time it was applied beside it (engine rule)."""
    if now - entry.at < APPLIED_LATE:
        return entry
    return entry.model_copy(update={"data": {**entry.data, "applied_at": now.isoformat()}})


APPLIED_LATE = dt.timedelta(minutes=1)  # a change applied later than this says when it was


FINDING = "record_finding"


def pass_deadline(
    case: Case, pack: PolicyPack, held: CaseDeadline, at: dt.datetime, when_due: bool = False
) -> list[AuditEntry]:
    """Marks ``held`` passed; a deadline whose passing is a finding records it (once per open
    finding: a repeat counts up rather than growing the case), dated when the deadline closed
    (``when_due``) with the time it was applied beside it."""
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
    if not when_due:
        return [record(case, missed, case.state, held.clause, data, at)]
    entry = record(case, missed, case.state, held.clause, data, due_time(case, held.closes_at, at))
    return [applied_late(entry, at)]
