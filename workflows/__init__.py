"""Temporal workflow definitions: orchestration only; the rules live in lifecycle.domain."""

from __future__ import annotations

WORKFLOWS: list[type] = []
