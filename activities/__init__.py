"""Temporal activities: every effect the case workflow needs (calendar data, SQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio.client import Client

from activities.calendar import CalendarActivities
from activities.identity import takes_asserted
from activities.obtain import ObtainActivities
from activities.rounds import RoundActivities
from activities.store import Outage, StoreActivities
from lifecycle.store.repo import Store


def build_activities(
    store: Callable[[], Store], client: Client | None = None, outage: Outage | None = None
) -> list[Callable[..., Any]]:
    """Every activity the worker runs; ``client`` lets an evaluation round act on cases;
    ``outage`` collects the cases to tell when the store is back."""
    calendar = CalendarActivities()
    records = StoreActivities(store, outage)
    rounds = RoundActivities(store, client)
    return [
        rounds.round_roster,
        rounds.publish_results,
        rounds.award,
        rounds.act_on_case,
        calendar.compute_deadline,
        ObtainActivities(calendar, records).obtain,
        records.record_case,
        records.reserve,
        records.claim,
        records.read_settings,
        records.event_seen,
        records.reject_events,
        records.count_selected,
        takes_asserted,
    ]


__all__ = [
    "CalendarActivities",
    "Outage",
    "RoundActivities",
    "StoreActivities",
    "build_activities",
]
