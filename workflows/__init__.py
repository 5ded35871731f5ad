"""Temporal workflow definitions: orchestration only; the rules live in lifecycle.domain."""

from __future__ import annotations

from workflows.case import CaseWorkflow
from workflows.evaluation import EvaluationRoundWorkflow, EvaluationTrigger

WORKFLOWS: list[type] = [CaseWorkflow, EvaluationRoundWorkflow, EvaluationTrigger]
