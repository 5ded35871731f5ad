"""Complaints enterprises send (wenzhou-2021 第十六条(四)): each verified or dismissed by an
officer; three verified from distinct enterprises, or three from one, open a decision for an
officer, never an exit by the engine; on a case with no server."""

import pytest

from lifecycle.domain.credit_code import complete
from lifecycle.domain.phases.complaints import text_refusal
from lifecycle.domain.states import CaseState, Role
from tests.unit.phases.desk import OFFICER, Desk, Refused


def enterprise(n: int) -> str:
    return f"enterprise:{complete(f'91330302MA2J{n:05d}')}"


def listed() -> Desk:
    return Desk("wenzhou-2021", tracks=["consulting"])


@pytest.mark.parametrize("senders", [(1, 2, 3), (7, 7, 7)], ids=["three-firms", "three-from-one"])
def test_the_threshold_opens_a_decision_and_leaves_the_provider_listed(senders):
    desk = listed()
    for sender in senders:
        desk.act("complain", enterprise(sender), "诊断报告敷衍")
    for complaint in [c.id for c in desk.case.listed.complaints]:
        desk.act("verify_complaint", OFFICER, complaint=complaint)
    [decision] = desk.case.listed.decisions
    assert (decision.kind, decision.clause, desk.case.state) == (
        "complaints",
        "第十六条(四)",
        CaseState.LISTED,
    )
    assert "close_decision" in desk.open_actions


def test_two_verified_and_one_dismissed_open_nothing():
    desk = listed()
    for sender in (1, 2, 3):
        desk.act("complain", enterprise(sender), "服务不到位")
    first, second, third = (c.id for c in desk.case.listed.complaints)
    desk.act("verify_complaint", OFFICER, complaint=first)
    desk.act("verify_complaint", OFFICER, complaint=second)
    with pytest.raises(Refused, match="needs a reason"):
        desk.act("dismiss_complaint", OFFICER, complaint=third)
    desk.act("dismiss_complaint", OFFICER, "经核实不属实", complaint=third)
    assert desk.case.listed.decisions == [] and desk.case.listed.verified == {
        complete("91330302MA2J00001"): 1,
        complete("91330302MA2J00002"): 1,
    }
    assert "verify_complaint" not in desk.open_actions  # none waits to be verified


def test_only_an_enterprise_complains_and_only_officers_read_the_text():
    desk = listed()
    with pytest.raises(Refused, match="may not 'complain'"):
        desk.act("complain", "public:p1", "匿名投诉")
    assert text_refusal(Role.BUREAU_OFFICER) is None
    assert "officers only" in text_refusal(Role.PROVIDER)


def test_a_decided_threshold_counts_again_from_nothing():
    desk = listed()
    for sender in (1, 2, 3):
        desk.act("complain", enterprise(sender), "问题")
    for complaint in [c.id for c in desk.case.listed.complaints]:
        desk.act("verify_complaint", OFFICER, complaint=complaint)
    [decision] = desk.case.listed.decisions
    entry = desk.act("close_decision", OFFICER, "经研究, 予以警告", decision=decision.id)
    assert entry.data["verified"] and desk.case.listed.verified == {}
    assert desk.case.listed.decisions == []
