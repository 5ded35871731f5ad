"""Temporal workflow definitions: orchestration only; the rules live in lifecycle.domain.

The package imports none of its modules itself: the sandbox imports a workflow's own module
afresh for every run, and the case's run then loads nothing of the evaluation round's (and the
reverse). ``WORKFLOWS`` (every workflow the worker runs) is loaded on first use."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "WORKFLOWS":
        from workflows.case import CaseWorkflow
        from workflows.evaluation import EvaluationRoundWorkflow, EvaluationTrigger

        return [CaseWorkflow, EvaluationRoundWorkflow, EvaluationTrigger]
    raise AttributeError(name)
