"""One admission, ours and the twin's, driven the same way: a start, the people's Updates along
qingdao-2024's admission path (one at a time, as officers act), then the public notice's timer
until the case is listed (the twin: a timer of the same real length)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client, WorkflowHandle

from bench.engine import CaseService, script
from bench.twin import TWIN, TwinStart, connect
from lifecycle.calendar import SHANGHAI
from lifecycle.domain.application import Application
from lifecycle.domain.credit_code import complete
from lifecycle.policies import REGISTRY
from lifecycle.store.repo import Store

POLICY = "qingdao-2024"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / POLICY / "application.json"
# A Tuesday in a month with no public holiday: every notice closes after the same count.
BUSINESS_START = dt.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI)
# How often the driver asks the server whether a run has taken its application in.
SETTLED_POLL = 0.02
# A run past its first workflow task (the start's event and the task's three); from then on
# what it does about its application (a record) shows as a pending activity or task.
SETTLED_EVENTS = 4


async def settled(handle: WorkflowHandle) -> None:
    """Until the run has taken its application in (recorded it) and is idle: past its first
    workflow task, with no activity or workflow task pending (an activity's result and the
    task it schedules come in one step, so there is no idle moment between them). Asked of
    the server, not of the worker. An officer acts on an application once it
    is on record, so both sides' first Update comes after it. Sent at once instead, the first
    Update raced the start's workflow task: the twin's, whose driver has less to do before it,
    often came in with the start and was taken in the same workflow task, which made some twin
    histories two workflow tasks (about 300 to 600 B) shorter than others."""
    while True:
        described = (await handle.describe()).raw_description
        if (
            described.workflow_execution_info.history_length >= SETTLED_EVENTS
            and not described.pending_activities
            and not described.HasField("pending_workflow_task")
        ):
            return
        await asyncio.sleep(SETTLED_POLL)


@dataclass
class Lifecycle:
    """What one lifecycle cost the driver: its id, each Update's latency, and the real length of
    its public notice's timer."""

    case_id: str
    updates: list[float] = field(default_factory=list)
    timer_seconds: float = 0.0  # 0: not measured (the notice had closed when it was read)


def application(n: int, stamp: str, prefix: str = "91370212") -> Application:
    app = Application.model_validate(json.loads(EXAMPLE.read_text("utf-8")))
    code = complete(f"{prefix}{stamp[-4:]}{n:05d}")
    return app.model_copy(update={"credit_code": code, "name": f"{app.name}{n}"})


class Ours:
    """The engine's own path: CaseService.apply and act, as the command and the gateway call
    them. Each lifecycle has a round of its own (qingdao-2024 caps the places per round)."""

    side = "ours"

    def __init__(self, service: CaseService, store: Store, stamp: str) -> None:
        self.service, self.store, self.stamp = service, store, stamp
        self.pack = REGISTRY.get(REGISTRY.current(POLICY))
        self.actions = [step.action for step in script(self.pack, application(0, stamp))]
        self.steps = len(self.actions)

    async def start(self, n: int) -> Lifecycle:
        app = application(n, self.stamp)
        name = f"bench-{self.stamp}-{n}"
        self.store.set_round(
            POLICY, name, applications_close=None, preliminary_review_due=None,
            expert_review_due=None,
        )  # fmt: skip
        case_id = await self.service.apply(POLICY, app, name, now=BUSINESS_START)
        run = Lifecycle(case_id)
        await settled(self.service.client.get_workflow_handle(case_id))
        for step in script(self.pack, app):
            began = time.perf_counter()
            await self.service.act(case_id, step)
            run.updates.append(time.perf_counter() - began)
        view = await self.service.view(case_id)
        notice = view.case.deadlines.get("public_notice")
        if notice is not None:  # under BENCH_PROFILE the notice may have closed already
            run.timer_seconds = (notice.closes_at - view.business_now).total_seconds() / (
                86400 / self.service.clock.day_seconds
            )
        return run

    def done(self, run: Lifecycle) -> bool:
        row = self.store.case(run.case_id)
        return row is not None and row.state == "listed"

    async def finish(self, runs: list[Lifecycle]) -> None:
        while not all(self.done(r) for r in runs):
            await asyncio.sleep(0.25)


class Twin:
    """``side``: "fair" (its client seals with the codec; its runs stay open once listed, and
    the driver sees the listing in the twin's table as it sees ours in the store) or "twin" (the
    bare one: nothing sealed, its runs complete)."""

    def __init__(
        self, client: Client, queue: str, steps: int, stamp: str, side: str, table: Path
    ) -> None:
        self.client, self.queue, self.steps, self.stamp = client, queue, steps, stamp
        self.side, self.table = side, table
        self.timer_seconds = 7.0  # replaced by ours's measured notice before each batch

    async def start(self, n: int) -> Lifecycle:
        case_id = f"{self.side}-{self.stamp}-{n}"
        handle = await self.client.start_workflow(
            TWIN,
            TwinStart(case_id, self.steps, self.timer_seconds, stay_open=self.side == "fair"),
            id=case_id,
            task_queue=self.queue,
        )
        run = Lifecycle(case_id, timer_seconds=self.timer_seconds)
        await settled(handle)
        for step in range(self.steps):
            began = time.perf_counter()
            await handle.execute_update("act", f"step-{step}")
            run.updates.append(time.perf_counter() - began)
        await handle.query("view")  # as ours is read once for its notice
        return run

    async def finish(self, runs: list[Lifecycle]) -> None:
        if self.side != "fair":
            await asyncio.gather(
                *(self.client.get_workflow_handle(r.case_id).result() for r in runs)
            )
            return
        db = connect(self.table)
        ids = [r.case_id for r in runs]
        marks = ",".join("?" * len(ids))
        query = f"SELECT COUNT(*) FROM twin_rows WHERE action = 'list' AND case_id IN ({marks})"
        while db.execute(query, ids).fetchone()[0] < len(ids):
            await asyncio.sleep(0.25)
        db.close()


async def batch(side: Ours | Twin, first: int, count: int, at_once: int) -> list[Lifecycle]:
    """``count`` lifecycles, ``at_once`` of them driven at a time (officers act in parallel, not
    all at once), then waits until every one has finished its timer."""
    gate = asyncio.Semaphore(at_once)

    async def one(n: int) -> Lifecycle:
        async with gate:
            return await side.start(n)

    runs = list(await asyncio.gather(*(one(first + i) for i in range(count))))
    await side.finish(runs)
    return runs
