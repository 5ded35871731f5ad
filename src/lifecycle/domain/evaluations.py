"""An evaluation round (DOMAIN.md §7), pure: which periods a programme evaluates, how a round's
scores are ranked, how a budget pays the grades' rewards, and which actions each result brings
the provider's case. The round workflow asks this module; it restates none of it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from lifecycle.domain import scoring
from lifecycle.domain.deadlines import period_of
from lifecycle.domain.scoring import ItemScore, Score
from lifecycle.domain.states import Role
from lifecycle.policies.evaluation_rules import Rubric
from lifecycle.policies.schema import PolicyPack

Every = Literal["quarter", "year"]
PERIOD = {"year": re.compile(r"^(\d{4})$"), "quarter": re.compile(r"^(\d{4})-Q([1-4])$")}
ROSTER_LIMIT = 1000  # providers one round evaluates at most (engine rule)
MISSED = "missed"


def round_id(policy: str, period: str) -> str:
    return f"evaluation:{policy}:{period}"


def cadence(pack: PolicyPack) -> Every:
    """How often the programme evaluates; one sentence for a programme that does not."""
    if pack.evaluation.every is None or pack.evaluation.rubric is None:
        raise ValueError(f"{pack.id} (this version of its rules) holds no periodic evaluation.")
    return pack.evaluation.every


def period_span(period: str, every: Every) -> tuple[dt.date, dt.date] | None:
    """First and last day of ``period`` ("2026" or "2026-Q1"), None when it is not one."""
    found = PERIOD[every].match(period)
    if found is None:
        return None
    year = int(found.group(1))
    if every == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first = dt.date(year, 3 * int(found.group(2)) - 2, 1)
    return first, period_of(first, "quarter")[1]


def period_problem(pack: PolicyPack, period: str, today: dt.date) -> str | None:
    """Why ``period`` cannot be evaluated now, in one sentence naming the option."""
    every = cadence(pack)
    span = period_span(period, every)
    shape = "YYYY (a year)" if every == "year" else "YYYY-Qn (a quarter, n from 1 to 4)"
    clause = ", ".join(pack.evaluation.clauses) or "engine rule"
    if span is None:
        return (
            f"--period is '{period[:20]}'; {pack.id} evaluates every {every}, written "
            f"{shape} ({pack.id} {clause})."
        )
    if span[0] > today:
        return (
            f"--period {period} has not begun (business today is {today}); a round evaluates "
            "a period that has begun (engine rule)."
        )
    return None


def ended_period(every: Every, today: dt.date) -> str:
    """The last period that ended before ``today`` (what a scheduled round evaluates)."""
    month = 1 if every == "year" else (today.month - 1) // 3 * 3 + 1
    return period_of(dt.date(today.year, month, 1) - dt.timedelta(days=1), every)[0]


def next_period_starts(every: Every, after: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` periods that begin after ``after``."""
    out: list[dt.date] = []
    day = after
    while len(out) < count:
        day = period_of(day, every)[1] + dt.timedelta(days=1)
        out.append(day)
    return out


# --- scores and ranks ----------------------------------------------------------------------


class Entrant(BaseModel):
    """A listed provider a round evaluates (from the read model when the round opened)."""

    case_id: str
    credit_code: str
    name: str
    district: str = ""


class Scored(BaseModel):
    """An evaluator's scores for one provider, as the round holds them until it closes."""

    input: dict[str, Any] = Field(default_factory=dict)
    score: Score | None = None
    missed: bool = False
    by: str
    reason: str = ""


class Result(BaseModel):
    """One provider's result in a closed round: rank, grade, reward and the actions taken."""

    case_id: str
    credit_code: str
    name: str
    district: str = ""
    missed: bool = False
    total: float | None = None
    grade: str | None = None
    grade_label: str | None = None
    clause: str | None = None
    eliminated: bool = False
    rank: int | None = None
    items: list[ItemScore] = Field(default_factory=list)
    reward_cap_cny: int | None = None
    reward_cny: int | None = None
    reward: str | None = None  # a reward the grade brings without an amount (its clause)
    excellent: bool = False
    white_list: bool = False
    by: str | None = None
    outcome: list[str] = Field(default_factory=list, description="what each action became")


def evaluators(pack: PolicyPack) -> list[Role]:
    return list(pack.evaluation.evaluators)


def score_input(pack: PolicyPack, data: Any) -> tuple[dict[str, Any], Score]:
    """An evaluator's input checked key by key and scored (ValueError: one sentence)."""
    rubric = scoring.rubric_of(pack)
    checked = scoring.read_input(rubric, pack.id, data)
    return checked, scoring.score(rubric, checked)


def _order_key(rubric: Rubric, scored: Scored, code: str) -> tuple[Any, ...]:
    """Higher totals first; equal totals by the rubric's items in order (engine rule), then
    by credit code, so a rank never depends on the order scores arrived in."""
    assert scored.score is not None
    points = {i.id: Decimal(repr(i.points)) for i in scored.score.items}
    return (
        -Decimal(repr(scored.score.total)),
        *(-points.get(item.id, Decimal(0)) for item in rubric.items),
        code,
    )


