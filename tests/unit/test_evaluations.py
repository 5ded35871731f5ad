"""An evaluation round's rules without Temporal: periods, ranking with ties, rewards by grade
within a budget (wuhan-2021 第十一条), the actions a result brings its case, and the Schedule's
spec on real and on rehearsal clocks."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifecycle.calendar import SHANGHAI
from lifecycle.clock import BusinessClock
from lifecycle.domain import evaluations
from lifecycle.domain.evaluations import Entrant, Scored
from lifecycle.domain.scoring import rubric_of, score
from lifecycle.policies import load_pack
from lifecycle.temporal.schedules import spec

WUHAN = load_pack("wuhan-2021")
WENZHOU = load_pack("wenzhou-2021")


def entrant(n: int) -> Entrant:
    return Entrant(case_id=f"case-{n}", credit_code=f"CODE{n:02d}", name=f"平台{n}")


def wenzhou(business: float, rating: float, defence: float) -> Scored:
    data = {"business_performance": business, "enterprise_rating": rating, "topic_defence": defence}
    return Scored(input=data, score=score(rubric_of(WENZHOU), data), by="expert:a")


def test_periods_are_written_by_the_cadence_and_evaluated_once_begun():
    today = dt.date(2026, 5, 10)
    assert evaluations.period_problem(WUHAN, "2026", today) is None
    assert "has not begun" in evaluations.period_problem(WUHAN, "2027", today)
    assert "YYYY (a year)" in evaluations.period_problem(WUHAN, "2026-Q1", today)
    gz = load_pack("guangzhou-2024")
    assert evaluations.period_problem(gz, "2026-Q2", today) is None
    assert "YYYY-Qn" in evaluations.period_problem(gz, "2026-Q5", today)
    assert evaluations.ended_period("quarter", dt.date(2026, 4, 1)) == "2026-Q1"
    assert evaluations.ended_period("quarter", dt.date(2026, 1, 1)) == "2025-Q4"
    assert evaluations.ended_period("year", dt.date(2027, 1, 1)) == "2026"
    assert evaluations.period_span("2026-Q4", "quarter") == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )


def test_equal_totals_are_ranked_by_the_items_in_order_then_by_code():
    roster = [entrant(n) for n in range(4)]
    scores = {
        "case-0": wenzhou(40, 20, 30),  # 90
        "case-1": wenzhou(45, 15, 30),  # 90, more business performance: ahead of case-0
        "case-2": wenzhou(45, 15, 30),  # the same as case-1: its code comes after
        "case-3": Scored(missed=True, by="expert:a"),
    }
    results = evaluations.rank(WENZHOU, roster, scores)
    assert [(r.case_id, r.rank, r.missed) for r in results] == [
        ("case-1", 1, False),
        ("case-2", 2, False),
        ("case-0", 3, False),
        ("case-3", None, True),
    ]
    assert all(r.excellent for r in results[:3]) and not results[3].excellent


def test_only_the_top_ten_are_named_excellent():
    roster = [entrant(n) for n in range(12)]
    scores = {e.case_id: wenzhou(50 - n, 20, 30) for n, e in enumerate(roster)}
    results = evaluations.rank(WENZHOU, roster, scores)
    assert [r.excellent for r in results] == [True] * 10 + [False] * 2
    steps = evaluations.steps(WENZHOU, "evaluation:wenzhou-2021:2026", "2026", results[9])
    assert [s.action for s in steps] == ["record_evaluation", "rate_excellent"]
    assert steps[1].data == {"year": 2026}
    assert [s.action for s in evaluations.steps(WENZHOU, "r", "2026", results[10])] == [
        "record_evaluation"
    ]


def graded(grades: list[str]) -> list[evaluations.Result]:
    return [
        evaluations.Result(
            case_id=f"case-{n}",
            credit_code=f"C{n}",
            name="x",
            grade=g,
            rank=n + 1,
            reward_cap_cny=next(x.reward_cap_cny for x in rubric_of(WUHAN).grades if x.grade == g),
        )
        for n, g in enumerate(grades)
    ]


def test_rewards_go_to_the_higher_grades_first_and_equally_within_a_grade():
    results = graded(["excellent", "advanced", "advanced", "good", "pass", "fail"])
    assert evaluations.allocate(WUHAN, results, 10_000_000) == {
        "case-0": 3_000_000,
        "case-1": 2_000_000,
        "case-2": 2_000_000,
        "case-3": 1_000_000,
    }
    assert evaluations.allocate(WUHAN, results, 4_500_001) == {
        "case-0": 3_000_000,
        "case-1": 750_000,  # 1,500,001 shared equally in whole yuan
        "case-2": 750_000,
        "case-3": 0,
    }
    assert evaluations.allocate(WUHAN, results, 0) == dict.fromkeys(
        ["case-0", "case-1", "case-2", "case-3"], 0
    )


@given(
    st.lists(st.sampled_from(["excellent", "advanced", "good", "pass", "fail"]), max_size=30),
    st.integers(min_value=0, max_value=50_000_000),
)
def test_rewards_never_exceed_the_budget_nor_a_grade_cap(grades, budget):
    results = graded(grades)
    paid = evaluations.allocate(WUHAN, results, budget)
    assert sum(paid.values()) <= budget
    caps = {r.case_id: r.reward_cap_cny for r in results}
    assert all(0 <= amount <= (caps[c] or 0) for c, amount in paid.items())
    order = ["excellent", "advanced", "good"]
    by_grade = {g: {paid[r.case_id] for r in results if r.grade == g} for g in order}
    assert all(len(v) <= 1 for v in by_grade.values()), "the same reward within a grade"


def test_an_eliminating_grade_exits_and_a_missed_evaluation_is_recorded():
    [fail] = graded(["fail"])
    fail = fail.model_copy(update={"eliminated": True, "total": 51.0, "grade_label": "不及格"})
    steps = evaluations.steps(WUHAN, "evaluation:wuhan-2021:2026", "2026", fail)
    assert [(s.action, s.data.get("reason")) for s in steps] == [
        ("record_evaluation", None),
        ("exit", "failed_assessment"),
    ]
    missed = evaluations.Result(case_id="c", credit_code="C", name="x", missed=True)
    [step] = evaluations.steps(WUHAN, "r", "2026", missed)
    assert step.data == {"round": "r", "period": "2026", "missed": True}


def test_the_schedule_opens_rounds_on_real_time_by_the_calendar():
    quarterly = spec(BusinessClock(), "quarter", dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    [calendar] = quarterly.calendars
    assert quarterly.time_zone_name == "Asia/Shanghai"
    assert [(r.start, r.end, r.step) for r in calendar.month] == [(1, 10, 3)]
    assert [r.start for r in calendar.day_of_month] == [1] and calendar.hour[0].start == 9


def test_on_a_rehearsal_clock_the_schedule_lists_the_real_instants_of_period_starts():
    real = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)
    clock = BusinessClock(
        business_origin=dt.datetime(2026, 3, 1, tzinfo=SHANGHAI),
        real_origin=real,
        day_seconds=10,
        start=dt.date(2026, 3, 1),
    )
    out = spec(clock, "quarter", real)
    assert out.time_zone_name == "UTC" and len(out.calendars) == 40
    first = out.calendars[0]
    # 1 April 2026 09:00 business time is 31 days and 9 hours later: 313.75 real seconds,
    # rounded up (a round never opens before its period has begun).
    at = real + dt.timedelta(seconds=314)
    assert [
        first.year[0].start,
        first.month[0].start,
        first.day_of_month[0].start,
        first.hour[0].start,
        first.minute[0].start,
        first.second[0].start,
    ] == [at.year, at.month, at.day, at.hour, at.minute, at.second]


@pytest.mark.parametrize("policy", ["qingdao-2024", "anhui-2019", "wuhan-2021"])
def test_every_programme_evaluates_on_its_cadence(policy):
    assert evaluations.cadence(load_pack(policy)) == "year"
