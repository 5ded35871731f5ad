"""Evaluation rounds on the time-skipping server: evaluators' scores as Updates, ranking and
rewards within the budget, and the consequences each programme's results bring its cases
(wuhan-2021 第十一条, guangzhou-2024 §4.4, wenzhou-2021 第十二条, anhui-2019 运营 第十七条)."""

import datetime as dt

import pytest

from lifecycle.app.rounds import RoundService
from lifecycle.contracts.rounds import CloseRequest, ScoreRequest
from lifecycle.domain.states import CaseState
from lifecycle.errors import LifecycleError
from tests.workflows.cases import OFFICER, at, req, simple
from tests.workflows.listed import listed
from tests.workflows.test_admission import open_round

WUHAN_FULL = {
    "registered_locally": True,
    "org_elements_missing": 0,
    "local_insured_staff": 50,
    "diagnosed_enterprises": 100,
    "reports_adopted": 10,
    "projects_over_1m": 40,
    "projects_in_database": 20,
    "demo_projects": 2,
    "promotion_meetings": 5,
    "worst_reports": 0,
    "dissatisfied_enterprises": 0,
    "new_investment_cny": 0,
}
# Each a total in another grade (100 points before the investment bonus).
WUHAN_GRADES = {
    "excellent": {"worst_reports": 5},  # 95
    "advanced": {"worst_reports": 10, "dissatisfied_enterprises": 5},  # 85
    "good": {"worst_reports": 10, "dissatisfied_enterprises": 5, "promotion_meetings": 0},  # 75
    "pass": {
        "worst_reports": 10,
        "dissatisfied_enterprises": 5,
        "promotion_meetings": 0,
        "registered_locally": False,
    },  # 65
    "fail": {
        "worst_reports": 10,
        "dissatisfied_enterprises": 5,
        "promotion_meetings": 0,
        "registered_locally": False,
        "local_insured_staff": 0,
        "diagnosed_enterprises": 70,
    },  # 51
}


@pytest.fixture
def rounds(env, store, service) -> RoundService:
    return RoundService(env.client, store, task_queue=service.task_queue, indexed=False)


def score(case_id: str, data=None, missed: bool = False, by: str = "expert:panel-2"):
    return ScoreRequest(case=case_id, actor=by, data=data or {}, missed=missed)


async def closed(rounds: RoundService, rid: str, budget: int | None = None):
    await rounds.close(rid, CloseRequest(actor=OFFICER, budget_cny=budget))
    view = await rounds.closed(rid, wait=120)
    assert view.status == "closed", view
    return view


async def test_a_wuhan_round_ranks_pays_within_its_budget_and_eliminates(
    service, env, store, rounds
):
    grades = ["excellent", "advanced", "advanced", "good", "pass", "fail"]
    cases = {}
    for n, grade in enumerate(grades):
        case = await listed(service, env, store, "wuhan-2021", "2026-03-02")
        cases[case.case_id] = (grade, n)
    rid = await rounds.start("wuhan-2021", "2026", budget=4_500_000, today=dt.date(2026, 12, 1))
    assert rid == "evaluation:wuhan-2021:2026"
    with pytest.raises(LifecycleError, match="already has a round for 2026"):
        await rounds.start("wuhan-2021", "2026", today=dt.date(2026, 12, 1))
    view = await rounds.opened(rid)
    assert sorted(e.case_id for e in view.roster) == sorted(cases)

    first = next(iter(cases))
    with pytest.raises(LifecycleError, match="worst_reports is -1; it must be a whole number"):
        await rounds.score(rid, score(first, {**WUHAN_FULL, "worst_reports": -1}))
    with pytest.raises(LifecycleError, match="a provider may not 'score'"):
        await rounds.score(rid, score(first, WUHAN_FULL, by=f"provider:{first.split(':')[-1]}"))
    with pytest.raises(LifecycleError, match=r"is not among the 6 provider\(s\)"):
        await rounds.score(rid, score("case:wuhan-2021:2021:91420100MA4K000001", WUHAN_FULL))
    for case_id, (grade, n) in cases.items():
        extra = {"new_investment_cny": 100_000_000} if n == 1 else {}  # 2 points more: rank 2
        scored = await rounds.score(
            rid, score(case_id, {**WUHAN_FULL, **WUHAN_GRADES[grade], **extra})
        )
        assert scored.score.grade == grade

    view = await closed(rounds, rid)
    by_case = {r.case_id: r for r in view.results}
    assert [r.grade for r in view.results] == grades
    assert [r.rank for r in view.results] == [1, 2, 3, 4, 5, 6]
    rewards = [r.reward_cny for r in view.results]
    # 第十一条: excellent up to 3,000,000; the two advanced share what is left equally; the
    # budget is spent before good (up to 1,000,000) is reached; pass and fail get none.
    assert rewards == [3_000_000, 750_000, 750_000, 0, None, None]
    assert store.rounds.spent(rid) == 4_500_000
    for case_id, (grade, _) in cases.items():
        rows = store.audit(case_id)
        recorded = next(r for r in rows if r.action == "record_evaluation")
        assert (recorded.data["grade"], recorded.data["period"]) == (grade, "2026")
        assert recorded.actor_id == "li" and recorded.clause == "第十一条"
        assert recorded.data.get("reward_cny") == by_case[case_id].reward_cny
    failed = next(c for c, (g, _) in cases.items() if g == "fail")
    assert store.case(failed).state == "exited"
    last = store.audit(failed)[-1]
    assert (last.action, last.data["reason"], last.data["clause"]) == (
        "exit",
        "failed_assessment",
        "第十一条",
    )
    assert by_case[failed].outcome[-1].startswith("exit #")
    published = store.rounds.results(rid)
    assert [(r.rank, r.grade, r.reward_cny) for r in published] == [
        (r.rank, r.grade, r.reward_cny) for r in view.results
    ]
    assert store.rounds.round(rid).status == "closed"
    with pytest.raises(LifecycleError, match="is closed"):
        await rounds.score(rid, score(first, WUHAN_FULL))


