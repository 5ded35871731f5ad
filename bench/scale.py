"""Scale: many open qingdao-2024 cases on one worker, each with a running timer. Each case's
applications close 30 business days after it starts (the timer starts its review), and its
preliminary review is due 30 days later (a second timer, marked overdue). While those timers
fire, officers' Updates are sent to the same cases and timed."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time

from sqlalchemy.exc import OperationalError

from bench import console
from bench.admission import BUSINESS_START, POLICY, application
from bench.engine import CaseService, Failure
from bench.measure import Proc, summary
from lifecycle.clock import BusinessClock
from lifecycle.contracts import ActRequest
from lifecycle.store.repo import Store

OFFICER = "bureau_officer:bench"


async def measure(client, store: Store, proc: Proc, queue: str, stamp: str, args) -> dict:
    service = CaseService(
        client, store, BusinessClock(day_seconds=args.day_seconds), task_queue=queue
    )
    name = f"scale-{stamp}"
    start = BUSINESS_START.date()
    store.set_round(
        POLICY,
        name,
        applications_close=start + dt.timedelta(days=30),
        preliminary_review_due=start + dt.timedelta(days=60),
        expert_review_due=None,
    )
    rss_before = proc.rss_mb()
    cpu_before = proc.cpu()
    gate = asyncio.Semaphore(args.at_once)
    apps = [application(n, stamp, prefix="91370213") for n in range(args.scale)]

    retried = 0

    async def one(app) -> str:
        nonlocal retried
        async with gate:
            for attempt in range(5):
                try:
                    return await service.apply(POLICY, app, name, now=BUSINESS_START)
                except OperationalError:  # SQLite's write lock held past its busy timeout
                    if attempt == 4:
                        raise
                    retried += 1
                    await asyncio.sleep(1)
            raise AssertionError("unreachable")

    began = time.monotonic()
    cases = list(await asyncio.gather(*(one(a) for a in apps)))
    started = time.monotonic() - began
    rss_started = proc.rss_mb()

    latencies: list[float] = []
    outcomes = {"accepted": 0, "refused": 0}
    window_end = time.monotonic() + 30 * args.day_seconds * 2 + 10

    async def probe(district: str) -> None:
        while time.monotonic() < window_end:
            case_id = random.choice(cases)
            row = store.case(case_id)
            if row is None or row.state not in ("submitted", "preliminary_review"):
                await asyncio.sleep(0.05)
                continue
            if row.state == "submitted":
                request = ActRequest(action="begin_review", actor=OFFICER)
            else:
                request = ActRequest(
                    action="pass_preliminary", actor=f"district_officer:bench@{district}"
                )
            t = time.perf_counter()
            try:
                await service.act(case_id, request)
                outcomes["accepted"] += 1
            except Failure:
                outcomes["refused"] += 1
            latencies.append(time.perf_counter() - t)
            await asyncio.sleep(0.2)

    district = apps[0].district
    # The console's pages with every case open and in the store (before the timers move them).
    for _ in range(120):
        if len(store.cases(state="submitted", policy=POLICY)) >= len(cases) - 1:
            break
        await asyncio.sleep(0.5)
    pages = await console.measure(client, store, stamp)
    await asyncio.gather(*(probe(district) for _ in range(4)))
    counts = {
        state: len(store.cases(state=state, policy=POLICY))
        for state in ("submitted", "preliminary_review", "expert_review")
    }
    result = {
        "cases": args.scale,
        "start_seconds": round(started, 1),
        "starts_retried": retried,
        "starts_per_second": round(args.scale / started, 1),
        "worker_rss_mb": {"before": rss_before, "started": rss_started, "after": proc.rss_mb()},
        "worker_cpu_s": round(proc.cpu() - cpu_before, 1),
        "update_s": summary(latencies),
        "updates": outcomes,
        "states_after": counts,
        "console": pages,
    }
    await asyncio.gather(
        *(client.get_workflow_handle(c).terminate("bench") for c in cases),
        return_exceptions=True,
    )
    return result
