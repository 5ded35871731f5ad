"""Exits with reason codes and the bans they write (DOMAIN.md §8), on the time-skipping server:
a wenzhou-2021 complaints-threshold exit bars the provider for three years (refused two years
on, accepted after three); guangzhou-2024 clearance is proposed, confirmed by the bureau's
meeting and bars the provider for good; a proposal can be closed instead."""

import datetime as dt

import pytest

from lifecycle.domain.credit_code import complete
from lifecycle.domain.phases.exits import ban_ends
from lifecycle.domain.states import CaseState
from lifecycle.errors import LifecycleError
from tests.workflows.cases import OFFICER, at, req, simple
from tests.workflows.listed import listed
from tests.workflows.test_admission import open_round


def officer(action: str, why: str = "", **data):
    """An officer's action whose data has a ``reason`` key (the exit's code)."""
    return req(action, OFFICER, why).model_copy(update={"data": data})


def test_a_ban_ends_the_day_before_the_same_date_years_later():
    assert ban_ends(dt.date(2026, 3, 10), 3) == dt.date(2029, 3, 9)
    assert ban_ends(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)  # again on 1 March
    assert ban_ends(dt.date(2026, 3, 10), 0) is None


async def test_a_wenzhou_complaints_exit_bars_three_years(service, env, store):
    case = await listed(service, env, store, "wenzhou-2021", "2026-03-02")
    with pytest.raises(
        LifecycleError,
        match="data reason is plagiarism; it must be one of complaints_threshold, voluntary, other",
    ):
        await service.act(case.case_id, officer("exit", "投诉", reason="plagiarism"))
    with pytest.raises(LifecycleError, match="comes only after 'verified complaints reaching"):
        await service.act(
            case.case_id, officer("exit", "三家企业投诉经核实", reason="complaints_threshold")
        )
    for n in (1, 2, 3):  # three enterprises' complaints, verified: the decision opens
        enterprise = f"enterprise:{complete(f'91330302MA2J{n:05d}')}"
        await service.act(case.case_id, req("complain", enterprise, "服务敷衍"))
        await service.act(case.case_id, officer("verify_complaint", complaint=n))
    view = await service.act(
        case.case_id, officer("exit", "三家企业投诉经核实", reason="complaints_threshold")
    )
    assert view.state == CaseState.EXITED
    row = store.audit(case.case_id)[-1]
    assert (row.action, row.data["reason"], row.data["clause"]) == (
        "exit",
        "complaints_threshold",
        "第十六条(四)",
    )
    assert row.data["ban"] == {
        "policy": "wenzhou-2021",
        "starts": "2026-03-08",
        "ends": "2029-03-07",
    }

    again = simple("wenzhou-2021", credit_code=case.credit_code)
    later = open_round(store, "wenzhou-2021", "2028")
    with pytest.raises(LifecycleError) as refused:
        await service.apply("wenzhou-2021", again, later, now=at("2028-03-08"))
    assert str(refused.value) == (
        f"{case.credit_code} is banned from applying until 2029-03-07: 被3家及以上企业投诉或"
        "同一企业投诉3次及以上, 经核实造成恶劣影响 (wenzhou-2021 第十六条(四))."
    )
    assert await service.apply("wenzhou-2021", again, later, now=at("2029-03-08"))
    other = simple("guangzhou-2024", credit_code=case.credit_code)
    gz = open_round(store, "guangzhou-2024", "2028")
    assert await service.apply("guangzhou-2024", other, gz, now=at("2028-03-03")), (
        "a ban holds in its own programme"
    )


