"""Admission (qingdao-2024 §三): review, expert scores, the public notice and its objections,
and the selection cap shared by a round, on a case with no server."""

import pytest

from lifecycle.domain.states import CaseState
from tests.unit.phases.desk import OFFICER, Desk, Refused

DISTRICT = "district_officer:wang@市南区"
EXPERT = "expert:panel-1"


def applicant(**facts) -> Desk:
    return Desk(
        "qingdao-2024",
        CaseState.SUBMITTED,
        "2025-09-22",
        district="市南区",
        provider_type="product",
        sectors=["auto_parts"],
        facts=facts or {"own_ip": True, "sector_cases": 3, "technical_staff": 3},
    )


def to_publicity(desk: Desk) -> None:
    desk.act("begin_review", OFFICER)
    desk.act("pass_preliminary", DISTRICT)
    desk.act("score", EXPERT, score=91, rank=1, recommended=True)
    desk.act("publicise", OFFICER)


def test_the_path_to_the_public_notice_and_its_five_working_days():
    desk = applicant()
    to_publicity(desk)
    notice = desk.case.deadlines["public_notice"]
    # Published Monday 22 September 2025: the 5th working day, the opening day counted, is the
    # 26th; the notice closes at 24:00 of it.
    assert (desk.case.state, notice.date.isoformat(), notice.working_days) == (
        CaseState.PUBLICITY,
        "2025-09-26",
        5,
    )
    assert desk.on("2025-09-26", 23) == []
    [listed] = desk.on("2025-09-27", 0)
    assert (listed.action, listed.to_state) == ("list", CaseState.LISTED)


def test_a_district_officer_acts_only_on_their_district():
    desk = applicant()
    desk.act("begin_review", OFFICER)
    with pytest.raises(Refused, match="may not act on a case of district '市南区'"):
        desk.act("pass_preliminary", "district_officer:zhao@市北区")
    assert desk.case.state == CaseState.PRELIMINARY_REVIEW


def test_open_findings_need_a_reason_that_answers_them():
    desk = applicant(own_ip=True, sector_cases=1, technical_staff=3)  # 3 cases asked, 1 shown
    assert [f.id for f in desk.case.findings if f.open]
    desk.act("begin_review", OFFICER)
    with pytest.raises(Refused, match="open finding"):
        desk.act("pass_preliminary", DISTRICT)
    desk.act("pass_preliminary", DISTRICT, "已补充两个行业案例")
    assert all(f.answer == "已补充两个行业案例" for f in desk.case.findings)


def test_a_score_outside_its_range_is_refused_with_the_rule():
    desk = applicant()
    desk.act("begin_review", OFFICER)
    desk.act("pass_preliminary", DISTRICT)
    with pytest.raises(Refused, match="score 0–110"):
        desk.act("score", EXPERT, score=120, rank=1, recommended=True)
    with pytest.raises(Refused, match="has not recommended"):
        desk.act("publicise", OFFICER)


def test_the_selection_cap_refuses_when_the_sector_is_full():
    desk = applicant()
    desk.act("begin_review", OFFICER)
    desk.act("pass_preliminary", DISTRICT)
    desk.act("score", EXPERT, score=91, rank=1, recommended=True)
    with pytest.raises(Refused, match=r"already holds 20 of at most 20 \(qingdao-2024 §一"):
        desk.act("publicise", OFFICER, granted=False)
    assert desk.case.state == CaseState.EXPERT_REVIEW and not desk.case.holds_slot


def test_an_objection_holds_the_listing_until_decided():
    desk = applicant()
    to_publicity(desk)
    desk.act("object", "public:p1", "材料不实")
    with pytest.raises(Refused, match="already has an undecided objection"):
        desk.act("object", "public:p1", "再次异议")
    assert desk.on("2025-09-27", 1) == []  # the notice closed; the objection holds it
    assert desk.case.state == CaseState.PUBLICITY
    assert "dismiss_objection" in desk.open_actions
    desk.act("dismiss_objection", OFFICER, "经核实不成立")
    [listed] = desk.on("2025-09-27", 2)
    assert listed.to_state == CaseState.LISTED


def test_an_upheld_objection_rejects_the_case():
    desk = applicant()
    to_publicity(desk)
    desk.act("object", "public:p1", "材料不实")
    entry = desk.act("uphold_objection", OFFICER, "经核实属实")
    assert (entry.to_state, desk.case.objections[0].status) == (CaseState.REJECTED, "upheld")


def test_no_objection_to_decide_is_not_offered():
    desk = applicant()
    to_publicity(desk)
    assert "object" in desk.open_actions
    assert "dismiss_objection" not in desk.open_actions
