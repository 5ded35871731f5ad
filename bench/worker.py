"""One side's worker in its own process, so its CPU time and memory are its own:
``python -m bench.worker ours|fair|twin QUEUE`` (the address, namespace and store from the
environment, as the bureau's worker reads them). Prints ``ready`` once it polls; stops on
SIGTERM."""

from __future__ import annotations

import asyncio
import inspect
import os
import sys

from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from bench.twin import TwinActivities, TwinWorkflow
from lifecycle.config import Settings
from lifecycle.temporal.client import connect, for_worker

try:  # the engine's converter, unsealed
    from lifecycle.temporal.client import LEAN as plain_converter
except ImportError:  # an earlier commit's engine (make bench-at)
    from temporalio.contrib.pydantic import pydantic_data_converter as plain_converter
from runtime.worker import build_worker, stop_on_signals

try:
    from runtime.worker import steady
except ImportError:  # an earlier commit's engine (make bench-at): its worker did not
    steady = None  # type: ignore[assignment]


async def _twin(settings: Settings, side: str, queue: str) -> Worker:
    """The fair twin's worker decodes as ours does (the codec, tolerant) and keeps as many runs
    in its cache; the bare twin's is the SDK's default."""
    acts = TwinActivities(settings.var_dir / f"twin-{side}.db")
    extra: dict = {}
    once = SandboxRestrictions.default.with_passthrough_modules("bench.twin")
    if os.environ.get("BENCH_TWIN_PASSTHROUGH"):  # its module loaded once, as ours are (to weigh)
        extra["workflow_runner"] = SandboxedWorkflowRunner(restrictions=once)
    if os.environ.get("BENCH_TWIN_WORKER_SANDBOX"):  # the worker's own sandbox, to weigh it
        from lifecycle.temporal.sandbox import WorkerSandbox  # not in older commits (bench-at)

        extra["workflow_runner"] = WorkerSandbox(restrictions=once)
    if side == "twin":
        client = await Client.connect(settings.address, namespace=settings.namespace)
        return Worker(
            client, task_queue=queue, workflows=[TwinWorkflow], activities=[acts.record], **extra
        )
    client = for_worker(await connect(settings))
    return Worker(
        client,
        task_queue=queue,
        workflows=[TwinWorkflow],
        activities=[acts.record],
        max_cached_workflows=getattr(settings, "case_cache", 1000),
        **extra,
    )


async def main(side: str, queue: str) -> None:
    settings = Settings.from_env()
    stop = stop_on_signals()
    if side == "ours":
        client = await connect(settings)
        if os.environ.get("BENCH_NO_CODEC"):  # the engine without its encryption, to weigh it
            client = await Client.connect(
                settings.address, namespace=settings.namespace, data_converter=plain_converter
            )
        cache = getattr(settings, "case_cache", None)  # an earlier commit's worker has none
        extra: dict = {"cached": cache} if cache else {}
        weigh = "runner" in inspect.signature(build_worker).parameters  # not in earlier commits
        if os.environ.get("BENCH_UNSANDBOXED") and weigh:  # the workflows outside the sandbox
            extra["runner"] = UnsandboxedWorkflowRunner()
        worker = build_worker(client, settings.db_url, task_queue=queue, **extra)
    else:
        worker = await _twin(settings, side, queue)
    async with worker:
        if os.environ.get("BENCH_PROFILE"):  # the profile holds what the rounds cost, not start-up
            import yappi

            yappi.set_clock_type("cpu")
            yappi.start()
        if steady is not None and not os.environ.get("BENCH_NO_FREEZE"):
            steady()  # every side, as the system's worker once started
        gc_time = _gc_clock() if os.environ.get("BENCH_GC_STATS") else None
        print("ready", flush=True)
        await stop.wait()
        if gc_time is not None:
            import gc

            print(f"gc {side}: {gc_time()} s, {gc.get_stats()}", file=sys.stderr, flush=True)  # noqa: T201


def _gc_clock():  # type: ignore[no-untyped-def]
    import gc
    import time

    spent = [0.0, 0.0]

    def tick(phase: str, _info: dict) -> None:
        if phase == "start":
            spent[1] = time.thread_time()
        else:
            spent[0] += time.thread_time() - spent[1]

    gc.callbacks.append(tick)
    return lambda: round(spent[0], 3)


if __name__ == "__main__":
    profile = os.environ.get("BENCH_PROFILE")  # a profile of this worker, written when it stops
    if profile:  # needs yappi (pip install yappi): every thread's CPU, by function, once ready
        import yappi

        asyncio.run(main(sys.argv[1], sys.argv[2]))
        yappi.stop()
        yappi.get_func_stats().save(f"{profile}.{sys.argv[1]}", type="pstat")
    else:
        asyncio.run(main(sys.argv[1], sys.argv[2]))
