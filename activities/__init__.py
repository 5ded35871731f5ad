"""Temporal activities: every effect the case workflow needs (calendar data, SQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from activities.calendar import CalendarActivities
from activities.store import StoreActivities
from lifecycle.store.repo import Store


def build_activities(store: Callable[[], Store]) -> list[Callable[..., Any]]:
    calendar = CalendarActivities()
    records = StoreActivities(store)
    return [
        calendar.compute_deadline,
        records.record_case,
        records.reserve,
        records.claim,
        records.read_settings,
        records.event_seen,
        records.reject_events,
        records.count_selected,
    ]


__all__ = ["CalendarActivities", "StoreActivities", "build_activities"]
