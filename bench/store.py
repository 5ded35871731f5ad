"""The store's part of a lifecycle: the six ``record_case`` inputs of a saved qingdao-2024
admission (tests/replay) recorded again and again as new cases, on a fresh SQLite file (or the
store BENCH_DB_URL names), with the process's CPU time per record; then the same written by 8
threads at once, as the worker writes several cases side by side; then as many places taken under
one cap, with the CPU time per place; then the questions ``publicise`` asks before it decides,
through the activities the worker runs (in Temporal's activity environment): the notice's working
days counted, and the local activity ``obtain`` that counts them and takes a place in one call.
``python -m bench.store [URL]`` prints the figures as JSON."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

from lifecycle.contracts.activities import RecordInput
from lifecycle.store.repo import Store

HISTORY = (
    Path(__file__).resolve().parents[1] / "tests" / "replay" / "v9_engine3_qingdao_listed.json"
)


def inputs() -> list[RecordInput]:
    found = []
    for event in json.loads(HISTORY.read_text("utf-8"))["events"]:
        scheduled = event.get("activityTaskScheduledEventAttributes")
        if scheduled and scheduled["activityType"]["name"] == "record_case":
            data = base64.b64decode(scheduled["input"]["payloads"][0]["data"])
            found.append(RecordInput.model_validate_json(data))
    return found


def measure(url: str | None = None, cases: int = 100) -> dict[str, object]:
    steps = inputs()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.from_url(url or f"sqlite:///{tmp}/store.db")
        stamp = uuid.uuid4().hex[:8]
        cpu, wall = time.process_time(), time.perf_counter()
        for n in range(cases):
            for step in steps:
                _record_as(store, step, f"bench-{stamp}-{n}")
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        together = _at_once(store, steps, stamp)
        places = _reserve(store, stamp, cases * len(steps))
        asked = _asked(store, stamp, cases * len(steps))
        store.sessions.kw["bind"].dispose()
    records = cases * len(steps)
    return {
        "store": (url or "sqlite").split("://")[0],
        "records": records,
        "cpu_ms_per_record": round(cpu / records * 1000, 3),
        "wall_ms_per_record": round(wall / records * 1000, 3),
        **together,
        **places,
        **asked,
    }


def _record_as(store: Store, step: RecordInput, case_id: str) -> None:
    """One saved record written again as a record of the case ``case_id``."""
    whole = getattr(step, "projection", None) or step.snapshot  # earlier engines: snapshot
    assert whole is not None
    store.record(
        whole.model_copy(update={"case_id": case_id}),
        step.entries,
        step.release,
        step.notifications,
    )


def _at_once(
    store: Store, steps: list[RecordInput], stamp: str, threads: int = 8, cases: int = 40
) -> dict[str, float]:
    """The same records of ``cases`` new cases written by ``threads`` threads at once (as the
    worker writes several cases' records side by side): the time in all a record, and the
    slowest record's."""
    from concurrent.futures import ThreadPoolExecutor

    took: list[float] = []  # each record's time (appended from every thread)

    def one(n: int) -> None:
        for step in steps:
            began = time.perf_counter()
            _record_as(store, step, f"bench-{stamp}-together-{n}")
            took.append(time.perf_counter() - began)

    wall = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(cases)))
    wall = time.perf_counter() - wall
    return {
        "together_threads": threads,
        "together_wall_ms_per_record": round(wall / (cases * len(steps)) * 1000, 3),
        "together_slowest_ms": round(max(took) * 1000, 1),
    }


def _reserve(store: Store, stamp: str, count: int) -> dict[str, float]:
    """A place under a cap taken by ``count`` cases of one pool (as each publicised case of a
    qingdao-2024 round takes one), with the CPU time each took."""
    from lifecycle.domain.plan import ReservationRequest

    def request(n: int) -> ReservationRequest:
        return ReservationRequest(
            pools={f"bench-{stamp}/product/auto_parts": "places for auto_parts"},
            holder=f"bench-{stamp}-{n}",
            capacity=count + 1,
            clause="qingdao-2024 §一",
        )

    at = dt.datetime.now(dt.UTC)
    cpu = time.process_time()
    granted = sum(store.reserve(request(n), at).granted for n in range(count))
    cpu = time.process_time() - cpu
    assert granted == count
    return {"places": count, "cpu_ms_per_place": round(cpu / count * 1000, 3)}


def _asked(store: Store, stamp: str, count: int) -> dict[str, float]:
    """The notice's count (5 working days from a day before 国庆 2025), and ``obtain`` asking it
    with a place under a cap, each ``count`` times: CPU a count, CPU and time in all an obtain."""
    try:
        from activities.calendar import CalendarActivities
        from activities.obtain import ObtainActivities
        from activities.store import StoreActivities
        from lifecycle.contracts.activities import ObtainRequest
        from lifecycle.domain.plan import DeadlineRequest, Plan, ReservationRequest
    except ImportError:  # an earlier commit's engine (make bench-at): not measured
        return {}
    import asyncio
    import concurrent.futures

    from temporalio.testing import ActivityEnvironment

    calendar = CalendarActivities()
    obtain = ObtainActivities(calendar, StoreActivities(lambda: store)).obtain
    notice = DeadlineRequest(
        name="public_notice", rule="window", date=dt.date(2025, 9, 26), working_days=5
    )

    def plan(n: int) -> ObtainRequest:
        place = ReservationRequest(
            pools={f"bench-{stamp}/asked": "places"},
            holder=f"bench-{stamp}-asked-{n}",
            capacity=count + 1,
            clause="qingdao-2024 §一",
        )
        return ObtainRequest(
            policy="qingdao-2024", plan=Plan(deadlines=[notice], reservation=place)
        )

    async def run() -> dict[str, float]:
        env = ActivityEnvironment()
        await env.run(calendar.compute_deadline, notice)  # the calendar's first load, not timed
        cpu = time.process_time()
        for _ in range(count):
            await env.run(calendar.compute_deadline, notice)
        counted = time.process_time() - cpu
        cpu, wall = time.process_time(), time.perf_counter()
        for n in range(count):
            await env.run(obtain, plan(n))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        return {
            "counts": count,
            "cpu_ms_per_count": round(counted / count * 1000, 3),
            "cpu_ms_per_obtain": round(cpu / count * 1000, 3),
            "wall_ms_per_obtain": round(wall / count * 1000, 3),
        }

    with concurrent.futures.ThreadPoolExecutor(1) as own:  # a loop of its own (the bench's runs)
        return own.submit(asyncio.run, run()).result()


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1] if len(sys.argv) > 1 else None), indent=2))
