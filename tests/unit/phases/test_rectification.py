"""Rectification orders (guangzhou-2024 §4.4 first list, §4.3): ordered on a ground with a
deadline of 20 working days (bureau setting) or the officer's own; submitted, then accepted or
rejected; a deadline that passes unfixed opens a decision, never a disqualification by the
engine; on a case with no server."""

import pytest

from lifecycle.domain.states import CaseState
from tests.unit.phases.desk import OFFICER, Desk, Refused


def ordered(**data) -> Desk:
    desk = Desk("guangzhou-2024", day="2026-06-01")
    desk.act(
        "order_rectification", OFFICER, "季度材料不规范", **({"grounds": "late_report"} | data)
    )
    return desk


def test_an_order_needs_grounds_from_the_programmes_list_and_sets_its_deadline():
    desk = Desk("guangzhou-2024", day="2026-06-01")
    with pytest.raises(Refused, match="data grounds is None; it must be one of staff_complaints"):
        desk.act("order_rectification", OFFICER, "材料不规范")
    desk.act("order_rectification", OFFICER, "季度材料不规范", grounds="late_report")
    order = desk.case.listed.order
    # The 20th working day after Monday 1 June 2026, the Dragon Boat holiday (19 June) not
    # counted: 30 June.
    assert (desk.case.state, order.grounds, order.due.isoformat()) == (
        CaseState.RECTIFICATION,
        "late_report",
        "2026-06-30",
    )


def test_submitted_then_accepted_back_to_listed():
    desk = ordered()
    assert "accept_rectification" not in desk.open_actions  # nothing submitted yet
    with pytest.raises(Refused, match="has not submitted its rectification"):
        desk.act("accept_rectification", OFFICER)
    desk.act("submit_rectification", desk.provider, "已补交季度材料")
    with pytest.raises(Refused, match="waits for the bureau's decision"):
        desk.act("submit_rectification", desk.provider, "again")
    entry = desk.act("accept_rectification", OFFICER)
    assert (entry.to_state, desk.case.listed.order) == (CaseState.LISTED, None)


def test_a_lapsed_order_opens_a_decision_to_continue_or_disqualify():
    desk = ordered(working_days=5)
    assert desk.case.listed.order.due.isoformat() == "2026-06-08"  # 2, 3, 4, 5 and 8 June
    with pytest.raises(Refused, match="none has"):
        desk.act("continue_rectification", OFFICER, "再给五天", working_days=5)
    [lapse] = desk.on("2026-06-09", 1)
    [decision] = desk.case.listed.decisions
    assert (lapse.action, decision.kind, desk.case.state) == (
        "rectification_lapsed",
        "rectification_lapsed",
        CaseState.RECTIFICATION,
    )
    desk.act("continue_rectification", OFFICER, "再给五天", working_days=5)
    order = desk.case.listed.order
    assert (order.continued, order.due.isoformat(), desk.case.listed.decisions) == (
        1,
        "2026-06-16",
        [],
    )


def test_the_provider_may_not_decide_its_own_rectification():
    desk = ordered()
    desk.act("submit_rectification", desk.provider, "已整改")
    with pytest.raises(Refused, match="a provider may not 'accept_rectification'"):
        desk.act("accept_rectification", desk.provider)
