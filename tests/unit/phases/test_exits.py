"""How a provider leaves (wenzhou-2021 第十六条(四), guangzhou-2024 §4.3-§4.5): an exit names
its reason's code and clause; a ban goes with the reasons that carry one; guangzhou's clearance
is proposed first and confirmed by the bureau's meeting; an exit after a lapsed order waits for
that lapse; on a case with no server."""

import datetime as dt

import pytest

from lifecycle.domain.credit_code import complete
from lifecycle.domain.phases.exits import ban_ends
from lifecycle.domain.states import CaseState
from tests.unit.phases.desk import OFFICER, Desk, Refused


def complained(desk: Desk, times: int = 3) -> None:
    """Three verified complaints from one enterprise: the count of 第十六条(四) is reached."""
    for _ in range(times):
        desk.act("complain", f"enterprise:{complete('91330302MA2J00007')}", "诊断敷衍")
    for complaint in [c.id for c in desk.case.listed.complaints]:
        desk.act("verify_complaint", OFFICER, complaint=complaint)


def test_an_exit_names_a_reason_of_the_programme_and_its_ban():
    desk = Desk("wenzhou-2021", day="2026-06-01", tracks=["consulting"])
    with pytest.raises(Refused, match="'exit' needs a reason"):
        desk.act("exit", OFFICER, reason="complaints_threshold")
    with pytest.raises(
        Refused, match="data reason is fired; it must be one of complaints_threshold"
    ):
        desk.act("exit", OFFICER, "违规", reason="fired")
    complained(desk)
    entry = desk.act("exit", OFFICER, "投诉核实, 局务会决定", reason="complaints_threshold")
    assert (entry.to_state, entry.data["clause"], entry.data["ban"]) == (
        CaseState.EXITED,
        "第十六条(四)",
        {"policy": "wenzhou-2021", "starts": "2026-06-01", "ends": "2029-05-31"},
    )
    assert desk.open_actions == []  # an exited case takes no actions


def test_the_complaints_exit_needs_the_count_reached():
    desk = Desk("wenzhou-2021", day="2026-06-01", tracks=["consulting"])
    with pytest.raises(
        Refused,
        match=r"comes only after 'verified complaints reaching the "
        r"programme's count' \(complaints\) \(wenzhou-2021 第十六条\(四\)\)",
    ):
        desk.act("exit", OFFICER, "投诉较多", reason="complaints_threshold")
    complained(desk, times=2)  # two: not the count
    with pytest.raises(Refused, match="comes only after 'verified complaints"):
        desk.act("exit", OFFICER, "投诉较多", reason="complaints_threshold")
    assert desk.case.state == CaseState.LISTED and desk.case.listed.decisions == []


@pytest.mark.parametrize(
    ("policy", "reason", "passed", "failed"),
    [
        ("wuhan-2021", "failed_assessment", ("advanced", 85), ("fail", 49)),
        ("anhui-2019", "failed_evaluation", ("excellent", 95), ("fail", 40)),
    ],
)
def test_an_exit_for_a_failed_evaluation_needs_one(policy, reason, passed, failed):
    desk = Desk(policy, day="2027-01-20")
    period = "2026"
    with pytest.raises(Refused, match="it has no evaluation recorded"):
        desk.act("exit", OFFICER, "评价不合格", reason=reason)
    rnd = f"evaluation:{policy}:{period}"
    desk.act(
        "record_evaluation", OFFICER, round=rnd, period=period, grade=passed[0], total=passed[1]
    )
    with pytest.raises(Refused, match=f"its last evaluation was graded '{passed[0]}'"):
        desk.act("exit", OFFICER, "评价不合格", reason=reason)
    desk.act(
        "record_evaluation", OFFICER, round=rnd, period="2027", grade=failed[0], total=failed[1]
    )
    entry = desk.act("exit", OFFICER, "评价不合格", reason=reason)
    assert entry.to_state == CaseState.EXITED


def test_clearance_for_two_fails_or_a_missed_evaluation_needs_them():
    desk = Desk("guangzhou-2024", day="2026-07-20")
    with pytest.raises(Refused, match="needs 2 failed evaluations in total .* the case has 0"):
        desk.act("propose_exit", OFFICER, "两次不达标", reason="failed_twice")
    with pytest.raises(Refused, match="needs an evaluation the provider did not take part in"):
        desk.act("propose_exit", OFFICER, "未参评", reason="missed_evaluation")
    rnd = "evaluation:guangzhou-2024:2026-Q1"
    desk.act("record_evaluation", OFFICER, round=rnd, period="2026-Q1", grade="fail", total=40)
    with pytest.raises(Refused, match="the case has 1"):
        desk.act("propose_exit", OFFICER, "两次不达标", reason="failed_twice")
    desk.act("record_evaluation", OFFICER, round=rnd, period="2026-Q2", grade="fail", total=45)
    [proposal] = desk.case.listed.decisions  # the second fail proposed it by itself
    entry = desk.act(
        "exit", OFFICER, "局务会审议确认", reason="failed_twice", meeting="2026年第9次局务会"
    )
    assert (entry.data["reason"], proposal.reason) == ("failed_twice", "failed_twice")


def test_an_officers_own_reason_brings_no_ban():
    desk = Desk("wuhan-2021", day="2026-06-01")
    entry = desk.act("exit", OFFICER, "自愿退出", reason="voluntary")
    assert entry.data["ban"] is None


def test_clearance_is_proposed_then_confirmed_by_the_meeting_for_good():
    desk = Desk("guangzhou-2024", day="2026-06-01")
    with pytest.raises(Refused, match="clearance is proposed first"):
        desk.act("exit", OFFICER, "伪造资料", reason="falsified", meeting="2026年第5次局务会")
    desk.act("propose_exit", OFFICER, "伪造资料", reason="falsified")
    with pytest.raises(Refused, match="but clearance was proposed for 'falsified'"):
        desk.act("exit", OFFICER, "收费", reason="improper_fees", meeting="第5次局务会")
    with pytest.raises(Refused, match="data meeting"):
        desk.act("exit", OFFICER, "伪造资料", reason="falsified")
    entry = desk.act("exit", OFFICER, "伪造资料", reason="falsified", meeting="第5次局务会")
    assert (entry.data["meeting"], entry.data["ban"]["ends"]) == ("第5次局务会", None)
    assert desk.case.listed.decisions == []


def test_a_disqualification_waits_for_the_lapsed_order():
    desk = Desk("guangzhou-2024", day="2026-06-01")
    desk.act("order_rectification", OFFICER, "进度滞后", grounds="behind_schedule", working_days=5)
    with pytest.raises(Refused, match="comes only after"):
        desk.act("exit", OFFICER, "未按期整改", reason="rectification_failed")
    desk.on("2026-06-09", 1)
    entry = desk.act("exit", OFFICER, "未按期整改", reason="rectification_failed")
    assert (entry.to_state, entry.data["clause"], desk.case.listed.order) == (
        CaseState.EXITED,
        "§4.3",
        None,
    )


@pytest.mark.parametrize(
    ("starts", "years", "ends"),
    [("2026-06-01", 3, "2029-05-31"), ("2028-02-29", 3, "2031-02-28"), ("2026-06-01", 0, None)],
)
def test_a_ban_ends_the_day_before_its_anniversary(starts, years, ends):
    found = ban_ends(dt.date.fromisoformat(starts), years)
    assert (found.isoformat() if found else None) == ends
