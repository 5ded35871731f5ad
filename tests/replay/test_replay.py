"""Every saved history replays against today's workflow code: a change that would break a
running case fails here (record new histories with `python -m tests.replay.record`)."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from lifecycle.worker import PASSTHROUGH
from workflows import WORKFLOWS

HISTORIES = sorted(Path(__file__).parent.glob("*.json"))


def test_histories_are_saved():
    assert len(HISTORIES) >= 4


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_history_replays(path):
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        workflow_runner=SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
        ),
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
