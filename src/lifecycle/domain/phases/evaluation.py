"""An evaluation's result as the case receives it from its round (DOMAIN.md §7): one audit row
with the period, points, grade, rank and reward. What depends on the case's own past is decided
here: guangzhou-2024 §4.4 counts failed evaluations, and the second one (or a missed one)
proposes clearance for the bureau's meeting. What depends on the round alone (an eliminating
grade, the top ten) the round applies as the programme's own actions (exit, rate_excellent)."""

from __future__ import annotations

from typing import Any

from lifecycle.domain import limits, scoring
from lifecycle.domain.case import Action, Case
from lifecycle.domain.phases import exits, fields
from lifecycle.domain.phases.fields import reading
from lifecycle.domain.phases.services import day
from lifecycle.domain.registry import Handler, register
from lifecycle.policies.schema import PolicyPack

PHASE = "evaluation"
RECORD = "record_evaluation"


def _read(pack: PolicyPack, action: Action) -> dict[str, Any]:
    try:
        rubric = scoring.rubric_of(pack)
    except ValueError as exc:
        raise fields.FieldError(str(exc)) from None
    data = action.data
    out: dict[str, Any] = {
        "round": fields.text(data, "round", limits.SHORT * 2),
        "period": fields.text(data, "period", 16),
        "missed": fields.flag(data, "missed", default=False),
    }
    if not out["missed"]:
        out["grade"] = fields.choice(data, "grade", [g.grade for g in rubric.grades])
        out["total"] = fields.number(data, "total", 0, rubric.max_total)
        out["rank"] = fields.integer(data, "rank", 1) if "rank" in data else None
    if "reward_cny" in data:
        out["reward_cny"] = fields.integer(data, "reward_cny", 0)
    return out


def _check(case: Case, pack: PolicyPack, action: Action) -> str | None:
    result = _read(pack, action)
    if case.listed.evaluations.last_period == result["period"]:
        return f"the evaluation of {result['period']} is recorded for this case already."
    return None


def _record(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    result = _read(pack, action)
    then, record = pack.evaluation.consequences, case.listed.evaluations
    record.last_period, record.last_grade = result["period"], result.get("grade")
    proposal = None
    if result["missed"]:
        record.missed += 1
        proposal = then.missed_reason
    elif result["grade"] in then.fail_grades:
        record.failures += 1
        if then.failures_to_propose and record.failures >= then.failures_to_propose:
            proposal = then.failures_reason
    result["failures"] = record.failures
    if result.get("grade") in then.white_list:
        result["white_list"] = True
    grade = next(
        (g for g in scoring.rubric_of(pack).grades if g.grade == result.get("grade")), None
    )
    if grade is not None and grade.reward:
        result["reward"] = grade.reward  # anhui-2019 运营 第十七条: 优良 给予奖补
    reason = pack.exit.reason(proposal) if proposal else None
    if reason is not None:
        decision = exits.open_proposal(case, pack, reason, day(action))
        result.update(proposed_exit=decision.reason, decision=decision.id)
    return result


register(Handler(RECORD, PHASE, check=reading(_check), effect=_record))
