"""How a provider leaves: an exit names its reason's code and clause; a reason the programme
ties to facts (an evaluation graded to be eliminated, the count of fails, a missed evaluation,
an open decision: the complaints threshold, a lapsed rectification order) is taken only when the
case has them; a reason with a ban keeps the provider out of the programme (for good, or for
some years) through the ban registry admission reads; guangzhou-2024 §4.4 clearance is proposed
first and confirmed by the bureau's meeting (局务会). The announcement is generated from the
exit's audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle.domain import limits
from lifecycle.domain.case import Action, Case
from lifecycle.domain.listed import Decision
from lifecycle.domain.phases import fields
from lifecycle.domain.phases.fields import reading
from lifecycle.domain.phases.services import day
from lifecycle.domain.registry import Handler, register
from lifecycle.policies.evaluation_rules import Grade
from lifecycle.policies.schema import ExitReason, PolicyPack
from lifecycle.policies.vocabulary import DECISIONS

PHASE = "exit"
PROPOSAL = "exit_proposal"


def ban_ends(starts: dt.date, years: int) -> dt.date | None:
    """The last day of a ban of ``years`` from ``starts`` (0: never lifted); on the same day
    ``years`` later the provider may apply again."""
    if years == 0:
        return None
    try:
        again = starts.replace(year=starts.year + years)
    except ValueError:  # 29 February
        again = starts.replace(year=starts.year + years, day=28) + dt.timedelta(days=1)
    return again - dt.timedelta(days=1)


def _reason(pack: PolicyPack, action: Action) -> ExitReason:
    codes = [r.code for r in pack.exit.reasons]
    code = fields.choice(action.data, "reason", codes)
    found = pack.exit.reason(code)
    assert found is not None
    return found


def _proposal(case: Case) -> Decision | None:
    return next((d for d in case.listed.decisions if d.kind == PROPOSAL), None)


def grounds_missing(case: Case, pack: PolicyPack, reason: ExitReason) -> str | None:
    """Why the case lacks the facts the programme ties ``reason`` to, in one sentence with the
    clause; None when it has them, or when the reason is the officer's own (voluntary, other,
    the unfit: the officer's finding is the ground, written in --reason)."""
    then, held = pack.evaluation.consequences, case.listed.evaluations
    where = f"({pack.id} {reason.clause})"
    if reason.code == then.exit_reason:
        grade = _grade(pack, held.last_grade)
        if grade is None or not grade.eliminated:
            last = (
                f"its last evaluation was graded '{held.last_grade}'"
                if held.last_grade
                else ("it has no evaluation recorded")
            )
            return (
                f"an exit for '{reason.code}' needs an evaluation graded to be eliminated "
                f"{where}; {last}."
            )
    counted = then.failures_to_propose
    if reason.code == then.failures_reason and counted and held.failures < counted:
        return (
            f"an exit for '{reason.code}' needs {counted} failed evaluations in total {where}; "
            f"the case has {held.failures}."
        )
    if reason.code == then.missed_reason and held.missed < 1:
        return (
            f"an exit for '{reason.code}' needs an evaluation the provider did not take part in "
            f"{where}; it has missed none."
        )
    return None


def _grade(pack: PolicyPack, grade: str | None) -> Grade | None:
    rubric = pack.evaluation.rubric
    if grade is None or rubric is None:
        return None
    return next((g for g in rubric.grades if g.grade == grade), None)


def _check_propose(case: Case, pack: PolicyPack, action: Action) -> str | None:
    reason = _reason(pack, action)
    missing = grounds_missing(case, pack, reason)
    if missing:
        return missing
    if not reason.proposed:
        return f"an exit for '{reason.code}' is not proposed first in {pack.id}; use 'exit'."
    held = _proposal(case)
    if held is not None:
        return (
            f"clearance was proposed on {held.opened} ({held.reason}); the bureau's meeting "
            "confirms it with 'exit' or an officer closes it with 'close_decision'."
        )
    return None


def open_proposal(case: Case, pack: PolicyPack, reason: ExitReason, on: dt.date) -> Decision:
    """Proposes the exit ``reason`` for the bureau's meeting (an open decision), unless one is
    proposed already (that one is returned)."""
    held = _proposal(case)
    if held is not None:
        return held
    decision = Decision(
        id=case.listed.next_id(),
        kind=PROPOSAL,
        text=f"clearance proposed: {reason.text} ({reason.code}); for the bureau's meeting",
        clause=pack.exit.proposal_clause or reason.clause,
        opened=on,
        reason=reason.code,
    )
    case.listed.decisions.append(decision)
    return decision


def _propose(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    reason = _reason(pack, action)
    decision = open_proposal(case, pack, reason, day(action))
    return {"decision": decision.id, "reason": reason.code, "clause": reason.clause}


def _check_exit(case: Case, pack: PolicyPack, action: Action) -> str | None:
    if not pack.exit.by_reason:
        return None
    reason = _reason(pack, action)
    missing = grounds_missing(case, pack, reason)
    if missing:
        return missing
    waits = reason.after_decision
    if waits is not None and not any(d.kind == waits for d in case.listed.decisions):
        label = next((t.label for t in pack.transition(waits) if t.label), DECISIONS[waits])
        return (
            f"an exit for '{reason.code}' comes only after '{label}' ({waits}) "
            f"({pack.id} {reason.clause}); the case waits on no such decision."
        )
    if reason.proposed:
        held = _proposal(case)
        if held is None:
            return (
                f"clearance is proposed first ('propose_exit'), then confirmed by the bureau's "
                f"meeting ({pack.id} {pack.exit.proposal_clause})."
            )
        if held.reason != reason.code:
            return (
                f"data reason is '{reason.code}' but clearance was proposed for "
                f"'{held.reason}'; confirm that, or close the proposal and propose again."
            )
        fields.text(action.data, "meeting", limits.NAME)
    return None


def _exit(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    if not pack.exit.by_reason:
        return {}
    reason = _reason(pack, action)
    starts = day(action)
    data: dict[str, Any] = {
        "reason": reason.code,
        "clause": reason.clause,
        "text": reason.text,
        "ban": None,
    }
    if reason.ban_years is not None:
        ends = ban_ends(starts, reason.ban_years)
        data["ban"] = {
            "policy": pack.id,
            "starts": starts.isoformat(),
            "ends": ends.isoformat() if ends else None,
        }
    if reason.proposed:
        data["meeting"] = fields.text(action.data, "meeting", limits.NAME)
    case.listed.decisions.clear()  # what was open for an officer ends with the case
    case.listed.order = None
    return data


register(Handler("propose_exit", PHASE, check=reading(_check_propose), effect=_propose))
register(Handler("exit", PHASE, check=reading(_check_exit), effect=_exit, needs_reason=True))
