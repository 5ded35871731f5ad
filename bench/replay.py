"""Cold replay: a fresh process imports the workflow module, builds a Replayer and replays one
admission's history, as a worker does when a case wakes on a worker that has not cached it.
``python -m bench.replay ours|fair|twin HISTORY.json`` prints its figures as JSON."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import summary

DATABASE_LIBRARIES = ("sqlalchemy", "alembic", "psycopg", "sqlite3")


def _loaded_databases() -> list[str]:
    return sorted({m.split(".")[0] for m in sys.modules} & set(DATABASE_LIBRARIES))


async def _replay(side: str, path: Path) -> dict[str, object]:
    began = time.perf_counter()
    if side == "ours":
        from workflows import WORKFLOWS as workflows
    else:
        from bench.twin import TwinWorkflow

        workflows = [TwinWorkflow]
    imported = time.perf_counter()
    databases = _loaded_databases()

    from temporalio.client import WorkflowHistory
    from temporalio.worker import Replayer

    if side == "ours":
        from lifecycle.config import Settings
        from lifecycle.policies import REGISTRY
        from lifecycle.temporal.client import data_converter

        try:
            from lifecycle.temporal.sandbox import workflow_runner
        except ImportError:  # an earlier commit (make bench-at): its worker's own sandbox
            from temporalio.worker.workflow_sandbox import (
                SandboxedWorkflowRunner,
                SandboxRestrictions,
            )

            from runtime.worker import PASSTHROUGH  # type: ignore[attr-defined]

            def workflow_runner(strict: bool = False) -> SandboxedWorkflowRunner:
                return SandboxedWorkflowRunner(
                    restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
                )

        REGISTRY.load(everything=True)  # as the worker does once when it starts
        imported = time.perf_counter()
        replayer = Replayer(
            workflows=workflows,
            data_converter=data_converter(Settings.from_env()),
            workflow_runner=workflow_runner(),
        )
    elif side == "fair":  # the fair twin's history is sealed: opened with the same codec
        from lifecycle.config import Settings
        from lifecycle.temporal.client import data_converter

        replayer = Replayer(workflows=workflows, data_converter=data_converter(Settings.from_env()))
    else:
        replayer = Replayer(workflows=workflows)
    history = WorkflowHistory.from_json("bench", json.loads(path.read_text()))
    ready = time.perf_counter()
    await replayer.replay_workflow(history)
    done = time.perf_counter()
    return {
        "import_s": imported - began,
        "replay_s": done - imported,  # the Replayer and its first replay
        "first_replay_s": done - ready,
        "database_libraries": databases,
    }


def measure(histories: dict[str, str], var: Path, times: int) -> dict[str, object]:
    """``times`` cold replays a side, interleaved, each in a new interpreter."""
    paths = {}
    for side, text in histories.items():
        paths[side] = var / f"history-{side}.json"
        paths[side].write_text(text)
    runs: dict[str, list[dict]] = {side: [] for side in paths}
    for _ in range(times):
        for side, path in paths.items():
            done = subprocess.run(
                [sys.executable, "-m", "bench.replay", side, str(path)],
                cwd=Path(__file__).resolve().parents[1],
                capture_output=True,
                text=True,
                check=True,
            )
            runs[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        side: {
            "import_s": summary([r["import_s"] for r in found]),
            "replay_s": summary([r["replay_s"] for r in found]),
            "first_replay_s": summary([r["first_replay_s"] for r in found]),
            "database_libraries": found[-1]["database_libraries"],
        }
        for side, found in runs.items()
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_replay(sys.argv[1], Path(sys.argv[2])))), flush=True)
    # Left without interpreter finalisation, as the command leaves: the SDK's native threads can
    # abort a finalising interpreter (SIGABRT) after the figures are written.
    os._exit(0)
