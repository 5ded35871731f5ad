"""Temporal activities: every effect the case workflow needs (calendar data, SQL, notices)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from activities.calendar import CalendarActivities


def build_activities() -> list[Callable[..., Any]]:
    calendar = CalendarActivities()
    return [calendar.compute_deadline]


__all__ = ["CalendarActivities", "build_activities"]