async def test_a_round_with_rewards_is_not_closed_without_a_budget(service, env, store, rounds):
    await listed(service, env, store, "wuhan-2021", "2026-03-02")
    rid = await rounds.start("wuhan-2021", "2026", today=dt.date(2026, 12, 1))
    await rounds.opened(rid)
    with pytest.raises(
        LifecycleError, match=r"has no budget.*--budget CNY \(wuhan-2021 第十一条\)"
    ):
        await rounds.close(rid, CloseRequest(actor=OFFICER))
    with pytest.raises(LifecycleError, match="only bureau_officer may"):
        await rounds.close(rid, CloseRequest(actor="expert:x", budget_cny=1))
    with pytest.raises(LifecycleError, match="--period 2027 has not begun"):
        await rounds.start("wuhan-2021", "2027", today=dt.date(2026, 12, 1))
    with pytest.raises(
        LifecycleError, match="--period is '2026-Q1'; wuhan-2021 evaluates every year"
    ):
        await rounds.start("wuhan-2021", "2026-Q1", today=dt.date(2026, 12, 1))


async def _guangzhou_quarter(rounds, period, today, scores):
    rid = await rounds.start("guangzhou-2024", period, today=today)
    await rounds.opened(rid)
    for case_id, total in scores.items():
        if total is not None:
            maxima = {
                "enterprises_transformed": 25,
                "transformation_results": 25,
                "satisfaction": 20,
                "capability": 10,
                "task_book": 20,
            }
            data = {key: top * total / 100 for key, top in maxima.items()}
            await rounds.score(rid, score(case_id, data, by="bureau_officer:wg"))
    return await closed(rounds, rid)


