"""Admission (DOMAIN.md §4–5) on the time-skipping server: every pack's path, the public notice
window across holidays, objections, and the audit trail in a real SQLite store."""

import asyncio
import datetime as dt

import pytest

from lifecycle.domain.states import CaseState
from tests.workflows.cases import (
    EXPERT,
    OFFICER,
    assert_audit_matches,
    at,
    qingdao,
    req,
    simple,
    to_publicity,
    trail,
)

DAY = dt.timedelta(days=1)


def open_round(store, policy: str, name: str = "t", **dates) -> str:
    store.set_round(
        policy,
        name,
        applications_close=dates.get("applications_close"),
        preliminary_review_due=dates.get("preliminary_review_due"),
        expert_review_due=dates.get("expert_review_due"),
    )
    return name


async def test_qingdao_path_to_listing_across_national_day_2025(service, env, store):
    rnd = open_round(store, "qingdao-2024")
    case_id = await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-26"))
    await to_publicity(service, case_id, preliminary=True)
    view = await service.view(case_id)
    notice = view.case.deadlines["public_notice"]
    assert (notice.date.isoformat(), notice.provisional) == ("2025-10-09", False)
    assert notice.closes_at.isoformat() == "2025-10-10T00:00:00+08:00"
    await env.sleep(12 * DAY)  # business time: Oct 8, still inside the window
    assert (await service.view(case_id)).case.state == CaseState.PUBLICITY
    await env.sleep(2 * DAY)
    case = (await service.view(case_id)).case
    assert case.state == CaseState.LISTED
    assert trail(store, case_id) == [
        "apply",
        "begin_review",
        "pass_preliminary",
        "score",
        "publicise",
        "list",
    ]
    assert store.audit(case_id)[-1].actor_role == "system"
    assert store.case(case_id).state == "listed"
    assert_audit_matches(store, case)


@pytest.mark.parametrize("policy", ["wenzhou-2021", "guangzhou-2024"])
async def test_publicity_packs_reach_listing(service, env, store, policy):
    rnd = open_round(store, policy)
    case_id = await service.apply(policy, simple(policy), rnd, now=at("2026-02-12"))
    await to_publicity(service, case_id, preliminary=False)
    # Thu 12, Fri 13, Sat 14 (make-up), Spring Festival 15–23, Tue 24, Wed 25 Feb 2026.
    assert (await service.view(case_id)).case.deadlines["public_notice"].date.isoformat() == (
        "2026-02-25"
    )
    await env.sleep(14 * DAY)
    case = (await service.view(case_id)).case
    assert case.state == CaseState.LISTED
    assert_audit_matches(store, case)


@pytest.mark.parametrize(
    ("policy", "steps"),
    [
        ("wuhan-2021", [("begin_review", OFFICER), ("score", EXPERT), ("admit", OFFICER)]),
        ("anhui-2019", [("begin_review", OFFICER), ("score", EXPERT), ("admit", OFFICER)]),
        ("anhui-2019", [("admit_directly", OFFICER)]),
    ],
)
async def test_bureau_decided_packs_list_without_public_notice(service, store, policy, steps):
    rnd = open_round(store, policy)
    case_id = await service.apply(policy, simple(policy), rnd, now=at("2025-03-03"))
    for action, actor in steps:
        data = {"score": 75, "rank": 1, "recommended": True} if action == "score" else {}
        await service.act(case_id, req(action, actor, **data))
    case = (await service.view(case_id)).case
    assert case.state == CaseState.LISTED
    assert "public_notice" not in case.deadlines
    assert_audit_matches(store, case)


async def test_upheld_objection_rejects(service, store):
    case_id = await service.apply(
        "qingdao-2024", qingdao(), open_round(store, "qingdao-2024"), now=at("2025-09-26")
    )
    await to_publicity(service, case_id, preliminary=True)
    await service.act(case_id, req("object", "public:citizen-7", "案例材料与事实不符"))
    await service.act(case_id, req("uphold_objection", OFFICER, "经核实, 案例造假"))
    handle = service.handle(case_id)
    case = (await handle.result()).case
    assert case.state == CaseState.REJECTED
    assert case.objections[0].status == "upheld"
    assert store.case(case_id).state == "rejected"
    assert_audit_matches(store, case)


