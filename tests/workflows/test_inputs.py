"""No input, sent by any route, wedges a case: a battery of bad inputs goes straight through the
SDK (around the command line's own checks) and every case still answers; what the public and
other systems can add to a case is bounded."""

import asyncio
import datetime as dt
import json

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowUpdateFailedError,
)
from temporalio.common import RawValue

from lifecycle.contracts import ACT, EVENT, WORKFLOW, CaseStart, ExternalEvent
from lifecycle.domain.states import CaseState
from lifecycle.errors import LifecycleError
from lifecycle.policies import REGISTRY
from tests.helpers import assert_eventually
from tests.workflows.cases import OFFICER, at, qingdao, req, runs, to_publicity, trail
from tests.workflows.test_admission import open_round
from tests.workflows.test_refusals import update_events

DEEP = "[" * 100_000 + "]" * 100_000


def raw(text: str) -> RawValue:
    return RawValue(Payload(metadata={"encoding": b"json/plain"}, data=text.encode()))


def start_input(**application) -> dict:
    app = json.loads(qingdao().model_dump_json())
    app.update(application)
    start = CaseStart(
        case_id=f"case:qingdao-2024:t:{app['credit_code']}",
        application=qingdao(),
        round_name="t",
        round=REGISTRY.get(REGISTRY.current("qingdao-2024")).round("2024-1"),
        rules=REGISTRY.current("qingdao-2024"),
    )
    payload = json.loads(start.model_dump_json())
    payload["application"] = app
    return payload


async def publicised(service, store) -> str:
    case_id = await service.apply(
        "qingdao-2024", qingdao(), open_round(store, "qingdao-2024"), now=at("2025-09-26")
    )
    await to_publicity(service, case_id, preliminary=True)
    return case_id


BAD_STARTS = {
    "facts with NaN (sent as null)": lambda: json.dumps(start_input(facts={"own_ip": None})),
    "a 1 MB name": lambda: json.dumps(start_input(name="名" * 350_000)),
    "a name with a right-to-left override": lambda: json.dumps(start_input(name="甲\u202e乙")),
    "facts 100,000 levels deep": lambda: json.dumps(start_input()).replace(
        '"facts": {', f'"facts": {{"x": {DEEP}, '
    ),
    "not JSON at all": lambda: "{not json",
}


