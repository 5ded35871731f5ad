"""Evaluations recorded on a case (guangzhou-2024 §3.3, §4.4): each period once; failures
counted; the second fail, or a missed evaluation, proposes clearance for the bureau's meeting;
on a case with no server."""

import pytest

from tests.unit.phases.desk import OFFICER, Desk, Refused

ROUND = "evaluation:guangzhou-2024:2026-Q1"


def result(period: str, grade: str | None = "pass", total: float = 75, **extra) -> dict:
    out = {"round": ROUND, "period": period, **extra}
    if grade is not None:
        out |= {"grade": grade, "total": total}
    return out


def test_two_fails_propose_clearance_and_a_period_is_recorded_once():
    desk = Desk("guangzhou-2024", day="2026-04-20")
    first = desk.act("record_evaluation", OFFICER, **result("2026-Q1", "fail", 40))
    assert (first.data["failures"], desk.case.listed.decisions) == (1, [])
    with pytest.raises(Refused, match="2026-Q1 is recorded for this case already"):
        desk.act("record_evaluation", OFFICER, **result("2026-Q1", "pass"))
    second = desk.act("record_evaluation", OFFICER, **result("2026-Q2", "fail", 50))
    [proposal] = desk.case.listed.decisions
    assert (second.data["proposed_exit"], proposal.kind, proposal.clause) == (
        "failed_twice",
        "exit_proposal",
        "§4.4(清退)",
    )


def test_a_missed_evaluation_proposes_clearance_at_once():
    desk = Desk("guangzhou-2024", day="2026-04-20")
    entry = desk.act("record_evaluation", OFFICER, **result("2026-Q1", None, missed=True))
    assert entry.data["proposed_exit"] == "missed_evaluation"
    assert desk.case.listed.evaluations.missed == 1


def test_a_grade_the_rubric_does_not_have_is_refused():
    desk = Desk("guangzhou-2024", day="2026-04-20")
    with pytest.raises(Refused, match="data grade"):
        desk.act("record_evaluation", OFFICER, **result("2026-Q1", "excellent"))


def test_anhuis_excellent_are_white_listed():
    desk = Desk("anhui-2019", day="2027-01-20")
    entry = desk.act(
        "record_evaluation",
        OFFICER,
        round="evaluation:anhui-2019:2026",
        period="2026",
        grade="excellent",
        total=95,
    )
    assert entry.data["white_list"] is True and desk.case.listed.decisions == []
