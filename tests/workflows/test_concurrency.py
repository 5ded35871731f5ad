"""Limits shared by many cases hold under concurrent actions; one case takes concurrent actions
one at a time, none lost (time-skipping server, real SQLite store)."""

import asyncio

from lifecycle.contracts import EVENT, ExternalEvent
from lifecycle.domain.states import CaseState
from lifecycle.errors import LifecycleError
from tests.workflows.cases import (
    DISTRICT,
    EXPERT,
    OFFICER,
    assert_audit_matches,
    at,
    qingdao,
    req,
    to_publicity,
    trail,
)
from tests.workflows.test_admission import open_round


async def scored_chain_leaders(service, store, n: int, sector: str = "rail_transit") -> list[str]:
    rnd = open_round(store, "qingdao-2024")
    ids = []
    for _ in range(n):
        app = qingdao("chain_leader", (sector,))
        ids.append(await service.apply("qingdao-2024", app, rnd, now=at("2025-09-26")))
    for case_id in ids:
        await service.act(case_id, req("begin_review", OFFICER))
        await service.act(case_id, req("pass_preliminary", DISTRICT))
        await service.act(case_id, req("score", EXPERT, score=80, rank=1, recommended=True))
    return ids


async def test_concurrent_publicise_beyond_the_cap_selects_exactly_the_cap(service, store):
    ids = await scored_chain_leaders(service, store, 7)
    results = await asyncio.gather(
        *(service.act(c, req("publicise", OFFICER)) for c in ids), return_exceptions=True
    )
    selected = [c for c, r in zip(ids, results, strict=True) if not isinstance(r, Exception)]
    refused = [(c, r) for c, r in zip(ids, results, strict=True) if isinstance(r, Exception)]
    assert len(selected) == 3 and len(refused) == 4
    for case_id, error in refused:
        assert isinstance(error, LifecycleError)
        assert str(error) == (
            "'publicise' refused: the chain_leader selection in sector rail_transit already "
            "holds 3 of at most 3 (qingdao-2024 §一)."
        )
        assert (await service.view(case_id)).case.state == CaseState.EXPERT_REVIEW
        assert trail(store, case_id)[-1] == "score"  # nothing of it recorded as accepted
        assert store.case(case_id).state == "expert_review" and store.held(case_id) == []
    for case_id in selected:
        assert store.held(case_id) == ["qingdao-2024:t:selection:chain_leader:rail_transit"]
        assert store.case(case_id).state == "publicity"


async def test_a_place_is_given_back_when_a_selected_case_ends(service, store):
    ids = await scored_chain_leaders(service, store, 4, sector="appliances")
    for case_id in ids[:3]:
        await service.act(case_id, req("publicise", OFFICER))
    leaver = ids[0]
    code = (await service.view(leaver)).case.credit_code
    await service.act(leaver, req("withdraw", f"provider:{code}", "战略调整"))
    assert store.held(leaver) == []
    result = await service.act(ids[3], req("publicise", OFFICER))
    assert result.state == CaseState.PUBLICITY


async def test_an_upheld_objection_gives_the_place_back(service, store):
    [case_id] = await scored_chain_leaders(service, store, 1, sector="general_parts")
    await service.act(case_id, req("publicise", OFFICER))
    await service.act(case_id, req("object", "public:p", "材料不实"))
    await service.act(case_id, req("uphold_objection", OFFICER, "属实"))
    assert store.case(case_id).state == "rejected" and store.held(case_id) == []


async def test_concurrent_actions_on_one_case_apply_one_at_a_time(service, store):
    rnd = open_round(store, "qingdao-2024")
    case_id = await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-26"))
    await to_publicity(service, case_id, preliminary=True)
    handle = service.handle(case_id)
    people = [service.act(case_id, req("object", f"public:p{n}", f"异议{n}")) for n in range(6)]
    systems = [
        handle.signal(
            EVENT,
            ExternalEvent(
                event_id=f"platform-{n}", action="object", actor=f"public:web-{n}", reason="平台"
            ),
        )
        for n in range(6)
    ]
    await asyncio.gather(*people, *systems)
    await service.act(case_id, req("dismiss_objection", OFFICER, "不成立", objection=1))
    case = (await service.view(case_id)).case
    assert sorted(o.id for o in case.objections) == list(range(1, 13))
    assert trail(store, case_id).count("object") == 12
    assert_audit_matches(store, case)
