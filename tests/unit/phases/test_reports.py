"""Reports a listed provider owes (guangzhou-2024 §3.4 quarterly, wuhan-2021 第八条 weekly):
due N working days after the period ends; met by submitting it; a missed one is a finding that
counts up; a late one is recorded as late; on a case with no server."""

import pytest

from tests.unit.phases.desk import Desk, Refused


def test_the_quarterly_report_is_due_ten_working_days_after_the_quarter():
    desk = Desk("guangzhou-2024", day="2026-03-02")
    held = desk.case.deadlines["quarterly_self_report"]
    # Q1 ends on 31 March; 10 working days after it, the Qingming holiday (4-6 April) not
    # counted, is 15 April.
    assert (held.period, held.date.isoformat()) == ("2026-Q1", "2026-04-15")
    desk.on("2026-04-10")
    entry = desk.act("submit_report", desk.provider)
    assert (entry.data["period"], entry.data["late"], held.met) == ("2026-Q1", False, True)
    desk.on("2026-04-16")
    assert desk.case.findings == []
    renewed = desk.case.deadlines["quarterly_self_report"]
    assert (renewed.period, renewed.open) == ("2026-Q2", True)


def test_a_missed_report_is_a_finding_and_then_late():
    desk = Desk("guangzhou-2024", day="2026-03-02")
    [missed] = desk.on("2026-04-16")
    assert (missed.action, missed.data["finding"], missed.clause) == (
        "record_finding",
        "late_report",
        "§4.4.2",
    )
    entry = desk.act("submit_report", desk.provider, period="2026-Q1")
    assert entry.data["late"] is True


def test_a_report_for_a_period_not_begun_is_refused():
    desk = Desk("guangzhou-2024", day="2026-03-02")
    with pytest.raises(Refused, match="owed for 2026-Q1 now"):
        desk.act("submit_report", desk.provider, period="2026-Q3")


def test_weekly_reports_missed_twice_count_up_one_finding():
    desk = Desk("wuhan-2021", day="2026-03-02")
    desk.on("2026-03-10")
    desk.on("2026-03-17")
    [finding] = [f for f in desk.case.findings if f.id == "late_weekly_report"]
    assert (finding.clause, finding.times, finding.last_period) == ("第八条", 2, "2026-W11")


def test_a_programme_without_reports_refuses_one():
    desk = Desk("wenzhou-2021", tracks=["consulting"])
    with pytest.raises(Refused, match="not an action of wenzhou-2021"):
        desk.act("submit_report", desk.provider)
