"""Workflows on Temporal's time-skipping test server, one task queue per test."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from lifecycle.app.cases import CaseService
from lifecycle.temporal.client import LEAN
from lifecycle.temporal.sandbox import workflow_runner
from runtime.worker import build_worker
from tests.helpers import BIN


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    # One server per test: its clock is global, and a case left behind by an earlier test
    # (even terminated, on the Java test server) can keep time from skipping.
    environment = await WorkflowEnvironment.start_time_skipping(
        data_converter=LEAN,  # the engine's converter, unsealed
        test_server_existing_path=str(BIN / "temporal-test-server"),
    )
    yield environment
    await environment.shutdown()


@pytest.fixture
async def service(env, store, tmp_path) -> AsyncIterator[CaseService]:
    client: Client = env.client
    queue = f"test-{uuid.uuid4()}"
    # The strict sandbox: every module of workflows/ imported afresh for each run, restricted.
    worker = build_worker(
        client,
        f"sqlite:///{tmp_path / 'store.db'}",
        task_queue=queue,
        runner=workflow_runner(strict=True),
    )
    started: list[str] = []

    class TrackingService(CaseService):
        async def apply(self, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
            case_id = await super().apply(*args, **kwargs)
            started.append(case_id)
            return case_id

    async with worker:
        # The Java test server cannot register custom search attributes; e2e tests cover them.
        yield TrackingService(
            client, store, task_queue=queue, indexed=False, real_now=env.get_current_time
        )
        for case_id in started:
            with contextlib.suppress(Exception):
                await client.get_workflow_handle(case_id).terminate("test finished")
