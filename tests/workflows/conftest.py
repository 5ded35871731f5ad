"""Workflows on Temporal's time-skipping test server, one task queue per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from lifecycle.cases import CaseService
from lifecycle.worker import build_worker
from tests.helpers import BIN


@pytest.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    environment = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(BIN / "temporal-test-server"),
    )
    yield environment
    await environment.shutdown()


@pytest.fixture
async def service(env, store, tmp_path) -> AsyncIterator[CaseService]:
    client: Client = env.client
    queue = f"test-{uuid.uuid4()}"
    worker = build_worker(client, f"sqlite:///{tmp_path / 'store.db'}", task_queue=queue)
    async with worker:
        # The Java test server cannot register custom search attributes; e2e tests cover them.
        yield CaseService(client, store, task_queue=queue, indexed=False)
