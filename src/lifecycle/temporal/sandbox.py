"""The workflow sandbox the worker and every Replayer use: the engine's pure, deterministic
modules are passed through (loaded once, not re-imported for each run).

The workflows' own modules (``workflows.case``, ``workflows.evaluation``) are imported afresh
in the sandbox for each run, as Temporal intends; the helpers they share (the pipeline, the
activity calls, the display, the rules lookup, the engine versions) hold no state of their own
between runs and are passed through with the domain: importing them for every run cost a case
about 60 ms of CPU."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

PASSTHROUGH = (
    "lifecycle",
    "activities",
    "pydantic",
    "pydantic_core",
    "transitions",
    "chinese_calendar",
    "structlog",
    "workflows.core",
    "workflows.calls",
    "workflows.display",
    "workflows.inputs",
    "workflows.rules",
    "workflows.versions",
)


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
    )
