"""The baseline: a minimal workflow doing what one case's admission does in Temporal terms and
nothing more. It takes the same number of Updates, each writing one SQLite row through an
activity (as the case records each change), waits on one timer of the same length as the public
notice, and writes a last row when the timer fires. Its input is small and its state a counter."""

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


@dataclass
class TwinRow:
    case_id: str
    seq: int
    action: str


class TwinActivities:
    """One row per change in a plain SQLite table (a connection per worker, WAL)."""

    def __init__(self, path: Path) -> None:
        import sqlite3  # the activities' own: the workflow module imports no database library

        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=wal")
        self.db.execute("PRAGMA synchronous=normal")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS twin_rows "
            "(case_id TEXT, seq INTEGER, action TEXT, at TEXT, PRIMARY KEY (case_id, seq))"
        )

    @activity.defn(name="twin_record")
    async def record(self, row: TwinRow) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO twin_rows VALUES (?, ?, ?, ?)",
            (row.case_id, row.seq, row.action, dt.datetime.now(dt.UTC).isoformat()),
        )


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
        return self.state

    @workflow.update
    async def act(self, action: str) -> int:
        self.state = action
        return await self._record(workflow.info().workflow_id, action)

    @workflow.query
    def view(self) -> dict[str, object]:
        return {"state": self.state, "seq": self.seq}
