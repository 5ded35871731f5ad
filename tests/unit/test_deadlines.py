"""Declared deadlines as the engine runs them: periods, starts, renewals, findings, recounts."""

import datetime as dt
from pathlib import Path

import pytest

from lifecycle.calendar import SHANGHAI, WorkingCalendar
from lifecycle.domain import deadlines, decide
from lifecycle.domain.actors import Actor
from lifecycle.domain.case import Action, Case
from lifecycle.domain.plan import Counted, Obtained
from lifecycle.domain.states import CaseState
from lifecycle.policies import load_pack_file
from lifecycle.policies.schema import Round

D = dt.date.fromisoformat
TESTLAND = load_pack_file(Path(__file__).parents[1] / "fixtures" / "packs" / "testland-2026.toml")
CALENDAR = WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "every", "label", "last"),
    [
        ("2026-02-11", "week", "2026-W07", "2026-02-15"),
        ("2026-02-15", "week", "2026-W07", "2026-02-15"),
        ("2026-12-31", "week", "2026-W53", "2027-01-03"),
        ("2026-02-11", "month", "2026-02", "2026-02-28"),
        ("2026-12-05", "month", "2026-12", "2026-12-31"),
        ("2026-02-11", "quarter", "2026-Q1", "2026-03-31"),
        ("2026-11-23", "quarter", "2026-Q4", "2026-12-31"),
        ("2026-07-01", "year", "2026", "2026-12-31"),
    ],
)
def test_periods(day, every, label, last):
    assert deadlines.period_of(D(day), every) == (label, D(last))


def count(request) -> Counted:
    """What the calendar activity answers, here straight from the calendar."""
    found = {
        "window": lambda: CALENDAR.window_close(
            request.date, request.working_days, opening_day_counts=request.opening_day_counts
        ),
        "after": lambda: CALENDAR.after(request.date, request.working_days),
        "before": lambda: CALENDAR.latest_before(request.date, request.working_days),
    }[request.rule]()
    return Counted(date=found.date, provisional=found.provisional, closes_at=found.closes_at())


def at(day: str) -> dt.datetime:
    return dt.datetime.combine(D(day), dt.time(10), tzinfo=SHANGHAI)


def decided(c: Case, trigger: str, actor: str, day: str, **data) -> list[str]:
    """Plans, counts what the plan asks, applies; returns the counted deadline names."""
    action = Action(trigger=trigger, actor=Actor.parse(actor), reason="测试", data=data)
    assert decide.refusal(c, TESTLAND, action) is None
    plan = decide.plan(c, TESTLAND, action, at(day), Round())
    obtained = Obtained(counted={r.name: count(r) for r in plan.deadlines})
    decide.apply(c, TESTLAND, action, obtained, at(day), Round())
    return [r.name for r in plan.deadlines]


def listed_case(day: str = "2026-02-11") -> Case:
    c = Case(
        case_id="c", policy=TESTLAND.id, round="2026", credit_code="x", name="甲", district="d"
    )
    assert decided(c, "admit_directly", "bureau_officer:li", day) == ["weekly_report"]
    return c


def test_entering_listed_starts_the_weekly_report_of_this_week():
    c = listed_case("2026-02-11")  # Wednesday of week 7; the week ends Sunday 15 February
    report = c.deadlines["weekly_report"]
    # Two working days after Sun 15 Feb 2026, inside Spring Festival (15–23 off): Tue 24, Wed 25.
    assert (report.period, report.date, report.opens) == (
        "2026-W07",
        D("2026-02-25"),
        D("2026-02-15"),
    )


def test_submitting_meets_the_report_and_starts_the_next_week():
    c = listed_case("2026-03-02")
    assert c.deadlines["weekly_report"].period == "2026-W10"
    assert decided(c, "submit_report", "provider:x", "2026-03-06") == ["weekly_report"]
    nxt = c.deadlines["weekly_report"]
    assert (nxt.period, nxt.date, nxt.open) == ("2026-W11", D("2026-03-17"), True)


def test_a_missed_report_is_a_finding_that_counts_up_while_open():
    c = listed_case("2026-03-02")
    entries = decide.pass_deadline(c, TESTLAND, c.deadlines["weekly_report"], at("2026-03-11"))
    assert [(e.action, e.clause, e.data["period"]) for e in entries] == [
        ("record_finding", "§2", "2026-W10")
    ]
    [finding] = c.findings
    assert (finding.id, finding.times, finding.open) == ("late_weekly_report", 1, True)
    renewal = deadlines.renewal(TESTLAND, c.deadlines["weekly_report"])
    c.deadlines["weekly_report"] = renewal.instance(count(renewal.request()))
    decide.pass_deadline(c, TESTLAND, c.deadlines["weekly_report"], at("2026-03-18"))
    assert [(f.id, f.times, f.last_period) for f in c.findings] == [
        ("late_weekly_report", 2, "2026-W11")
    ]


def test_an_action_carrying_a_date_starts_its_deadline():
    c = listed_case("2026-03-02")
    started = decided(c, "announce_training", "provider:x", "2026-03-04", event_date="2026-03-16")
    assert started == ["training_filing"]
    filing = c.deadlines["training_filing"]
    assert (filing.rule, filing.date, filing.overdue_mark) == ("before", D("2026-03-11"), True)


def test_a_deadline_knows_which_years_its_count_crossed():
    c = listed_case("2026-12-23")  # week 52 ends Sun 27 Dec; two working days: 28, 29 Dec
    report = c.deadlines["weekly_report"]
    assert report.touches(2026) and not report.touches(2027)
    request = deadlines.recount(report)
    assert (request.rule, request.date, request.working_days) == ("after", D("2026-12-27"), 2)


def test_leaving_a_state_drops_its_deadlines():
    c = listed_case()
    decided(c, "exit", "bureau_officer:li", "2026-02-12")
    assert c.state == CaseState.EXITED and c.deadlines == {}


def test_a_report_for_a_period_not_begun_cannot_be_handed_in_early():
    c = listed_case("2026-03-02")
    decided(c, "submit_report", "provider:x", "2026-03-06")  # meets week 10
    assert decided(c, "submit_report", "provider:x", "2026-03-06") == []  # week 11 not begun
    nxt = c.deadlines["weekly_report"]
    assert (nxt.period, nxt.open) == ("2026-W11", True)
