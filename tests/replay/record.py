"""Records the histories the replay test guards: `python -m tests.replay.record`.

Run it when a deliberate change to the case workflow has been made safe for running cases
(``workflow.patched``), then commit the new JSON files beside the old ones, never instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import uuid
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from lifecycle.cases import CaseService
from lifecycle.store.repo import Store
from lifecycle.worker import build_worker
from tests.helpers import BIN
from tests.workflows.cases import DISTRICT, OFFICER, at, qingdao, req, simple, to_publicity

HERE = Path(__file__).parent


async def scenarios(service: CaseService, env: WorkflowEnvironment) -> dict[str, str]:
    store = service.store
    for policy in ("qingdao-2024", "wuhan-2021"):
        store.set_round(
            policy,
            "r",
            applications_close=None,
            preliminary_review_due=None,
            expert_review_due=None,
        )
    ids = {}
    listed = await service.apply("qingdao-2024", qingdao(), "r", now=at("2025-09-26"))
    await to_publicity(service, listed, preliminary=True)
    await service.act(listed, req("object", "public:p1", "异议"))
    await env.sleep(dt.timedelta(days=20))
    await service.act(listed, req("dismiss_objection", OFFICER, "不成立"))
    ids["qingdao_listed_after_undecided_objection"] = listed

    upheld = await service.apply("qingdao-2024", qingdao(), "r", now=at("2026-02-12"))
    await to_publicity(service, upheld, preliminary=True)
    await service.act(upheld, req("object", "public:p2", "造假"))
    await service.act(upheld, req("uphold_objection", OFFICER, "属实"))
    ids["qingdao_rejected_by_objection"] = upheld

    direct = await service.apply("wuhan-2021", simple("wuhan-2021"), "r", now=at("2025-03-03"))
    await service.act(direct, req("admit_directly", OFFICER))
    ids["wuhan_admitted_directly"] = direct

    refused = await service.apply("qingdao-2024", qingdao(), "r", now=at("2025-09-26"))
    await service.act(refused, req("begin_review", OFFICER))
    await service.act(refused, req("fail_preliminary", DISTRICT, "材料不全"))
    ids["qingdao_failed_preliminary"] = refused
    return ids


async def main() -> None:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(BIN / "temporal-test-server"),
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/store.db"
        queue = f"record-{uuid.uuid4()}"
        async with build_worker(env.client, url, task_queue=queue):
            service = CaseService(env.client, Store.from_url(url), task_queue=queue, indexed=False)
            for name, case_id in (await scenarios(service, env)).items():
                history = await service.handle(case_id).fetch_history()
                (HERE / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
                print(f"recorded {name}: {len(history.events)} events")
    await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