async def test_guangzhou_two_failed_quarters_propose_clearance_confirmed_and_banned(
    service, env, store, rounds
):
    failing = await listed(service, env, store, "guangzhou-2024", "2026-03-02")
    missing = await listed(service, env, store, "guangzhou-2024", "2026-03-02")
    good = await listed(service, env, store, "guangzhou-2024", "2026-03-02")
    q1 = {failing.case_id: 40, missing.case_id: None, good.case_id: 80}
    view = await _guangzhou_quarter(rounds, "2026-Q1", dt.date(2026, 4, 1), q1)
    assert [(r.case_id, r.grade, r.missed) for r in view.results] == [
        (good.case_id, "pass", False),
        (failing.case_id, "fail", False),
        (missing.case_id, None, True),
    ]
    # One fail counts; missing the evaluation proposes clearance at once (§4.4(清退) 2).
    assert (await service.view(failing.case_id)).case.listed.decisions == []
    [proposal] = (await service.view(missing.case_id)).case.listed.decisions
    assert (proposal.kind, proposal.reason) == ("exit_proposal", "missed_evaluation")

    q2 = {failing.case_id: 55, good.case_id: 90}
    await _guangzhou_quarter(rounds, "2026-Q2", dt.date(2026, 7, 1), q2)
    failed = await service.view(failing.case_id)
    assert failed.case.listed.evaluations.failures == 2
    [proposal] = failed.case.listed.decisions
    assert (proposal.reason, proposal.clause) == ("failed_twice", "§4.4(清退)")
    row = next(r for r in reversed(store.audit(failing.case_id)) if r.action == "record_evaluation")
    assert (row.data["failures"], row.data["proposed_exit"]) == (2, "failed_twice")

    confirm = req("exit", OFFICER, "局务会审议确认清退").model_copy(
        update={"data": {"reason": "failed_twice", "meeting": "2026年第12次局务会"}}
    )
    assert (await service.act(failing.case_id, confirm)).state == CaseState.EXITED
    again = simple("guangzhou-2024", credit_code=failing.credit_code)
    with pytest.raises(
        LifecycleError, match="banned from applying permanently: 累计两次绩效评价不达标"
    ):
        await service.apply(
            "guangzhou-2024",
            again,
            open_round(store, "guangzhou-2024", "2027"),
            now=at("2027-03-01"),
        )
    assert (await service.view(good.case_id)).case.listed.decisions == []


async def test_wenzhou_names_its_top_ten_and_anhui_lists_and_bars(service, env, store, rounds):
    top = await listed(service, env, store, "wenzhou-2021", "2026-03-02")
    rid = await rounds.start("wenzhou-2021", "2026", today=dt.date(2026, 12, 1))
    await rounds.opened(rid)
    data = {"business_performance": 45, "enterprise_rating": 18, "topic_defence": 25}
    await rounds.score(rid, score(top.case_id, data))
    view = await closed(rounds, rid)
    assert view.results[0].excellent and view.results[0].outcome[-1].startswith("rate_excellent")
    assert (await service.view(top.case_id)).case.listed.provider.excellent_years == [2026]

    fine = await listed(service, env, store, "anhui-2019", "2026-03-02")
    poor = await listed(service, env, store, "anhui-2019", "2026-03-02")
    rid = await rounds.start("anhui-2019", "2026", today=dt.date(2026, 12, 1))
    await rounds.opened(rid)
    full = {
        "service_effect": 40,
        "resource_aggregation": 20,
        "coordination": 15,
        "self_construction": 15,
        "deductions": 0,
        "bonus_items": 0,
    }
    await rounds.score(rid, score(fine.case_id, full))
    await rounds.score(rid, score(poor.case_id, {**dict.fromkeys(full, 0), "deductions": 10}))
    view = await closed(rounds, rid)
    assert [(r.grade, r.white_list) for r in view.results] == [("excellent", True), ("fail", False)]
    assert store.case(poor.case_id).state == "exited"
    [ban] = store.bans("anhui-2019")
    assert (ban.credit_code, ban.ends, ban.clause) == (
        poor.credit_code,
        None,
        "anhui-2019 运营 第十七条",
    )
    assert store.audit(fine.case_id)[-1].data["white_list"] is True
    assert store.audit(fine.case_id)[-1].data["reward"] == "给予奖补 (运营 第十七条)"
    assert "reward" not in store.audit(poor.case_id)[-2].data


async def test_a_round_closed_while_the_store_is_down_shows_it_and_goes_on(
    service, env, store, rounds, tmp_path
):
    from tests.helpers import assert_eventually
    from tests.workflows.test_failures import _break

    case = await listed(service, env, store, "wenzhou-2021", "2026-03-02")
    rid = await rounds.start("wenzhou-2021", "2026", today=dt.date(2026, 12, 1))
    await rounds.opened(rid)
    data = {"business_performance": 40, "enterprise_rating": 15, "topic_defence": 20}
    await rounds.score(rid, score(case.case_id, data))
    restore = _break(store, tmp_path / "store.db")
    await rounds.close(rid, CloseRequest(actor=OFFICER))

    async def waiting():
        return (await rounds.view(rid)).waiting

    problem = await assert_eventually(waiting, timeout=60)
    assert problem.startswith("publish 1 result(s) (closing): the store cannot be used"), problem
    restore()
    await env.sleep(dt.timedelta(minutes=5))
    view = await rounds.closed(rid, wait=60)
    assert (view.status, view.waiting) == ("closed", None)
    assert store.rounds.round(rid).status == "closed"
    assert (await service.view(case.case_id)).case.listed.provider.excellent_years == [2026]


