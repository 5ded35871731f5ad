"""Refused actions and applications change nothing: no history event, no audit row."""

import datetime as dt

import pytest

from lifecycle.domain.states import CaseState
from lifecycle.errors import LifecycleError
from tests.helpers import assert_eventually
from tests.workflows.cases import DISTRICT, EXPERT, OFFICER, at, qingdao, req, simple
from tests.workflows.test_admission import open_round


async def update_events(service, case_id: str) -> int:
    """Updates that reached history (a refused one never does)."""
    history = await service.handle(case_id).fetch_history()
    return sum(
        1
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    )


async def applied(service, store, **app_fields) -> str:
    rnd = open_round(store, "qingdao-2024")
    return await service.apply("qingdao-2024", qingdao(**app_fields), rnd, now=at("2025-09-26"))


@pytest.mark.parametrize(
    ("steps", "action", "message"),
    [
        ([], req("publicise", OFFICER), "'publicise' is not allowed while the case is submitted"),
        ([], req("pass_preliminary", DISTRICT), "not allowed while the case is submitted"),
        (
            [req("begin_review", OFFICER)],
            req("pass_preliminary", OFFICER),
            "a bureau_officer may not 'pass_preliminary'; only district_officer may",
        ),
        (
            [req("begin_review", OFFICER)],
            req("pass_preliminary", "district_officer:zhao@黄岛区"),
            "a district officer of '黄岛区' may not act on a case of district '市南区'",
        ),
        (
            [req("begin_review", OFFICER)],
            req("fail_preliminary", DISTRICT),
            "'fail_preliminary' needs a reason",
        ),
        ([], req("object", "public:someone", "异议"), "'object' is not allowed while the case is"),
        (
            [req("begin_review", OFFICER), req("pass_preliminary", DISTRICT)],
            req("score", EXPERT, score=300, rank=1, recommended=True),
            "'score' refused: --data: score is 300; it must be less than or equal to 110",
        ),
        (
            [req("begin_review", OFFICER), req("pass_preliminary", DISTRICT)],
            req("publicise", OFFICER),
            "the expert panel has not recommended this case",
        ),
        (
            [],
            req("withdraw", "provider:91350100M000100Y43", "改主意"),
            "provider '91350100M000100Y43' may act only on its own case",
        ),
        ([], req("fly", OFFICER), "'fly' is not an action of qingdao-2024"),
        ([], req("begin_review", "mayor:x"), "--as is 'mayor:x'"),
    ],
)
async def test_refused_action_leaves_history_unchanged(service, store, steps, action, message):
    case_id = await applied(service, store)
    for step in steps:
        await service.act(case_id, step)
    assert await update_events(service, case_id) == len(steps)
    await assert_eventually(lambda: _async(len(store.audit(case_id)) == len(steps) + 1))
    rows = len(store.audit(case_id))
    state = (await service.view(case_id)).case.state
    with pytest.raises(LifecycleError, match=message):
        await service.act(case_id, action)
    assert await update_events(service, case_id) == len(steps)
    assert len(store.audit(case_id)) == rows
    assert (await service.view(case_id)).case.state == state


async def test_provider_withdraws_its_own_case(service, store):
    app = qingdao()
    case_id = await service.apply(
        "qingdao-2024", app, open_round(store, "qingdao-2024"), now=at("2025-09-26")
    )
    result = await service.act(case_id, req("withdraw", f"provider:{app.credit_code}", "战略调整"))
    assert result.state == CaseState.WITHDRAWN
    with pytest.raises(LifecycleError, match="is closed \\(withdrawn\\)"):
        await service.act(case_id, req("begin_review", OFFICER))


async def test_passing_with_an_open_finding_needs_a_reason(service, store):
    case_id = await applied(service, store, facts={"sector_cases": 1, "technical_staff": 3})
    view = await service.view(case_id)
    assert {f.id for f in view.case.findings} == {"own_ip", "product_cases"}
    await service.act(case_id, req("begin_review", OFFICER))
    with pytest.raises(LifecycleError, match="2 open finding\\(s\\); passing it needs a reason"):
        await service.act(case_id, req("pass_preliminary", DISTRICT))
    await service.act(case_id, req("pass_preliminary", DISTRICT, "知识产权证书补交, 案例核实"))
    case = (await service.view(case_id)).case
    assert all(f.answer == "知识产权证书补交, 案例核实" for f in case.findings)
    assert case.state == CaseState.EXPERT_REVIEW


async def test_chain_leader_shortfall_is_an_in_principle_finding(service, store):
    case_id = await applied(
        service,
        store,
        provider_type="chain_leader",
        own_sector="appliances",
        sectors=["appliances"],
        facts={"chain_pilot_enterprises": 12, "revenue_last_year_cny": 6e8, "technical_staff": 30},
    )
    findings = (await service.view(case_id)).case.findings
    assert [(f.id, f.in_principle, f.observed) for f in findings] == [("chain_revenue", True, 6e8)]


