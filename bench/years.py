"""Three business years of one guangzhou-2024 case on the time-skipping test server: admitted
through its public notice, then a service recorded every week, the quarterly report each
quarter, and a rectification ordered, submitted and accepted each year. Every run of its chain
is counted (history events, bytes, continue-as-new input) and its ``view`` answer weighed. The
twin takes the same Updates, one row each, on a timer a week."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bench.engine import CaseService
from bench.measure import history_bytes
from bench.twin import TWIN, TwinActivities, TwinStart, TwinWorkflow
from lifecycle.calendar import SHANGHAI
from lifecycle.contracts import ActRequest
from lifecycle.domain.application import Application
from lifecycle.domain.credit_code import complete
from lifecycle.domain.states import CaseState
from lifecycle.store.repo import Store
from runtime.worker import build_worker

POLICY = "guangzhou-2024"
WEEKS = 156
WEEK = dt.timedelta(days=7)
OFFICER = "bureau_officer:bench"
EXPERT = "expert:bench"
START = dt.datetime(2026, 1, 5, 10, 0, tzinfo=SHANGHAI)


def _binary() -> str:
    import sys

    return str(Path(sys.executable).parent / "temporal-test-server")


def _req(action: str, actor: str, reason: str = "", **data) -> ActRequest:
    return ActRequest(action=action, actor=actor, reason=reason, data=data)


async def chain(client: Client, workflow_id: str) -> list[dict[str, int]]:
    """Every run of a workflow, first first: its events, bytes and start input bytes."""
    run_id = (await client.get_workflow_handle(workflow_id).describe()).run_id
    out = []
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        started = history.events[0].workflow_execution_started_event_attributes
        out.append(
            {
                "events": len(history.events),
                "bytes": history_bytes(history),
                "input_bytes": started.input.ByteSize(),
            }
        )
        run_id = started.continued_execution_run_id
    return out[::-1]


async def _ours(env: WorkflowEnvironment, var: Path) -> dict:
    client = env.client
    queue = f"years-{uuid.uuid4()}"
    store = Store.from_url(f"sqlite:///{var / 'years.db'}")
    store.set_round(POLICY, "y", applications_close=None, preliminary_review_due=None,
                    expert_review_due=None)  # fmt: skip
    service = CaseService(
        client, store, task_queue=queue, indexed=False, real_now=env.get_current_time
    )
    code = complete("91440101MA5Y00001")
    app = Application(
        name="广州年度服务机构",
        credit_code=code,
        district="天河区",
        contact={"person": "陈工", "phone": "020-80000000"},
        ecosystem_partners=["91440101MA5C000001"],
    )
    updates = 0
    async with build_worker(client, f"sqlite:///{var / 'years.db'}", task_queue=queue):
        real = await env.get_current_time()
        case_id = await service.apply(POLICY, app, "y", now=START)
        for step in (
            _req("begin_review", OFFICER),
            _req("score", EXPERT, score=86, rank=3, recommended=True),
            _req("publicise", OFFICER),
        ):
            await service.act(case_id, step)
            updates += 1
        for _ in range(30):
            await env.sleep(dt.timedelta(days=1))
            if (await service.view(case_id)).case.state == CaseState.LISTED:
                break
        provider = f"provider:{code}"
        for week in range(WEEKS):
            today = START + (await env.get_current_time() - real)
            record = {
                "kind": ("diagnosis", "transformation")[week % 2],
                "enterprise": complete(f"91440101MA5E{week:05d}"),
                "district": "天河区",
                "date": today.date().isoformat(),
            }
            await service.act(case_id, _req("record_service", provider, **record))
            updates += 1
            if today.month in (1, 4, 7, 10) and today.day <= 7 and week:
                await service.act(case_id, _req("submit_report", provider))
                updates += 1
            if week % 52 == 20:  # once a year: an order, the provider's answer, acceptance
                await service.act(
                    case_id, _req("order_rectification", OFFICER, "季度材料不规范",
                                  grounds="late_report")
                )  # fmt: skip
                await service.act(case_id, _req("submit_rectification", provider, "已整改"))
                await service.act(case_id, _req("accept_rectification", OFFICER, "整改到位"))
                updates += 3
            await env.sleep(WEEK)
        view = await service.view(case_id)
        runs = await chain(client, case_id)
        await client.get_workflow_handle(case_id).terminate("bench")
    return {
        "updates": updates,
        "state": view.case.state.value,
        "view_bytes": len(view.model_dump_json()),
        "runs": runs,
        "audit_rows": len(store.audit(case_id)),
    }


async def _twin(env: WorkflowEnvironment, var: Path, updates: int) -> dict:
    client = await Client.connect(env.client.service_client.config.target_host)
    queue = f"years-twin-{uuid.uuid4()}"
    acts = TwinActivities(var / "years-twin.db")
    async with Worker(client, task_queue=queue, workflows=[TwinWorkflow], activities=[acts.record]):
        handle = await client.start_workflow(
            TWIN, TwinStart("twin-years", updates, 1.0), id="twin-years", task_queue=queue
        )
        per_week = max(1, updates // WEEKS)
        sent = 0
        while sent < updates:
            for _ in range(min(per_week, updates - sent)):
                await handle.execute_update("act", "record_service")
                sent += 1
            await env.sleep(WEEK)
        await handle.result()
        runs = await chain(client, "twin-years")
    return {"updates": updates, "runs": runs}


async def measure(var: Path) -> dict:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=_binary()
    )
    try:
        ours = await _ours(env, var)
        twin = await _twin(env, var, ours["updates"])
    finally:
        with contextlib.suppress(Exception):
            await env.shutdown()
    return {"ours": ours, "twin": twin}