async def test_dismissed_objection_lists_at_closing(service, env, store):
    case_id = await service.apply(
        "qingdao-2024", qingdao(), open_round(store, "qingdao-2024"), now=at("2025-09-26")
    )
    await to_publicity(service, case_id, preliminary=True)
    await service.act(case_id, req("object", "public:citizen-8", "怀疑重复申报"))
    await service.act(case_id, req("dismiss_objection", OFFICER, "未发现重复申报"))
    assert (await service.view(case_id)).case.state == CaseState.PUBLICITY
    await env.sleep(15 * DAY)
    assert (await service.view(case_id)).case.state == CaseState.LISTED


async def test_objection_undecided_at_closing_holds_the_case(service, env, store):
    case_id = await service.apply(
        "qingdao-2024", qingdao(), open_round(store, "qingdao-2024"), now=at("2025-09-26")
    )
    await to_publicity(service, case_id, preliminary=True)
    await service.act(case_id, req("object", "public:citizen-9", "资质存疑"))
    await env.sleep(20 * DAY)
    view = await service.view(case_id)
    assert view.case.state == CaseState.PUBLICITY
    assert view.case.deadlines["public_notice"].expired and view.case.open_objections == 1
    result = await service.act(case_id, req("dismiss_objection", OFFICER, "资质核实无误"))
    assert result.state == CaseState.LISTED
    case = (await service.view(case_id)).case
    assert trail(store, case_id)[-2:] == ["dismiss_objection", "list"]
    assert_audit_matches(store, case)


async def test_objection_signal_from_another_system_is_applied_once(service, store):
    case_id = await service.apply(
        "qingdao-2024", qingdao(), open_round(store, "qingdao-2024"), now=at("2025-09-26")
    )
    await to_publicity(service, case_id, preliminary=True)
    from lifecycle.contracts import EVENT, ExternalEvent

    event = ExternalEvent(
        event_id="platform-42",
        action="object",
        actor="public:platform",
        reason="来自政策平台的异议",
    )
    handle = service.handle(case_id)
    await handle.signal(EVENT, event)
    await handle.signal(EVENT, event)
    # The officer dismisses the objection once it shows on the case (a signal is applied after
    # the case has asked whether it saw the event before, so not at once).
    for _ in range(200):
        case = (await service.view(case_id)).case
        if case.objections:
            break
        await asyncio.sleep(0.05)
    await service.act(case_id, req("dismiss_objection", OFFICER, "不成立"))
    case = (await service.view(case_id)).case
    assert len(case.objections) == 1 and case.objections[0].status == "dismissed"
    assert trail(store, case_id).count("object") == 1  # the second delivery applied nothing


async def test_provisional_window_is_counted_again_once_the_year_is_published(
    service, env, store, tmp_path, monkeypatch
):
    calendar_dir = tmp_path / "calendar"
    calendar_dir.mkdir()
    monkeypatch.setenv("LIFECYCLE_CALENDAR_DIR", str(calendar_dir))
    case_id = await service.apply(
        "qingdao-2024", qingdao(), open_round(store, "qingdao-2024"), now=at("2027-09-28")
    )
    await to_publicity(service, case_id, preliminary=True)
    notice = (await service.view(case_id)).case.deadlines["public_notice"]
    assert (notice.date.isoformat(), notice.provisional) == ("2027-10-05", True)
    # The bureau loads the State Council's 2027 notice while the window is open.
    (calendar_dir / "2027.toml").write_text(
        'year = 2027\nnotice = "国办发明电"\n[[holidays]]\nname = "国庆节"\n'
        "first = 2027-10-01\nlast = 2027-10-07\nmakeup = [2027-09-26, 2027-10-09]\n",
        encoding="utf-8",
    )
    await env.sleep(8 * DAY)  # past 5 Oct 24:00, the provisional close
    view = await service.view(case_id)
    assert view.case.state == CaseState.PUBLICITY
    notice = view.case.deadlines["public_notice"]
    assert (notice.date.isoformat(), notice.provisional) == ("2027-10-09", False)
    assert store.case(case_id).next_deadline == notice.closes_at
    await env.sleep(4 * DAY)  # past 9 Oct 24:00
    assert (await service.view(case_id)).case.state == CaseState.LISTED