def rank(pack: PolicyPack, roster: list[Entrant], scores: dict[str, Scored]) -> list[Result]:
    """Every provider of the roster, ranked ones first in rank order, then those that missed
    the evaluation (no score, or marked as not taking part)."""
    rubric = scoring.rubric_of(pack)
    then = pack.evaluation.consequences
    grades = {g.grade: g for g in rubric.grades}
    scored = [e for e in roster if (s := scores.get(e.case_id)) and not s.missed and s.score]
    scored.sort(key=lambda e: _order_key(rubric, scores[e.case_id], e.credit_code))
    out = []
    for position, entrant in enumerate(scored, start=1):
        held = scores[entrant.case_id]
        assert held.score is not None
        grade = grades[held.score.grade]
        out.append(
            Result(
                **entrant.model_dump(),
                total=held.score.total,
                grade=grade.grade,
                grade_label=grade.label,
                clause=grade.clause,
                eliminated=grade.eliminated,
                rank=position,
                items=held.score.items,
                reward_cap_cny=grade.reward_cap_cny,
                reward=grade.reward,
                excellent=then.excellent_top is not None and position <= then.excellent_top,
                white_list=grade.grade in then.white_list,
                by=held.by,
            )
        )
    for entrant in roster:
        if entrant.case_id not in {r.case_id for r in out}:
            held_or_none = scores.get(entrant.case_id)
            out.append(
                Result(**entrant.model_dump(), missed=True, by=held_or_none and held_or_none.by)
            )
    return out


def allocate(pack: PolicyPack, results: list[Result], budget: int | None) -> dict[str, int]:
    """Rewards by grade, the highest grade first, within ``budget`` (wuhan-2021 第十一条: the
    same reward within a grade): a grade the budget cannot pay in full shares what is left
    equally (whole yuan), and the grades below it get nothing. Case id → reward."""
    rubric = scoring.rubric_of(pack)
    remaining = budget or 0
    out: dict[str, int] = {}
    for grade in rubric.grades:
        members = [r for r in results if r.grade == grade.grade and not r.missed]
        if not grade.reward_cap_cny or not members:
            continue
        each = min(grade.reward_cap_cny, remaining // len(members))
        for r in members:
            out[r.case_id] = each
        # A grade paid less than its cap spent what could be shared; the grades below get none.
        remaining = remaining - each * len(members) if each == grade.reward_cap_cny else 0
    return out


def pays_rewards(pack: PolicyPack) -> bool:
    rubric = pack.evaluation.rubric
    return rubric is not None and any(g.reward_cap_cny for g in rubric.grades)


CLOSED_BY = (Role.BUREAU_OFFICER,)  # who opens and closes a round (engine rule)


def budget_problem(pack: PolicyPack, rid: str, budget: int | None, closing: bool) -> str | None:
    """A budget where the grades carry no reward, or none where they do (at closing)."""
    if pays_rewards(pack):
        if closing and budget is None:
            clause = pack.evaluation.consequences.reward_clause or "engine rule"
            return (
                f"{rid} has no budget; its grades carry rewards, so close it with --budget CNY "
                f"({pack.id} {clause})."
            )
        return None
    if budget is not None:
        return (
            f"--budget is for programmes whose grades carry rewards; {pack.id}'s do not "
            "(engine rule)."
        )
    return None


# --- what a result brings the case ---------------------------------------------------------


class CaseStep(BaseModel):
    """An action the round takes on a provider's case, under the closing officer's name."""

    action: str
    data: dict[str, Any]
    reason: str


def steps(pack: PolicyPack, rid: str, period: str, result: Result) -> list[CaseStep]:
    """The actions a result brings: its record (which counts failures and may propose an exit,
    by the case's own rules), an exit for an eliminating grade, the excellent named."""
    then = pack.evaluation.consequences
    if result.missed:
        return [
            CaseStep(
                action="record_evaluation",
                data={"round": rid, "period": period, "missed": True},
                reason=f"{period} evaluation: the provider did not take part",
            )
        ]
    record: dict[str, Any] = {
        "round": rid,
        "period": period,
        "total": result.total,
        "grade": result.grade,
        "rank": result.rank,
    }
    if result.reward_cny is not None:
        record["reward_cny"] = result.reward_cny
    said = f"{period} evaluation: {result.total:g} points, {result.grade_label} ({result.clause})"
    if result.reward:
        said += f"; {result.reward}"  # the case records the mark from its own rules
    out = [CaseStep(action="record_evaluation", data=record, reason=said)]
    if result.eliminated and then.exit_reason:
        out.append(CaseStep(action="exit", data={"reason": then.exit_reason}, reason=said))
    if result.excellent:
        out.append(
            CaseStep(
                action="rate_excellent",
                data={"year": int(period[:4])},
                reason=f"{said}; rank {result.rank} of the top {then.excellent_top}",
            )
        )
    return out
