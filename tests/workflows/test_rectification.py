"""Rectification orders (guangzhou-2024 §4.4 first list, §4.3) on the time-skipping server: an
order with its grounds and a deadline in working days, the provider's submission, the officer's
acceptance; a deadline missed opens a decision (continue with a new deadline, or disqualify);
a finding of the listed phase turned into an order."""

import pytest

from lifecycle.domain.states import CaseState
from lifecycle.errors import LifecycleError
from tests.workflows.cases import OFFICER, req
from tests.workflows.listed import listed

GUANGZHOU = "guangzhou-2024"


def officer(action: str, why: str = "", **data):
    return req(action, OFFICER, why).model_copy(update={"data": data})


async def ordered(service, env, store, **data):
    case = await listed(service, env, store, GUANGZHOU, "2026-03-02")
    await case.until(env, "2026-03-10")
    await service.act(case.case_id, officer("order_rectification", "季度材料不规范", **data))
    return case


async def test_an_order_submitted_and_accepted_returns_to_listed(service, env, store):
    case = await listed(service, env, store, GUANGZHOU, "2026-03-02")
    await case.until(env, "2026-03-10")
    with pytest.raises(
        LifecycleError, match="data grounds is None; it must be one of staff_complaints"
    ):
        await service.act(case.case_id, officer("order_rectification", "不规范"))
    with pytest.raises(LifecycleError, match="needs a reason"):
        await service.act(case.case_id, officer("order_rectification", grounds="late_report"))
    await service.act(
        case.case_id, officer("order_rectification", "季度材料不规范", grounds="late_report")
    )
    view = await service.view(case.case_id)
    order = view.case.listed.order
    # 20 working days after Tuesday 10 March 2026, Qingming (4–6 April) off.
    assert (view.case.state, order.grounds, order.clause, str(order.due)) == (
        CaseState.RECTIFICATION,
        "late_report",
        "§4.4.2",
        "2026-04-08",
    )
    assert view.case.deadlines["rectification_due"].date.isoformat() == "2026-04-08"
    row = store.audit(case.case_id)[-1]
    assert (row.action, row.clause, row.data["due"], row.data["deadlines"]) == (
        "order_rectification",
        "§4.4(整改)",
        "2026-04-08",
        {"rectification_due": "2026-04-08"},
    )
    assert store.case(case.case_id).state == "rectification"

    with pytest.raises(LifecycleError, match="has not submitted its rectification"):
        await service.act(case.case_id, officer("accept_rectification"))
    with pytest.raises(LifecycleError, match="only after '整改期限届满, 未完成整改'"):
        await service.act(case.case_id, officer("exit", "未整改", reason="rectification_failed"))
    with pytest.raises(LifecycleError, match="none has"):
        await service.act(case.case_id, officer("continue_rectification", "再给时间"))
    await service.act(
        case.case_id, req("submit_rectification", case.provider, "已按要求补交季度材料")
    )
    with pytest.raises(LifecycleError, match="waits for the bureau's decision"):
        await service.act(case.case_id, req("submit_rectification", case.provider, "again"))
    result = await service.act(case.case_id, officer("accept_rectification"))
    assert result.state == CaseState.LISTED
    view = await service.view(case.case_id)
    assert view.case.listed.order is None and "rectification_due" not in view.case.deadlines
    assert [r.action for r in store.audit(case.case_id)][-3:] == [
        "order_rectification",
        "submit_rectification",
        "accept_rectification",
    ]


async def test_a_missed_deadline_opens_a_decision_and_is_continued(service, env, store):
    case = await ordered(service, env, store, grounds="behind_schedule", working_days=5)
    due = (await service.view(case.case_id)).case.listed.order.due
    assert str(due) == "2026-03-17"  # the officer gave 5 working days, not the default 20
    await case.until(env, "2026-03-17", hour=23)
    assert (await service.view(case.case_id)).case.listed.decisions == []
    await case.until(env, "2026-03-18")
    view = await service.view(case.case_id)
    [decision] = view.case.listed.decisions
    assert (decision.kind, decision.clause) == ("rectification_lapsed", "§4.3")
    assert store.case(case.case_id).pending_decision.startswith("rectification order")
    assert store.audit(case.case_id)[-1].action == "rectification_lapsed"

    await service.act(case.case_id, officer("continue_rectification", "情节较轻", working_days=10))
    view = await service.view(case.case_id)
    assert view.case.listed.decisions == [] and view.case.listed.order.continued == 1
    # 10 working days after Wednesday 18 March.
    assert str(view.case.listed.order.due) == "2026-04-01"
    assert view.case.deadlines["rectification_due"].date.isoformat() == "2026-04-01"
    await service.act(case.case_id, req("submit_rectification", case.provider, "进度已赶上"))
    await case.until(env, "2026-04-02")
    assert (await service.view(case.case_id)).case.listed.decisions == [], (
        "a submission waiting for the officer holds the lapse"
    )
    await service.act(case.case_id, officer("reject_rectification", "仍未达到进度要求"))
    view = await service.view(case.case_id)
    assert [d.kind for d in view.case.listed.decisions] == ["rectification_lapsed"], (
        "rejected after the deadline: the lapse opens its decision at once"
    )


async def test_a_missed_deadline_disqualified_exits_without_a_ban(service, env, store):
    case = await ordered(service, env, store, grounds="bad_faith")
    await case.until(env, "2026-04-09")
    assert [d.kind for d in (await service.view(case.case_id)).case.listed.decisions] == [
        "rectification_lapsed"
    ]
    result = await service.act(
        case.case_id, officer("exit", "逾期未完成整改", reason="rectification_failed")
    )
    assert result.state == CaseState.EXITED
    row = store.audit(case.case_id)[-1]
    assert (row.data["reason"], row.data["clause"], row.data["ban"]) == (
        "rectification_failed",
        "§4.3",
        None,
    )
    assert store.bans() == []


async def test_a_finding_is_turned_into_an_order(service, env, store):
    case = await listed(service, env, store, GUANGZHOU, "2026-03-02")
    await case.until(env, "2026-04-16")  # the Q1 self-report was due 15 April
    [finding] = (await service.view(case.case_id)).case.findings
    assert finding.id == "late_report"
    with pytest.raises(LifecycleError, match="'late_change_notice' is not an open finding"):
        await service.act(
            case.case_id, officer("order_rectification", "x", finding="late_change_notice")
        )
    await service.act(
        case.case_id, officer("order_rectification", "季度材料逾期未报", finding="late_report")
    )
    view = await service.view(case.case_id)
    assert (view.case.listed.order.grounds, view.case.listed.order.clause) == (
        "late_report",
        "§4.4.2",
    )
    assert view.case.findings[0].answer == "rectification ordered (§4.4.2)"
    assert store.audit(case.case_id)[-1].data["finding"] == "late_report"
