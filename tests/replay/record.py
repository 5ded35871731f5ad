"""Records the histories the replay test guards: `python -m tests.replay.record`.

Run it after a deliberate change to the case workflow has been made safe for running cases
(``workflows.versions.follows``); it adds histories beside the old ones and never writes over one (a saved
history stands for a case that ran on the code of its day). Delete nothing here.

`python -m tests.replay.record --sealed` records the same way through the codec, with the
tests' own keys (``sealed/keys.json``), into ``sealed/``: histories as a bureau's Temporal holds
them, one set per payload encoding the codec has written (each must open for as long as a case
may hold it).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import os
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from lifecycle.app.cases import CaseService
from lifecycle.contracts import EVENT, CalendarNotice, ExternalEvent, MoveRequest
from lifecycle.contracts.case import STORE_BACK
from lifecycle.errors import LifecycleError
from lifecycle.policies import REGISTRY
from lifecycle.policies.loader import read_document
from lifecycle.store.repo import Store
from lifecycle.temporal.codec import SEAL_ENCODING, EncryptionCodec, ensure_keys
from runtime.worker import build_worker
from tests.helpers import BIN, assert_eventually, sharing
from tests.workflows.cases import (
    DISTRICT,
    OFFICER,
    at,
    holiday_file,
    qingdao,
    req,
    rules_of_testland,
    simple,
    to_publicity,
)

HERE = Path(__file__).parent
SEALED = HERE / "sealed"
FIXTURES = HERE.parent / "fixtures" / "packs"
Scenario = Callable[[CaseService, WorkflowEnvironment, Path], Awaitable[str]]
DAY = dt.timedelta(days=1)


async def listed_after_undecided_objection(service, env, _calendar) -> str:
    case_id = await service.apply("qingdao-2024", qingdao(), "r", now=at("2025-09-26"))
    await to_publicity(service, case_id, preliminary=True)
    await service.act(case_id, req("object", "public:p1", "异议"))
    await env.sleep(20 * DAY)
    await service.act(case_id, req("dismiss_objection", OFFICER, "不成立"))
    return case_id


async def rejected_gives_its_place_back(service, env, _calendar) -> str:
    app = qingdao("chain_leader", ("appliances",))
    case_id = await service.apply("qingdao-2024", app, "r", now=at("2026-02-12"))
    await to_publicity(service, case_id, preliminary=True)
    await service.act(case_id, req("object", "public:p2", "造假"))
    await service.act(case_id, req("uphold_objection", OFFICER, "属实"))
    return case_id


async def provisional_window_counted_again(service, env, calendar: Path) -> str:
    case_id = await service.apply("qingdao-2024", qingdao(), "r", now=at("2027-09-28"))
    await to_publicity(service, case_id, preliminary=True)
    holiday_file(calendar, 2027)  # loaded without telling: the case counts again at firing
    await env.sleep(12 * DAY)
    (calendar / "2027.toml").unlink()
    return case_id


async def calendar_loaded_and_rules_moved(service, env, calendar: Path) -> str:
    case_id = await service.apply("qingdao-2024", qingdao(), "r", now=at("2027-09-28"))
    await to_publicity(service, case_id, preliminary=True)
    holiday_file(calendar, 2027)
    await service.tell_calendar(CalendarNotice(year=2027, notice="国办发明电", event_id="cal-1"))
    newer = REGISTRY.add(read_document(FIXTURES / "qingdao-2024-notice-7.toml"))
    await service.move(case_id, MoveRequest(version=newer.version, actor=OFFICER, reason="修订"))
    await env.sleep(15 * DAY)
    (calendar / "2027.toml").unlink()
    return case_id


async def weekly_reports_signals_and_findings(service, env, _calendar) -> str:
    app = simple("testland-2026")
    provider = f"provider:{app.credit_code}"
    case_id = await service.apply(
        "testland-2026", app, "2026", now=at("2026-03-02"), rules=rules_of_testland()
    )
    await service.act(case_id, req("admit_directly", OFFICER))
    handle = service.handle(case_id)
    for n in (1, 1, 2):
        event = ExternalEvent(event_id=f"e{n}", action="submit_report", actor=provider)
        await handle.signal(EVENT, event)
    await service.act(case_id, req("announce_training", provider, event_date="2026-04-20"))
    await env.sleep(21 * DAY)  # reports missed: findings
    return case_id


async def continued_as_new(service, env, _calendar) -> str:
    service.history_budget = 40
    case_id = await service.apply("qingdao-2024", qingdao(), "r", now=at("2025-09-26"))
    await service.act(case_id, req("begin_review", OFFICER))
    await service.act(case_id, req("pass_preliminary", DISTRICT))
    for n in range(1, 5):  # the panel revises its score; the run continues as new on the way
        await service.act(case_id, req("score", "expert:p", score=80 + n, rank=1, recommended=True))
    service.history_budget = 2000
    return case_id


async def wenzhou_listed_year(service, env, _calendar) -> str:
    from tests.workflows.listed import listed
    from tests.workflows.test_listed import enterprise, service_record, target

    target(service.store, 2026, 30)
    case = await listed(service, env, service.store, "wenzhou-2021", "2026-03-02")
    for n in range(4):
        record = service_record("diagnosis", "2026-03-10", n)
        with contextlib.suppress(LifecycleError):  # the fourth is over the cap
            await service.act(case.case_id, req("record_service", case.provider, **record))
    filing = {
        "event_date": "2026-04-20",
        "days": 0.5,
        "kind": "training",
        "participants": 60,
        "fee": 0,
        "industries": ["footwear"],
    }
    await service.act(case.case_id, req("file_training", case.provider, **filing))
    for n, sender in enumerate((1, 2, 3, 3), 1):
        event = ExternalEvent(
            event_id=f"hotline-{n}",
            action="complain",
            actor=f"enterprise:{enterprise(sender)}",
            reason="投诉",
        )
        await service.handle(case.case_id).signal(EVENT, event)
    await env.sleep(DAY)
    for n in (1, 2, 3):
        await service.act(case.case_id, req("verify_complaint", OFFICER, complaint=n + 1))
    await service.act(case.case_id, req("bar_purchase", OFFICER, "抄袭"))
    return case.case_id


async def guangzhou_reports_and_a_change(service, env, _calendar) -> str:
    from tests.workflows.listed import listed

    case = await listed(service, env, service.store, "guangzhou-2024", "2026-03-02")
    await case.until(env, "2026-03-11")
    change = {"changes": ["name"], "name": "广州更名科技有限公司", "effective": "2026-03-23"}
    await service.act(case.case_id, req("report_change", case.provider, **change))
    await case.until(env, "2026-04-17")  # reminders, the Q1 report missed: a finding
    await service.act(case.case_id, req("submit_report", case.provider, period="2026-Q1"))
    await case.until(env, "2026-07-06")
    await service.act(case.case_id, req("submit_report", case.provider))  # Q2 met: continues
    await env.sleep(DAY)
    return case.case_id


async def guangzhou_rectification_lapsed_and_continued(service, env, _calendar) -> str:
    from tests.workflows.listed import listed

    case = await listed(service, env, service.store, "guangzhou-2024", "2026-03-02")
    await case.until(env, "2026-03-10")
    order = req("order_rectification", OFFICER, "进度滞后")
    order = order.model_copy(update={"data": {"grounds": "behind_schedule", "working_days": 5}})
    await service.act(case.case_id, order)
    await case.until(env, "2026-03-19")  # lapsed: a decision for an officer
    await service.act(case.case_id, req("continue_rectification", OFFICER, "情节较轻"))
    await service.act(case.case_id, req("submit_rectification", case.provider, "已整改"))
    await service.act(case.case_id, req("accept_rectification", OFFICER))
    await env.sleep(DAY)
    return case.case_id


async def wuhan_evaluation_round(service, env, _calendar) -> str:
    from lifecycle.app.rounds import RoundService
    from lifecycle.contracts.rounds import CloseRequest, ScoreRequest
    from tests.workflows.listed import listed
    from tests.workflows.test_rounds import WUHAN_FULL, WUHAN_GRADES

    cases = [await listed(service, env, service.store, "wuhan-2021", "2026-03-02") for _ in "ab"]
    rounds = RoundService(service.client, service.store, task_queue=service.task_queue)
    rounds.indexed = False
    rid = await rounds.start("wuhan-2021", "2026", budget=2_500_000, today=dt.date(2026, 12, 1))
    await rounds.opened(rid)
    for case, grade in zip(cases, ("excellent", "fail"), strict=True):
        data = {**WUHAN_FULL, **WUHAN_GRADES[grade]}
        await rounds.score(rid, ScoreRequest(case=case.case_id, actor="expert:p", data=data))
    await rounds.close(rid, CloseRequest(actor=OFFICER))
    await rounds.closed(rid, wait=60)
    return rid


async def qingdao_decided_at_one_instant(service, env, _calendar) -> str:
    case_id = await service.apply("qingdao-2024", qingdao(), "r", now=at("2026-03-02"))
    await to_publicity(service, case_id, preliminary=True)
    await env.sleep(10 * DAY)
    return case_id


async def outage_and_an_unproven_event(service, env, _calendar) -> str:
    """Engine 3: an event with no gateway proof (the worker asked whether it takes one), then
    the store down while the notice closes (one advance a round), and back."""
    from tests.workflows.test_failures import _break

    case_id = await service.apply("qingdao-2024", qingdao(), "r", now=at("2026-03-02"))
    await to_publicity(service, case_id, preliminary=True)
    event = ExternalEvent(event_id="v9-e1", action="object", actor="public:p9", reason="异议")
    await service.client.get_workflow_handle(case_id).signal(EVENT, event)
    await env.sleep(DAY // 2)
    await service.act(case_id, req("dismiss_objection", OFFICER, "不成立"))
    await env.sleep(4 * DAY)  # to Friday evening: the notice closes at 24:00
    restore = _break(service.store, Path(service.store.sessions.kw["bind"].url.database))
    await env.sleep(DAY // 4)  # it closes: the listing waits for the store
    restore()
    await env.sleep(DAY)
    return case_id


async def action_while_a_deadline_is_spread(service, env, _calendar) -> str:
    """Engine 5: the round's close spread over the bureau's window; the district's pass comes
    inside it and applies the close first; the preliminary review's own deadline is spread."""
    service.spread = 6 * 3600
    try:
        service.store.set_round(
            "qingdao-2024",
            "spread",
            applications_close=dt.date(2026, 3, 2),
            preliminary_review_due=dt.date(2026, 3, 12),
            expert_review_due=None,
        )
        # a provider whose case applies the close 3 to 5 hours after 24:00
        code, _ = sharing("qingdao-2024", "spread", 6 * 3600, 3 * 3600, 5 * 3600, "91370200MA3T")
        app = qingdao(credit_code=code)
        case_id = await service.apply("qingdao-2024", app, "spread", now=at("2026-03-02"))
    finally:
        service.spread = 0
    await env.sleep(DAY // 2)  # 2026-03-02 22:00: due at 24:00, applied at the case's share
    await env.sleep(DAY // 6)  # 2026-03-03 02:00: due and, at this case's share, not applied
    await service.act(case_id, req("pass_preliminary", DISTRICT))
    await env.sleep(DAY)
    return case_id


async def store_said_back_while_down(service, env, _calendar) -> str:
    """Engine 6: the store down from the district's pass; the worker's word that it is back
    comes while it is still down (the try it prompts fails: soon again, once); then it is."""
    from tests.workflows.test_failures import _break, _failed_tries, _more

    case_id = await service.apply("qingdao-2024", qingdao(), "r", now=at("2026-03-02"))
    await service.act(case_id, req("begin_review", OFFICER))
    restore = _break(service.store, Path(service.store.sessions.kw["bind"].url.database))
    await service.act(case_id, req("pass_preliminary", DISTRICT))
    await env.sleep(dt.timedelta(seconds=41))  # tries 10 s and 30 s apart fail
    handle = service.client.get_workflow_handle(case_id)
    tries = await _failed_tries(handle)
    await handle.signal(STORE_BACK)
    await assert_eventually(lambda: _more(_failed_tries(handle), tries), timeout=30)
    restore()
    await env.sleep(dt.timedelta(seconds=20))
    return case_id


SCENARIOS: dict[str, Scenario] = {
    "v2_qingdao_listed_after_undecided_objection": listed_after_undecided_objection,
    "v2_qingdao_rejected_gives_its_place_back": rejected_gives_its_place_back,
    "v2_qingdao_provisional_window_counted_again": provisional_window_counted_again,
    "v2_qingdao_calendar_loaded_and_rules_moved": calendar_loaded_and_rules_moved,
    "v2_testland_weekly_reports_signals_and_findings": weekly_reports_signals_and_findings,
    "v2_qingdao_continued_as_new": continued_as_new,
    "v3_wenzhou_listed_year": wenzhou_listed_year,
    "v3_guangzhou_reports_and_a_change": guangzhou_reports_and_a_change,
    "v4_guangzhou_rectification_lapsed_and_continued": guangzhou_rectification_lapsed_and_continued,
    "v4_wuhan_evaluation_round": wuhan_evaluation_round,
    "v5_qingdao_decided_at_one_instant": qingdao_decided_at_one_instant,
    # Engine 1: runs that name their engine (no patch markers) and call activities locally.
    "v6_engine1_qingdao_listed": qingdao_decided_at_one_instant,
    "v6_engine1_guangzhou_reports_and_a_change": guangzhou_reports_and_a_change,
    "v6_engine1_guangzhou_rectification": guangzhou_rectification_lapsed_and_continued,
    # The run's state carried whole (RunState) and each action judged once.
    "v7_run_state_qingdao_listed": qingdao_decided_at_one_instant,
    "v7_run_state_guangzhou_reports_and_a_change": guangzhou_reports_and_a_change,
    "v7_run_state_wenzhou_listed_year": wenzhou_listed_year,
    "v7_run_state_qingdao_listed_after_undecided_objection": listed_after_undecided_objection,
    # Engine 2: inputs read by the handlers themselves (raw payloads), events over 1 MiB refused;
    # a round whose score and close take raw inputs too.
    "v8_engine2_qingdao_listed": qingdao_decided_at_one_instant,
    "v8_engine2_guangzhou_reports_and_a_change": guangzhou_reports_and_a_change,
    "v8_engine2_wenzhou_listed_year": wenzhou_listed_year,
    "v8_round_wuhan_evaluation_round": wuhan_evaluation_round,
    # Engine 3: a round of retries advances once, events proven, a round's close proven.
    "v9_engine3_qingdao_listed": qingdao_decided_at_one_instant,
    "v9_engine3_outage_and_an_unproven_event": outage_and_an_unproven_event,
    "v9_round_wuhan_evaluation_round": wuhan_evaluation_round,
    # A round's opener proven (patch round-opener-proven): an unproven opener is asked about.
    "v10_round_wuhan_evaluation_round": wuhan_evaluation_round,
    # Engine 4: what a decision needs from outside asked in one local activity (obtain); after a
    # run's first record only the case's change is sent.
    "v11_engine4_qingdao_listed": qingdao_decided_at_one_instant,
    "v11_engine4_wenzhou_listed_year": wenzhou_listed_year,
    "v11_engine4_guangzhou_reports_and_a_change": guangzhou_reports_and_a_change,
    # Engine 5: deadlines spread over the bureau's window; an action inside it applies what
    # fell due first.
    "v12_engine5_qingdao_listed": qingdao_decided_at_one_instant,
    "v12_engine5_action_while_a_deadline_is_spread": action_while_a_deadline_is_spread,
    # Engine 6: the worker's word that the store is back, come during a try that fails, is kept.
    "v13_engine6_qingdao_listed": qingdao_decided_at_one_instant,
    "v13_engine6_store_said_back_while_down": store_said_back_while_down,
}


# Sealed: named by the encoding the codec wrote them with (its name in the payloads' metadata).
SEALED_SCENARIOS: dict[str, Scenario] = {
    "qingdao_listed": qingdao_decided_at_one_instant,
    "wuhan_evaluation_round": wuhan_evaluation_round,
}


def sealed_codec() -> EncryptionCodec:
    """The codec with the tests' own keys (made once, kept with the histories they seal)."""
    return EncryptionCodec(ensure_keys(SEALED / "keys.json"))


async def record(
    service: CaseService, env: WorkflowEnvironment, calendar: Path, sealed: bool = False
) -> None:
    for policy in ("qingdao-2024", "wuhan-2021", "guangzhou-2024"):
        service.store.set_round(
            policy,
            "r",
            applications_close=None,
            preliminary_review_due=None,
            expert_review_due=None,
        )
    where, scenarios = HERE, SCENARIOS
    if sealed:
        encoding = SEAL_ENCODING.decode().replace("/", "_")
        where = SEALED
        scenarios = {f"{encoding}_{k}": v for k, v in SEALED_SCENARIOS.items()}
    for name, scenario in scenarios.items():
        if any(where.glob(f"{name}*.json")):
            print(f"kept {name}: a saved history is never written over")
            continue
        case_id = await scenario(service, env, calendar)
        for n, history in enumerate(await every_run(service, case_id), start=1):
            path = where / (f"{name}.json" if n == 1 else f"{name}.run{n}.json")
            path.write_text(history.to_json(), encoding="utf-8")
            print(f"recorded {path.name}: {len(history.events)} events")


async def every_run(service: CaseService, case_id: str) -> list[WorkflowHistory]:
    client = service.client
    run_id = (await client.get_workflow_handle(case_id).describe()).run_id
    out = []
    while run_id:
        history = await client.get_workflow_handle(case_id, run_id=run_id).fetch_history()
        out.append(history)
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id
    return out[::-1]


async def main(sealed: bool = False) -> None:
    converter = pydantic_data_converter
    if sealed:
        converter = dataclasses.replace(converter, payload_codec=sealed_codec())
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=converter,
        test_server_existing_path=str(BIN / "temporal-test-server"),
    )
    with tempfile.TemporaryDirectory() as tmp:
        calendar = Path(tmp) / "calendar"
        calendar.mkdir()
        os.environ["LIFECYCLE_CALENDAR_DIR"] = str(calendar)
        url = f"sqlite:///{tmp}/store.db"
        queue = f"record-{uuid.uuid4()}"
        async with build_worker(env.client, url, task_queue=queue):
            service = CaseService(
                env.client,
                Store.from_url(url),
                task_queue=queue,
                indexed=False,
                real_now=env.get_current_time,
            )
            await record(service, env, calendar, sealed)
    await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main(sealed="--sealed" in sys.argv[1:]))