async def test_selection_maximum_per_sector_and_type(service, store):
    rnd = open_round(store, "qingdao-2024")
    ids = []
    for _ in range(4):
        app = qingdao("chain_leader", ("rail_transit",))
        ids.append(await service.apply("qingdao-2024", app, rnd, now=at("2025-09-26")))
    for case_id in ids:
        await service.act(case_id, req("begin_review", OFFICER))
        await service.act(case_id, req("pass_preliminary", DISTRICT))
        await service.act(case_id, req("score", EXPERT, score=80, rank=1, recommended=True))
    for case_id in ids[:3]:
        await service.act(case_id, req("publicise", OFFICER))
    with pytest.raises(
        LifecycleError,
        match=r"the chain_leader selection in sector rail_transit already holds 3 of at most 3 "
        r"\(qingdao-2024 §一\)",
    ):
        await service.act(ids[3], req("publicise", OFFICER))
    assert (await service.view(ids[3])).case.state == CaseState.EXPERT_REVIEW
    assert [r.action for r in store.audit(ids[3])][-1] == "score"


# --- applications refused outright ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"credit_code": "91370200MA3C000010"},
            "credit_code: credit code '91370200MA3C000010' ends",
        ),
        ({"credit_report": None}, "credit_report is missing; qingdao-2024 requires it"),
        (
            {"sectors": ["auto_parts", "rail_transit", "appliances"]},
            "sectors names 3 sectors; a product applicant may name at most 2",
        ),
        (
            {
                "provider_type": "chain_leader",
                "own_sector": "appliances",
                "sectors": ["auto_parts"],
            },
            "may apply only in its own sector 'appliances'",
        ),
        ({"sectors": ["shipbuilding"]}, "sector 'shipbuilding' is not one of qingdao-2024's"),
        ({"provider_type": "reseller"}, "provider_type 'reseller' is not one of qingdao-2024's"),
    ],
)
async def test_invalid_applications_are_refused(service, store, fields, message):
    with pytest.raises(LifecycleError, match=message):
        await applied(service, store, **fields)
    assert store.cases() == []


async def test_second_application_with_the_same_id_is_refused(service, store):
    app = qingdao()
    rnd = open_round(store, "qingdao-2024")
    case_id = await service.apply("qingdao-2024", app, rnd, now=at("2025-09-26"))
    await assert_eventually(lambda: _async(len(store.audit(case_id)) == 1))
    with pytest.raises(
        LifecycleError, match=f"already has a case in qingdao-2024 round t: {case_id}"
    ):
        await service.apply("qingdao-2024", app, rnd, now=at("2025-09-26"))
    assert len(store.audit(case_id)) == 1 and len(store.cases()) == 1


async def test_branch_of_an_entity_already_applying_is_refused(service, store):
    parent = qingdao()
    rnd = open_round(store, "qingdao-2024")
    held = await service.apply("qingdao-2024", parent, rnd, now=at("2025-09-26"))
    branch = qingdao(parent_credit_code=parent.credit_code)
    with pytest.raises(
        LifecycleError, match=f"already applies in qingdao-2024 round t as {held}.*§二"
    ):
        await service.apply("qingdao-2024", branch, rnd, now=at("2025-09-26"))
    sister = qingdao(parent_credit_code=parent.credit_code)
    other_round = open_round(store, "qingdao-2024", "t2")
    assert await service.apply("qingdao-2024", sister, other_round, now=at("2025-09-26"))


async def test_banned_provider_is_refused_with_reason_clause_and_end(service, store):
    app = simple("wenzhou-2021")
    store.add_ban(
        app.credit_code,
        "被3家企业投诉, 经核实造成恶劣影响",
        "wenzhou-2021 第十六条",
        starts=dt.date(2025, 1, 10),
        ends=dt.date(2028, 1, 9),
    )
    rnd = open_round(store, "wenzhou-2021")
    with pytest.raises(
        LifecycleError, match="banned from applying until 2028-01-09: 被3家企业投诉.*第十六条"
    ):
        await service.apply("wenzhou-2021", app, rnd, now=at("2025-09-26"))
    assert await service.apply("wenzhou-2021", app, rnd, now=at("2028-01-10"))


async def test_application_after_the_round_closes_is_refused(service, store):
    rnd = open_round(store, "qingdao-2024", "late", applications_close=dt.date(2025, 9, 25))
    with pytest.raises(LifecycleError, match="closed at 2025-09-25 24:00"):
        await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-26", hour=0))
    assert await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-25", hour=23))


async def test_round_close_starts_review_and_a_late_review_shows_overdue(service, env, store):
    rnd = open_round(
        store,
        "qingdao-2024",
        "2025-q",
        applications_close=dt.date(2025, 9, 30),
        preliminary_review_due=dt.date(2025, 10, 10),
    )
    case_id = await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-26"))
    await assert_eventually(lambda: _async(len(store.audit(case_id)) == 1))
    await env.sleep(dt.timedelta(days=5))  # past 30 Sep 24:00
    view = await service.view(case_id)
    assert view.case.state == CaseState.PRELIMINARY_REVIEW
    assert store.audit(case_id)[-1].actor_role == "system"
    assert view.overdue == []
    await env.sleep(dt.timedelta(days=12))  # past 10 Oct 24:00
    view = await service.view(case_id)
    assert view.case.state == CaseState.PRELIMINARY_REVIEW  # shown overdue, not decided
    assert view.overdue == ["preliminary_review_due"]
    await service.act(case_id, req("pass_preliminary", DISTRICT))
    assert (await service.view(case_id)).overdue == []


async def _async(value):
    return value