@pytest.mark.parametrize("what", BAD_STARTS)
async def test_a_bad_start_input_fails_the_case_cleanly_never_in_a_loop(service, what):
    handle = await service.client.start_workflow(
        WORKFLOW,
        raw(BAD_STARTS[what]()),
        id=f"bad-start-{abs(hash(what))}",
        task_queue=service.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert "this case cannot start" in str(failed.value.cause) or "(engine rule)" in str(
        failed.value.cause
    )
    assert (await handle.describe()).status == WorkflowExecutionStatus.FAILED


BAD_UPDATES = {
    "NaN in data": '{"action": "object", "actor": "public:p", "reason": "x", "data": {"n": NaN}}',
    "data 100,000 levels deep": '{"action": "object", "actor": "public:p", "reason": "x", '
    f'"data": {{"d": {DEEP}}}}}',
    "a 1 MB reason": json.dumps(
        {"action": "object", "actor": "public:p", "reason": "异" * 350_000}
    ),
    "60,000 keys of data": json.dumps(
        {
            "action": "object",
            "actor": "public:p",
            "reason": "x",
            "data": {f"k{n}": n for n in range(60_000)},
        }
    ),
    "a NUL in the actor": json.dumps(
        {"action": "object", "actor": "public:p\u0000", "reason": "x"}
    ),
    "the engine's role": json.dumps(
        {"action": "object", "actor": "system:lifecycle", "reason": "x"}
    ),
    "an unknown action": json.dumps({"action": "fly", "actor": "public:p", "reason": "x"}),
    "not an object": "[1, 2, 3]",
    "an event id in the wrong place": json.dumps({"action": "object", "actor": 7}),
}


async def test_bad_updates_are_refused_and_the_case_answers(service, store):
    case_id = await publicised(service, store)
    handle = service.handle(case_id)
    rows = len(store.audit(case_id))
    for what, text in BAD_UPDATES.items():
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(ACT, raw(text), result_type=dict)
        assert (await service.view(case_id)).case.state == CaseState.PUBLICITY, what
    assert len(store.audit(case_id)) == rows
    result = await service.act(case_id, req("object", "public:p", "材料不实"))
    assert result.state == CaseState.PUBLICITY and len(store.audit(case_id)) == rows + 1


async def test_bad_events_are_kept_for_their_senders_and_the_case_answers(service, store):
    case_id = await publicised(service, store)
    handle = service.handle(case_id)
    bad = [
        '{"event_id": "e-deep", "action": "object", "actor": "public:p", "data": {"d": '
        + DEEP
        + "}}",
        '{"event_id": "e-nan", "action": "object", "actor": "public:p", "reason": "x", "data": {"n": NaN}}',
        json.dumps(
            {"event_id": "e-long", "action": "object", "actor": "public:p", "reason": "字" * 3000}
        ),
        json.dumps(
            {"event_id": "e-system", "action": "object", "actor": "system:x", "reason": "x"}
        ),
        json.dumps({"event_id": "e-fly", "action": "fly", "actor": "public:p", "reason": "x"}),
        json.dumps(
            {"event_id": "bad id/../x", "action": "object", "actor": "public:p", "reason": "x"}
        ),
        "garbage",
    ]
    for text in bad:
        await handle.signal(EVENT, raw(text))
    await service.act(case_id, req("object", "public:q", "异议"))  # after the events
    await assert_eventually(lambda: _count_kept(store, len(bad)), timeout=30)
    rejected = {r.event_id: r.reason for r in store.rejected()}
    assert {"e-deep", "e-nan", "e-long", "e-system", "e-fly"} <= set(rejected)
    assert len(rejected) == len(bad)
    assert "cannot be read" in rejected["e-deep"] and "(engine rule)" in rejected["e-long"]
    assert "字" not in "".join(rejected.values()), "a refused event's content is never kept"
    assert (await service.view(case_id)).case.open_objections == 1


async def test_a_thousand_objections_leave_the_case_alive_and_its_runs_in_budget(service, store):
    case_id = await publicised(service, store)
    handle = service.handle(case_id)
    for n in range(1000):  # another system floods the case
        event = ExternalEvent(
            event_id=f"o-{n}", action="object", actor=f"public:p{n % 400}", reason="异议" * 50
        )
        await handle.signal(EVENT, event)
    await assert_eventually(lambda: _settled(store, case_id, 1000), timeout=120)
    view = await service.view(case_id)
    assert len(view.case.objections) == 100 and view.case.state == CaseState.PUBLICITY
    assert trail(store, case_id).count("object") == 100
    reasons = [r.reason for r in store.rejected()]
    assert len(reasons) == 900
    assert sum("the notice has taken 100 objections" in r for r in reasons) > 500
    assert sum("already has an undecided objection" in r for r in reasons) > 100
    assert all(events < 4096 for events, _ in await runs(service.client, case_id))
    # People object through the command line too: refused before anything reaches history.
    accepted = await update_events(service, case_id)
    people = [service.act(case_id, req("object", f"public:web{n}", "异议")) for n in range(200)]
    refused = await asyncio.gather(*people, return_exceptions=True)
    assert all("the notice has taken 100 objections" in str(r) for r in refused)
    assert await update_events(service, case_id) == accepted
    result = await service.act(case_id, req("dismiss_objection", OFFICER, "不成立", objection=1))
    assert result.state == CaseState.PUBLICITY  # still answering and deciding


async def _settled(store, case_id: str, sent: int) -> bool:
    return trail(store, case_id).count("object") + len(store.rejected()) >= sent


async def test_objections_are_judged_at_the_time_they_were_sent(service, env, store):
    """After the notice closed (the case held by an undecided objection), a new objection is
    refused with the closing time; one sent before the close and arriving now is taken."""
    case_id = await publicised(service, store)
    sent_in_time = await env.get_current_time()
    await service.act(case_id, req("object", "public:a", "资质存疑"))
    await env.sleep(dt.timedelta(days=20))  # the notice closed; the objection holds the case
    assert (await service.view(case_id)).case.state == CaseState.PUBLICITY
    with pytest.raises(LifecycleError) as late:
        await service.act(case_id, req("object", "public:b", "逾期的异议"))
    assert str(late.value).startswith(
        "'object' refused: the 公示 closed at 2025-10-09 24:00 (Asia/Shanghai), before this was "
        "sent (2025-10-16"
    )
    queued = ExternalEvent(
        event_id="q-1", action="object", actor="public:c", reason="按时", sent_at=sent_in_time
    )
    await service.handle(case_id).signal(EVENT, queued)  # the platform sent it in time
    await service.act(case_id, req("dismiss_objection", OFFICER, "不成立", objection=1))
    view = await service.view(case_id)
    assert [(o.by, o.status) for o in view.case.objections] == [
        ("public:a", "dismissed"),
        ("public:c", "open"),
    ]
    assert view.case.state == CaseState.PUBLICITY  # held again, until decided


async def _idle(service, case_id: str) -> bool:
    """No workflow task pending: the case waits on its timer alone."""
    described = await service.handle(case_id).describe()
    return not described.raw_description.HasField("pending_workflow_task")


async def _count_kept(store, n: int) -> bool:
    return len(store.rejected()) >= n


async def _kept(store, event_id: str) -> bool:
    return any(r.event_id == event_id for r in store.rejected())


async def test_a_retried_request_is_applied_once(service, store):
    service.history_budget = 40
    case_id = await publicised(service, store)
    first = req("object", "public:a", "材料不实").model_copy(update={"request_id": "k-1"})
    applied = await service.act(case_id, first)
    again = await service.act(case_id, first)
    assert (again.duplicate, again.seq) == (True, applied.seq)
    await service.act(case_id, req("dismiss_objection", OFFICER, "不成立", objection=1))
    for n in range(70):  # the case continues as new and k-1 leaves what it recalls
        objection = req("object", f"public:b{n}", "异议")
        await service.act(case_id, objection.model_copy(update={"request_id": f"k-{n + 2}"}))
        await service.act(case_id, req("dismiss_objection", OFFICER, "不成立", objection=n + 2))
    assert (await service.view(case_id)).run > 1
    late_retry = await service.act(case_id, first)  # the rules would take it again: the store
    assert (late_retry.duplicate, late_retry.seq) == (True, applied.seq)  # knows it was applied
    assert trail(store, case_id).count("object") == 71
    rows = [r for r in store.audit(case_id) if r.event_id == "request:k-1"]
    assert [r.seq for r in rows] == [applied.seq]


async def test_an_action_decided_on_an_older_reading_is_refused_naming_the_last_change(
    service, store
):
    case_id = await publicised(service, store)
    seq = (await service.view(case_id)).case.seq
    await service.act(case_id, req("object", "public:a", "材料不实"))
    stale = req("dismiss_objection", OFFICER, "不成立").model_copy(update={"expected_seq": seq})
    with pytest.raises(LifecycleError) as refused:
        await service.act(case_id, stale)
    assert str(refused.value).startswith(
        f"the case changed since it was read at #{seq}: its last change is #{seq + 1} object by "
        "public:a at 2025-09-26"
    )
    fresh = stale.model_copy(update={"expected_seq": seq + 1})
    assert (await service.act(case_id, fresh)).seq == seq + 2


async def test_an_event_naming_its_actor_without_proof_is_refused_where_workers_take_none(
    service, store, monkeypatch
):
    """Where the workers take no named actor (a cluster), an event sent straight to Temporal
    with no gateway proof is kept as refused, whatever assurance it claims; one the gateway
    signed is applied."""
    from lifecycle.domain import assurance

    monkeypatch.setattr(assurance, "_keys", {})
    monkeypatch.setattr(assurance, "_current", None)
    assurance.install({"g1": b"\x07" * 32}, "g1")
    case_id = await publicised(service, store)  # by the bureau's own script
    monkeypatch.setattr(assurance, "_asserted_taken", False)
    forged = ExternalEvent(
        event_id="o-forged", action="object", actor="public:p", reason="异议", assurance="api-key"
    )
    await service.handle(case_id).signal(EVENT, forged)  # no proof: straight to Temporal
    signed = ExternalEvent(
        event_id="o-signed", action="object", actor="public:q", reason="异议", assurance="api-key"
    )
    await service.send_event(case_id, signed)  # the gateway's way: signed
    await assert_eventually(lambda: _settled(store, case_id, 2), timeout=30)
    [refused] = store.rejected()
    assert refused.event_id == "o-forged"
    assert "'public:p' is named, not authenticated" in refused.reason
    [row] = [r for r in store.audit(case_id) if r.action == "object"]
    assert (row.actor_id, row.assurance) == ("q", "api-key")