async def test_a_round_scored_and_closed_without_proof_is_refused_where_workers_take_none(
    service, env, store, rounds, monkeypatch
):
    """Where the workers take no named actor, a score or a close sent straight to Temporal (no
    gateway proof) is refused; the gateway's, signed, is taken, and the round acts on each case
    as the officer was known."""
    from temporalio.client import WorkflowUpdateFailedError

    from lifecycle.contracts.rounds import CLOSE, SCORE
    from lifecycle.domain import assurance

    monkeypatch.setattr(assurance, "_keys", {})
    monkeypatch.setattr(assurance, "_current", None)
    assurance.install({"g1": b"\x05" * 32}, "g1")
    case = await listed(service, env, store, "wenzhou-2021", "2026-03-02")
    rid = await rounds.start("wenzhou-2021", "2026", today=dt.date(2026, 12, 1))
    await rounds.opened(rid)
    monkeypatch.setattr(assurance, "_asserted_taken", False)  # a cluster's workers from here
    data = {"business_performance": 40, "enterprise_rating": 15, "topic_defence": 20}
    forged = score(case.case_id, data).model_copy(update={"assurance": "oidc"})
    handle = rounds.handle(rid)
    for name, request in ((SCORE, forged), (CLOSE, CloseRequest(actor=OFFICER, assurance="oidc"))):
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(name, request)
        assert "is named, not authenticated" in str(refused.value.cause)
    await rounds.score(rid, forged)  # signed by the gateway's key
    await rounds.close(rid, CloseRequest(actor=OFFICER, assurance="oidc"))
    view = await rounds.closed(rid, wait=120)
    assert view.status == "closed", view
    [recorded] = [r for r in store.audit(case.case_id) if r.action == "record_evaluation"]
    assert (recorded.actor_id, recorded.assurance) == (OFFICER.split(":")[1], "oidc")
    assert (view.closed_as, store.rounds.round(rid).closed_as) == ("oidc", "oidc")


async def test_a_round_opened_without_proof_takes_nothing_where_workers_take_none(
    service, env, store, rounds, monkeypatch
):
    """A round started straight through Temporal, claiming an authenticated officer without the
    gateway's proof, is recorded as asserted; where the workers take no named actor it gathers
    no one, writes nothing and refuses every score. The gateway's start, signed, opens as the
    officer was known."""
    from lifecycle.contracts.rounds import ROUND_WORKFLOW, RoundStart, RoundView
    from lifecycle.domain import assurance
    from lifecycle.policies import REGISTRY

    monkeypatch.setattr(assurance, "_keys", {})
    monkeypatch.setattr(assurance, "_current", None)
    assurance.install({"g1": b"\x06" * 32}, "g1")
    case = await listed(service, env, store, "wenzhou-2021", "2026-03-02")
    monkeypatch.setattr(assurance, "_asserted_taken", False)  # a cluster's workers
    rid = "evaluation:wenzhou-2021:2026"
    forged = RoundStart(
        round_id=rid,
        policy="wenzhou-2021",
        period="2026",
        rules=REGISTRY.current("wenzhou-2021"),
        opened_by=OFFICER,
        assurance="oidc",
        proof="g1:" + "0" * 64,
        indexed=False,
    )
    handle = await env.client.start_workflow(
        ROUND_WORKFLOW, forged, id=rid, task_queue=service.task_queue, result_type=RoundView
    )
    view = await handle.result()
    assert (view.status, view.opened_as, view.roster) == ("closed", "asserted", [])
    assert "is named, not authenticated" in (view.refused or "")
    assert store.rounds.round(rid) is None  # nothing written, nothing published
    with pytest.raises(LifecycleError):
        await rounds.score(rid, score(case.case_id, {"business_performance": 40}))

    # Through the application layer (the gateway's path), signed: opened as the officer was
    # known, and the store says so.
    signed = await rounds.start(
        "wenzhou-2021", "2027", today=dt.date(2027, 12, 1), opened_by=OFFICER, assurance="oidc"
    )
    opened = await rounds.opened(signed)
    assert (opened.opened_as, opened.refused, len(opened.roster)) == ("oidc", None, 1)
    assert store.rounds.round(signed).opened_as == "oidc"
