"""The workflow sandbox the worker and every Replayer use.

The worker loads the workflows' modules once (``workflows`` and the engine's pure,
deterministic modules are passed through the sandbox): Temporal's sandbox would otherwise import
``workflows.case`` afresh for every run, and for every replay of a case the worker no longer
holds, reading its class and handlers again under the sandbox's restrictions (performance.md
weighs it). Each run still gets a workflow instance of its own, and none of these modules keeps
state between runs (constants only: ``tests/unit/test_workflow_modules.py``).

What the sandbox's restrictions would catch at run time (a clock, randomness, I/O in workflow
code) is guarded twice instead: ``workflows/ruff.toml`` bans it before the code runs, and the
test suite runs every workflow in the **strict** sandbox (``workflow_runner(strict=True)``: each
module of ``workflows`` imported afresh for each run with Temporal's restrictions, as Temporal
intends), on the time-skipping server and over every saved history.

The worker's sandbox also answers the SDK's two look-ups directly. For every
payload sequence it sends or receives, the SDK asks the run which serialization and
external-store context applies: Temporal's sandbox answers each question by compiling and
running a snippet of code with its import restrictions applied around it, although the answer
only reads the run's pending commands. The worker's sandbox reads it from the same object,
without the snippet (``WorkerSandbox``: the answers are the SDK's own, compared call by call in
``tests/replay/test_replay.py``), and compiles the snippets that drive each activation once."""

from __future__ import annotations

from dataclasses import dataclass
from types import CodeType
from typing import Any

from temporalio.converter import SerializationContext
from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# The sandbox's own instance, pinned with temporalio (pyproject.toml): its two look-ups and its
# code runner are what WorkerSandbox replaces; tests/replay/test_replay.py compares the answers.
from temporalio.worker.workflow_sandbox._runner import _Instance

# Pure and deterministic; loaded once in either sandbox.
ENGINE = (
    "lifecycle",
    "activities",
    "pydantic",
    "pydantic_core",
    "transitions",
    "chinese_calendar",
    "structlog",
)
WORKFLOWS = ("workflows",)  # the workflows' own modules: loaded once by the worker
PASSTHROUGH = ENGINE + WORKFLOWS


def workflow_runner(strict: bool = False) -> SandboxedWorkflowRunner:
    """The worker's sandbox; ``strict``: Temporal's own, with the workflows' own modules
    imported afresh for every run under its restrictions (the tests)."""
    if strict:
        return SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules(*ENGINE)
        )
    return WorkerSandbox(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
    )


_COMPILED: dict[str, CodeType] = {}  # the sandbox's few fixed snippets, compiled once


class _WorkerInstance(_Instance):
    """A run in the worker's sandbox: Temporal's, with the per-payload look-ups read directly."""

    def _run_code(self, code: str, **extra_globals: Any) -> None:
        compiled = _COMPILED.get(code)
        if compiled is None:
            compiled = _COMPILED.setdefault(code, compile(code, "<string>", "exec"))
        super()._run_code(compiled, **extra_globals)  # type: ignore[arg-type]  # exec takes both

    def _in_sandbox(self) -> Any:
        """The run's own object inside the sandbox (``_create_instance`` made it)."""
        return self.globals_and_locals["__temporal_in_sandbox"]

    def get_serialization_context(self, command_info: Any) -> SerializationContext | None:
        context: SerializationContext | None = self._in_sandbox().get_serialization_context(
            command_info
        )
        return context

    def get_external_store_context(self, command_info: Any) -> Any:
        return self._in_sandbox().get_external_store_context(command_info)


@dataclass(frozen=True)
class WorkerSandbox(SandboxedWorkflowRunner):
    """Temporal's sandbox, answering the SDK's per-payload look-ups without running code."""

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _WorkerInstance(det, self.runner_class, self.restrictions)
