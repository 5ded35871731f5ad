"""Plaintext written before encryption, retired: a case opened by a version without the codec
(its start input unsealed in its history) runs on under a worker that seals, and `lifecycle
codec retire-plaintext` moves it to a new run whose history holds only sealed payloads; the old
run closes (continued as new) and leaves with the namespace's retention. A case already sealed
is left alone, and the report says which was which."""

import uuid

from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.client import Client

from lifecycle.app.cases import CaseService
from lifecycle.app.codec import retire_plaintext, retired_lines, unsealed
from lifecycle.app.system import System
from lifecycle.config import Settings
from lifecycle.domain.states import CaseState
from lifecycle.temporal.client import sealing as sealing_with
from lifecycle.temporal.codec import KeyRing
from runtime.worker import build_worker
from tests.workflows.cases import at, qingdao, to_publicity
from tests.workflows.test_admission import open_round


def sealing(client: Client) -> Client:
    config = client.config()
    config["data_converter"] = sealing_with(KeyRing.new())
    return Client(**config)


async def test_open_cases_holding_plaintext_move_to_a_sealed_run(env, store, tmp_path, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_VAR_DIR", str(tmp_path / "var"))
    plain, sealed = env.client, sealing(env.client)
    queue = f"test-{uuid.uuid4()}"
    url = f"sqlite:///{tmp_path / 'store.db'}"
    async with build_worker(sealed, url, task_queue=queue):
        old = CaseService(
            plain, store, task_queue=queue, indexed=False, real_now=env.get_current_time
        )
        new = CaseService(
            sealed, store, task_queue=queue, indexed=False, real_now=env.get_current_time
        )
        round_ = open_round(store, "qingdao-2024")
        before = await old.apply("qingdao-2024", qingdao(), round_, now=at("2025-09-26"))
        after = await new.apply("qingdao-2024", qingdao(), round_, now=at("2025-09-26"))
        await to_publicity(new, before, preliminary=True)
        first = await plain.get_workflow_handle(before).fetch_history()
        assert unsealed(first) > 0  # the start input, as the old version wrote it
        assert unsealed(await sealed.get_workflow_handle(after).fetch_history()) == 0

        system = System(Settings.from_env(), store=store, connect=lambda: _ready(sealed))
        done = await retire_plaintext(system)

        assert [case_id for case_id, _ in done.moved] == [before]
        assert done.sealed == 1 and done.left == []
        lines = retired_lines(done)
        assert lines[0].startswith(f"moved {before} to a new, sealed run")
        assert lines[-1].startswith("1 moved, 1 already sealed, 0 left")

        handle = sealed.get_workflow_handle(before)
        described = await handle.describe()
        assert described.run_id != first.run_id
        old_run = await sealed.get_workflow_handle(before, run_id=first.run_id).describe()
        assert old_run.raw_description.workflow_execution_info.status == (
            WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
        )
        assert unsealed(await handle.fetch_history()) == 0
        view = await new.view(before)  # the case goes on as it was
        assert view.case.state == CaseState.PUBLICITY

        again = await retire_plaintext(system)  # nothing left to move
        assert again.moved == [] and again.sealed == 2


async def _ready(client: Client) -> Client:
    return client
