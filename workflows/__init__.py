"""Temporal workflow definitions: orchestration only; the rules live in lifecycle.domain.

The package imports none of its modules itself: ``WORKFLOWS`` (every workflow the worker runs)
is loaded on first use. The worker loads these modules once; the tests run them in Temporal's
strict sandbox, which imports each afresh for every run (``lifecycle.temporal.sandbox``)."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "WORKFLOWS":
        from workflows.case import CaseWorkflow
        from workflows.evaluation import EvaluationRoundWorkflow, EvaluationTrigger

        return [CaseWorkflow, EvaluationRoundWorkflow, EvaluationTrigger]
    raise AttributeError(name)
