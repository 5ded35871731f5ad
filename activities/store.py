"""Writes to and reads from the store on behalf of case workflows (sync SQLAlchemy: on a SQLite
file a case's own small reads and writes run at once on the event loop when no other writer
holds the file, in a thread otherwise and on PostgreSQL).

Every write is idempotent (a retried activity changes nothing more). A store that cannot be
reached is a retryable failure with one sentence: the case shows it and tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory
from temporalio.service import RPCError

from lifecycle import logs
from lifecycle.contracts import (
    WHOLE_WANTED,
    ClaimRequest,
    ClaimResult,
    EventSeen,
    EventSeenInput,
    RecordInput,
    RejectedEvents,
    ReservationRequest,
    SelectionCount,
    SelectionQuery,
    SettingsFound,
    SettingsInput,
    SlotResult,
)
from lifecycle.contracts.activities import CaseChange, with_case_id
from lifecycle.contracts.case import STORE_BACK
from lifecycle.store import db
from lifecycle.store.repo import Store
from lifecycle.store.writes import WholeWanted

log = logs.get_logger("activities.store")

STORE_DOWN = "StoreUnavailable"
T = TypeVar("T")


async def in_store(
    store: Callable[[], Store], work: Callable[[Store], T], at_once: bool = False
) -> T:
    """``work`` on the store in a thread; a store that cannot be used is a retryable failure
    in one sentence. ``at_once`` (a case's own small reads and writes): on a SQLite file, run
    first here on the event loop if no other writer holds the file, which costs less than the
    thread's hand-off; in a thread, where it may wait its turn, if one does."""
    try:
        found = store()
        if at_once and found.engine.dialect.name == "sqlite":
            with contextlib.suppress(db.WouldWait):
                return db.at_once(lambda: work(found))
        return await asyncio.to_thread(work, found)
    except SQLAlchemyError as exc:
        origin = getattr(exc, "orig", None) or exc
        detail = str(origin).strip().splitlines()
        raise ApplicationError(
            f"the store cannot be used: {(detail[0] if detail else type(exc).__name__)}",
            type=STORE_DOWN,
            # An outage, not a fault: the SDK then logs each failed try at DEBUG without its
            # traceback; the case logs once that it waits on the store, and what for.
            category=ApplicationErrorCategory.BENIGN,
        ) from exc


class Outage:
    """The cases whose records this worker could not write to the store: each is told (the
    Signal ``store_back``) as soon as the store takes a write again, so it catches up at once
    rather than at its next retry (which may be half an hour away after a long outage).

    ``kept``: a file where the set is kept while cases wait, so a worker restarted during an
    outage still tells the cases its predecessor left waiting. ``checked``: called once the
    store answers when the worker started without it (its schema is checked then)."""

    def __init__(self, kept: Path | None = None, checked: Callable[[], None] | None = None) -> None:
        self.kept, self.checked = kept, checked
        self.cases: set[str] = self._read()

    def add(self, case_id: str) -> None:
        if case_id not in self.cases:
            self.cases.add(case_id)
            self._write()

    async def watch(self, store: Callable[[], Store], client: Client, every: float = 5.0) -> None:
        """Until cancelled: while cases wait, tries the store every ``every`` seconds."""
        while True:
            await asyncio.sleep(every)
            if not self.cases and self.checked is None:
                continue
            try:
                await asyncio.to_thread(lambda: store().ping())
                if self.checked is not None:
                    await asyncio.to_thread(self.checked)
                    self.checked = None
            except Exception:  # still down (or not reachable at all): the next try will tell
                continue
            told, self.cases = self.cases, set()
            log.info("store is back", cases=len(told))
            for case_id in sorted(told):
                with contextlib.suppress(RPCError):  # a case closed meanwhile
                    await client.get_workflow_handle(case_id).signal(STORE_BACK)
            self._write()

    def _read(self) -> set[str]:
        if self.kept is None:
            return set()
        try:
            found = json.loads(self.kept.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        return {c for c in found if isinstance(c, str)} if isinstance(found, list) else set()

    def _write(self) -> None:
        if self.kept is None:
            return
        with contextlib.suppress(OSError):  # a read-only var folder: kept in memory only
            if not self.cases:
                self.kept.unlink(missing_ok=True)
                return
            temp = self.kept.with_suffix(".tmp")
            temp.write_text(json.dumps(sorted(self.cases)), encoding="utf-8")
            temp.replace(self.kept)


class StoreActivities:
    def __init__(self, store: Callable[[], Store], outage: Outage | None = None) -> None:
        self._store, self._outage = store, outage

    async def _run(self, work: Callable[[Store], T]) -> T:
        try:
            return await in_store(self._store, work, at_once=True)
        except ApplicationError as exc:
            case_id = activity.info().workflow_id or ""
            if exc.type == STORE_DOWN and self._outage is not None and case_id.startswith("case:"):
                self._outage.add(case_id)  # told when the store is back
            raise

    @activity.defn(name="record_case")
    async def record_case(self, data: RecordInput) -> None:
        """The change recorded (nothing is returned: the case goes on once it is written). A
        change that leaves its case's id out is of this activity's own case."""
        projection = data.projection
        if isinstance(projection, CaseChange):
            projection = with_case_id(projection, activity.info().workflow_id or "")
        try:
            await self._run(
                lambda s: s.record(projection, data.entries, data.release, data.notifications)
            )
        except WholeWanted as exc:
            raise ApplicationError(
                f"the store does not hold case {exc}: its whole projection is wanted",
                type=WHOLE_WANTED,
                non_retryable=True,
                category=ApplicationErrorCategory.BENIGN,  # asked and answered: no fault
            ) from exc

    @activity.defn(name="claim")
    async def claim(self, request: ClaimRequest) -> ClaimResult:
        now = dt.datetime.now(dt.UTC)
        return await self._run(lambda s: s.claim_key(request, now))

    @activity.defn(name="read_settings")
    async def read_settings(self, data: SettingsInput) -> SettingsFound:
        return SettingsFound(values=await self._run(lambda s: s.settings(data.policy, data.keys)))

    @activity.defn(name="reserve")
    async def reserve(self, request: ReservationRequest) -> SlotResult:
        now = dt.datetime.now(dt.UTC)
        return await self._run(lambda s: s.reserve(request, now))

    @activity.defn(name="event_seen")
    async def event_seen(self, data: EventSeenInput) -> EventSeen:
        seq = await self._run(lambda s: s.event_seen(data.case_id, data.event_id))
        return EventSeen(seen=seq is not None, seq=seq)

    @activity.defn(name="reject_events")
    async def reject_events(self, batch: RejectedEvents) -> None:
        await self._run(lambda s: s.reject(batch.events))

    @activity.defn(name="count_selected")
    async def count_selected(self, query: SelectionQuery) -> SelectionCount:
        """Kept for cases whose history counted selections before places were reserved."""
        counts = await self._run(
            lambda s: s.selected_counts(
                query.policy, query.round, query.provider_type, query.sectors, query.case_id
            )
        )
        return SelectionCount(counts=counts)
