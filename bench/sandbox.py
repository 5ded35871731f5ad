"""The worker's sandbox against Temporal's own, on the saved sealed histories (tests/replay):
each replayed again and again by one Replayer in either sandbox, with the same modules passed
through and the same codec, and the process's CPU time per replay. The two differ only in how
they answer the SDK's look-ups for each payload sequence (``lifecycle.temporal.sandbox``).
``python -m bench.sandbox`` prints the figures as JSON; ``make bench`` reports them."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from lifecycle.policies import REGISTRY
from lifecycle.temporal.client import sealing
from lifecycle.temporal.codec import KeyRing
from lifecycle.temporal.sandbox import workflow_runner
from workflows import WORKFLOWS

SEALED = Path(__file__).resolve().parents[1] / "tests" / "replay" / "sealed"


async def _cpu_per_replay(
    runner: WorkflowRunner, histories: list[WorkflowHistory], n: int
) -> float:
    converter = sealing(KeyRing.read(SEALED / "keys.json"), tolerant=True)
    replayer = Replayer(workflows=WORKFLOWS, data_converter=converter, workflow_runner=runner)

    async def each() -> AsyncIterator[WorkflowHistory]:
        for history in histories * n:
            yield history

    cpu = time.process_time()
    async with replayer.workflow_replay_iterator(each()) as results:
        async for result in results:
            if result.replay_failure is not None:
                raise result.replay_failure
    return (time.process_time() - cpu) / (n * len(histories))


async def run(n: int = 20, rounds: int = 5) -> dict[str, object]:
    REGISTRY.load(everything=True)
    paths = sorted(p for p in SEALED.glob("sealed_*.json"))
    histories = [WorkflowHistory.from_json(p.stem, p.read_text("utf-8")) for p in paths]
    ours = workflow_runner()
    temporal = SandboxedWorkflowRunner(restrictions=ours.restrictions)
    for runner in (ours, temporal):  # warm both: modules, the codec, the interpreter's caches
        await _cpu_per_replay(runner, histories, 2)
    figures: dict[str, list[float]] = {"worker": [], "temporal": []}
    for _ in range(rounds):  # alternated, so a slower moment of the machine falls on both
        figures["temporal"].append(await _cpu_per_replay(temporal, histories, n))
        figures["worker"].append(await _cpu_per_replay(ours, histories, n))
    worker, temporals = statistics.median(figures["worker"]), statistics.median(figures["temporal"])
    return {
        "histories": [p.stem for p in paths],
        "replays_a_round": n * len(histories),
        "rounds": rounds,
        "cpu_ms_per_replay_worker": round(worker * 1000, 1),
        "cpu_ms_per_replay_temporal": round(temporals * 1000, 1),
        "cpu_ms_saved_per_replay": round((temporals - worker) * 1000, 1),
    }


if __name__ == "__main__":
    json.dump(asyncio.run(run()), sys.stdout, indent=2)
    print()
