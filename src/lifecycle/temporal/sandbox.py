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
intends), on the time-skipping server and over every saved history."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

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
    """The worker's sandbox; ``strict``: the workflows' own modules imported afresh for every
    run, under the sandbox's restrictions (the tests)."""
    modules = ENGINE if strict else PASSTHROUGH
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*modules)
    )