async def test_guangzhou_clearance_is_proposed_confirmed_and_bars_for_good(service, env, store):
    case = await listed(service, env, store, "guangzhou-2024", "2026-03-02")
    exit_ = officer("exit", "违规收取费用", reason="improper_fees", meeting="2026年第9次局务会")
    with pytest.raises(LifecycleError, match=r"proposed first \('propose_exit'\).*§4.4\(清退\)"):
        await service.act(case.case_id, exit_)
    await service.act(case.case_id, officer("propose_exit", reason="falsified"))
    with pytest.raises(
        LifecycleError, match=r"clearance was proposed on 2026-03-\d\d \(falsified\)"
    ):
        await service.act(case.case_id, officer("propose_exit", reason="improper_fees"))
    [proposal] = (await service.view(case.case_id)).case.listed.decisions
    assert (proposal.kind, proposal.reason, proposal.clause) == (
        "exit_proposal",
        "falsified",
        "§4.4(清退)",
    )
    # The meeting does not confirm it: closed, then proposed again on other grounds.
    await service.act(
        case.case_id, officer("close_decision", "局务会未予确认", decision=proposal.id)
    )
    with pytest.raises(LifecycleError, match="needs 2 failed evaluations in total"):
        await service.act(case.case_id, officer("propose_exit", reason="failed_twice"))
    await service.act(case.case_id, officer("propose_exit", reason="improper_fees"))
    with pytest.raises(LifecycleError, match="data meeting is None; it must be a text"):
        await service.act(case.case_id, officer("exit", "确认清退", reason="improper_fees"))
    with pytest.raises(LifecycleError, match="proposed for 'improper_fees'"):
        await service.act(
            case.case_id, officer("exit", "x", reason="falsified", meeting="第9次局务会")
        )
    assert (await service.view(case.case_id)).case.state == CaseState.LISTED
    view = await service.act(case.case_id, exit_)
    assert view.state == CaseState.EXITED
    row = store.audit(case.case_id)[-1]
    assert (row.data["meeting"], row.data["ban"]["ends"]) == ("2026年第9次局务会", None)

    again = simple("guangzhou-2024", credit_code=case.credit_code)
    with pytest.raises(LifecycleError, match="banned from applying permanently: 违规收取费用"):
        await service.apply(
            "guangzhou-2024",
            again,
            open_round(store, "guangzhou-2024", "2031"),
            now=at("2031-03-03"),
        )


async def test_rectification_failed_exits_without_a_meeting_or_a_ban(service, env, store):
    case = await listed(service, env, store, "guangzhou-2024", "2026-03-02")
    await service.act(
        case.case_id,
        officer("order_rectification", "违背诚信", grounds="bad_faith", working_days=1),
    )
    await env.sleep(dt.timedelta(days=4))  # the order's one working day passes unfixed
    await service.act(case.case_id, officer("exit", "整改未完成", reason="rectification_failed"))
    assert store.audit(case.case_id)[-1].data["ban"] is None
    again = simple("guangzhou-2024", credit_code=case.credit_code)
    rnd = open_round(store, "guangzhou-2024", "2027")
    assert await service.apply("guangzhou-2024", again, rnd, now=at("2027-03-03"))


async def test_closing_a_programme_closes_each_open_case_once(service, env, store):
    from lifecycle.app.programme import close_programme

    one = await listed(service, env, store, "guangzhou-2024", "2026-03-02")
    two = await listed(service, env, store, "guangzhou-2024", "2026-03-02")
    gone = await listed(service, env, store, "guangzhou-2024", "2026-03-02")
    await service.act(gone.case_id, officer("propose_exit", reason="asked_to_leave"))
    await service.act(
        gone.case_id, officer("exit", "自行退出", reason="asked_to_leave", meeting="第3次局务会")
    )
    with pytest.raises(LifecycleError, match="wuhan-2021 has no closing clause; guangzhou-2024"):
        await close_programme(service, "wuhan-2021", OFFICER, "验收")
    results = await close_programme(service, "guangzhou-2024", OFFICER, "试点工作验收完成")
    assert sorted(c for c, _, closed in results if closed) == sorted([one.case_id, two.case_id])
    for case in (one, two):
        rows = store.audit(case.case_id)
        assert (rows[-1].action, rows[-1].clause, rows[-1].to_state) == (
            "close_programme",
            "§5.2",
            "closed",
        )
        assert store.case(case.case_id).state == "closed"
    assert await close_programme(service, "guangzhou-2024", OFFICER, "再次执行") == []
    assert store.case(gone.case_id).state == "exited"
    assert [r.action for r in store.audit(one.case_id)].count("close_programme") == 1
