"""The baseline: a minimal workflow doing what one case's admission does in Temporal terms and
nothing more. It takes the same number of Updates, each writing one SQLite row through an
activity (as the case records each change), waits on one timer of the same length as the public
notice, and writes a last row when the timer fires. Its input is small and its state a counter.

Two twins run it: the fair one (the targets) does the same work as a case on the two counts the
engine cannot drop: its worker seals every payload with the same codec, and its run stays open
after listing, as a listed case does, so it stays in the worker's cache. The bare one (for the
record) seals nothing and completes once listed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from temporalio import activity, workflow

TWIN = "TwinWorkflow"


@dataclass
class TwinStart:
    case_id: str
    updates: int
    timer_seconds: float
    stay_open: bool = False  # the fair twin: open after listing, as a listed case is


@dataclass
class TwinRow:
    case_id: str
    seq: int
    action: str


class TwinActivities:
    """One row per change in a plain SQLite table (a connection per worker, WAL)."""

    def __init__(self, path: Path) -> None:
        self.db = connect(path)

    @activity.defn(name="twin_record")
    async def record(self, row: TwinRow) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO twin_rows VALUES (?, ?, ?, ?)",
            (row.case_id, row.seq, row.action, dt.datetime.now(dt.UTC).isoformat()),
        )


def connect(path: Path):  # type: ignore[no-untyped-def]
    """The twin's table (a connection per process, WAL): its worker writes, the driver reads."""
    import sqlite3  # the activities' own: the workflow module imports no database library

    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=wal")
    db.execute("PRAGMA synchronous=normal")
    db.execute(
        "CREATE TABLE IF NOT EXISTS twin_rows "
        "(case_id TEXT, seq INTEGER, action TEXT, at TEXT, PRIMARY KEY (case_id, seq))"
    )
    return db


@workflow.defn(name=TWIN)
class TwinWorkflow:
    def __init__(self) -> None:
        self.seq = 0
        self.state = "submitted"

    async def _record(self, case_id: str, action: str) -> int:
        self.seq += 1
        await workflow.execute_activity(
            "twin_record",
            TwinRow(case_id, self.seq, action),
            start_to_close_timeout=dt.timedelta(seconds=10),
        )
        return self.seq

    @workflow.run
    async def run(self, start: TwinStart) -> str:
        await self._record(start.case_id, "apply")
        await workflow.wait_condition(lambda: self.seq > start.updates)
        await workflow.sleep(start.timer_seconds)
        self.state = "listed"
        await self._record(start.case_id, "list")
        if start.stay_open:
            await workflow.wait_condition(lambda: self.state == "closed")
        return self.state

    @workflow.update
    async def act(self, action: str) -> int:
        self.state = action
        return await self._record(workflow.info().workflow_id, action)

    @workflow.query
    def view(self) -> dict[str, object]:
        return {"state": self.state, "seq": self.seq}
