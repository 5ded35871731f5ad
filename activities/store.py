"""Writes to and reads from the store on behalf of case workflows (sync SQLAlchemy in a thread)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pydantic import BaseModel
from temporalio import activity

from lifecycle.domain.case import AuditEntry
from lifecycle.domain.decide import SelectionQuery
from lifecycle.store.repo import CaseSnapshot, Store


class RecordInput(BaseModel):
    snapshot: CaseSnapshot
    entries: list[AuditEntry]


class RecordResult(BaseModel):
    new_rows: int


class SelectionCount(BaseModel):
    counts: dict[str, int]

    @property
    def fullest(self) -> int:
        return max(self.counts.values(), default=0)


class StoreActivities:
    def __init__(self, store: Callable[[], Store]) -> None:
        self._store = store

    @activity.defn(name="record_case")
    async def record_case(self, data: RecordInput) -> RecordResult:
        added = await asyncio.to_thread(self._store().record, data.snapshot, data.entries)
        return RecordResult(new_rows=added)

    @activity.defn(name="count_selected")
    async def count_selected(self, query: SelectionQuery) -> SelectionCount:
        counts = await asyncio.to_thread(
            self._store().selected_counts,
            query.policy,
            query.round,
            query.provider_type,
            query.sectors,
            query.case_id,
        )
        return SelectionCount(counts=counts)
