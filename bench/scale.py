"""Scale: many open qingdao-2024 cases on the worker(s) polling the bench's queue, each with a
running timer, and a contest for capped places while those timers fire.

Every case of a run shares one business clock (anchored when the run begins, a day every
``--day-seconds``), so the round's dates are the same instant for all of them: its applications
close once every case has started and been recorded (the close is set from the pace at which the
worker recorded the first cases), and that one instant fires every case's timer at once (the
timer starts its review); the preliminary review falls due 30 days later (a second timer, marked
overdue). While those timers fire, officers' Updates are sent to the same cases and timed, and a
contest runs: ``CONTEST`` providers of one type and sectors are driven through their admission in
a round of their own, so that more are recommended than the programme's cap per sector allows
(qingdao-2024 §一). With one worker or two on the queue, exactly the cap may be selected and
listed, every other refused with the cap, and no case may show an effect twice in its audit
trail."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import inspect
import math
import random
import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bench import console
from bench.admission import BUSINESS_START, POLICY, application
from bench.engine import CaseService, Failure, NoAnswer, script
from bench.measure import Proc, summary
from lifecycle.clock import BusinessClock
from lifecycle.contracts import ActRequest
from lifecycle.policies import REGISTRY
from lifecycle.store.models import AuditRow, CaseRow
from lifecycle.store.repo import Store

OFFICER = "bureau_officer:bench"
CONTEST = 20  # providers after places capped at qingdao-2024's per-sector limit
REVIEW_DAYS = 30  # from the close to the preliminary review's due date
FAR = 3650  # days: a round whose timers do not fire during the run


def count(store: Store, state: str, round_name: str) -> int:
    """Cases of ``round_name`` in ``state`` in the read model (one COUNT, not the rows)."""
    with store.reads() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(CaseRow)
                .where(CaseRow.policy == POLICY, CaseRow.round == round_name)
                .where(CaseRow.state == state)
            )
            or 0
        )


def closes_applied(store: Store, round_name: str) -> int:
    """Cases of ``round_name`` whose round's close has been applied and recorded (the review
    the system began, in their audit trails)."""
    with store.reads() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(AuditRow)
                .join(CaseRow, CaseRow.case_id == AuditRow.case_id)
                .where(CaseRow.policy == POLICY, CaseRow.round == round_name)
                .where(AuditRow.action == "begin_review", AuditRow.actor_role == "system")
            )
            or 0
        )


async def measure(
    client, store: Store, procs: list[Proc], queue: str, stamp: str, args, prefix: str
) -> dict:
    """One run with the workers ``procs`` on ``queue``; ``prefix`` keeps its providers' credit
    codes apart from another run's."""
    origin = dt.datetime.now(dt.UTC)
    clock = BusinessClock(
        business_origin=BUSINESS_START, real_origin=origin, day_seconds=args.day_seconds
    )
    # An earlier commit's engine (make bench-at) has no spread: its cases fire at the instant.
    spreads = "spread" in inspect.signature(CaseService).parameters
    spread = args.spread if spreads else 0
    extra: dict[str, Any] = {"spread": spread} if spreads else {}
    service = CaseService(client, store, clock, task_queue=queue, **extra)
    # The contest's 20 cases fire at their deadlines (no spread), so that their listings, five
    # working days after the notice, are seen within the run.
    contesting = CaseService(client, store, clock, task_queue=queue)
    name = f"scale-{stamp}-{len(procs)}"
    start_day = BUSINESS_START.date()

    def real_at(days: int) -> float:
        """Monotonic time when business date start + ``days`` has ended (24:00)."""
        midnight = dt.datetime.combine(
            start_day + dt.timedelta(days=days + 1), dt.time(0), tzinfo=BUSINESS_START.tzinfo
        )
        ahead = clock.real_delay(midnight, dt.datetime.now(dt.UTC)).total_seconds()
        return time.monotonic() + ahead

    before = [(p.rss_mb(), p.cpu()) for p in procs]
    gate = asyncio.Semaphore(args.at_once)
    apps = [application(n, stamp, prefix=prefix) for n in range(args.scale)]
    retried = 0

    fires = math.inf  # when the measured round's applications close (set below)

    async def one(app, round_name: str) -> str | None:
        nonlocal retried
        async with gate:
            if time.monotonic() > fires - 10:  # the close came first: not started
                return None
            for attempt in range(5):
                try:
                    return await service.apply(POLICY, app, round_name)
                except OperationalError:  # SQLite's write lock held past its busy timeout
                    if attempt == 4:
                        raise
                    retried += 1
                    await asyncio.sleep(1)
            raise AssertionError("unreachable")

    # The first tenth, in a round of their own that closes far ahead, time the starts until the
    # worker has recorded them (its pace, not the driver's, is what the close must wait for);
    # the round under measure closes once the rest will have been started and recorded at half
    # that rate (both slow down as the store and the server fill), and a minute more for the
    # console's pages. A start that would still come within 10 s of the close is not made (and
    # counted).
    first = min(len(apps), max(40, len(apps) // 10))
    store.set_round(
        POLICY, f"{name}-first",
        applications_close=start_day + dt.timedelta(days=FAR),
        preliminary_review_due=start_day + dt.timedelta(days=FAR + REVIEW_DAYS),
        expert_review_due=None,
    )  # fmt: skip
    began = time.monotonic()
    made = await asyncio.gather(*(one(a, f"{name}-first") for a in apps[:first]))
    started_first = sum(c is not None for c in made)
    while count(store, "submitted", f"{name}-first") < started_first and (
        time.monotonic() < began + 600
    ):
        await asyncio.sleep(0.2)
    rate = max(started_first, 1) / (time.monotonic() - began)
    rest = apps[first:]
    margin = 2 * len(rest) / rate + 60  # the rest's starts, then the console's pages
    close_days = math.ceil((time.monotonic() - began + margin) / args.day_seconds)
    store.set_round(
        POLICY, name,
        applications_close=start_day + dt.timedelta(days=close_days),
        preliminary_review_due=start_day + dt.timedelta(days=close_days + REVIEW_DAYS),
        expert_review_due=None,
    )  # fmt: skip
    fires = real_at(close_days)
    made += await asyncio.gather(*(one(a, name) for a in rest))
    cases = [c for c in made if c is not None]
    started = time.monotonic() - began
    rss_started = [p.rss_mb() for p in procs]

    # The console's pages with every case open and in the store, before the timers move them.
    while count(store, "submitted", name) < len(cases) - first and time.monotonic() < fires - 5:
        await asyncio.sleep(0.5)
    recorded = count(store, "submitted", name)
    pages = await console.measure(client, store, f"{stamp}-{len(procs)}")
    left_before_close = round(fires - time.monotonic(), 1)

    latencies: dict[str, list[float]] = {"before": [], "firing": []}
    outcomes = {"accepted": 0, "refused": 0, "unanswered": 0}
    # Timed from before the close until 30 s after the review's due date (at the bench's speed),
    # while the close's firings and, from 30 s on, the review's are spread over the window.
    window_end = real_at(close_days + REVIEW_DAYS) + 30
    measured = cases[first:]

    async def probe(district: str) -> None:
        while time.monotonic() < window_end:
            case_id = random.choice(measured)
            row = store.case(case_id)
            if row is None or row.state not in ("submitted", "preliminary_review"):
                await asyncio.sleep(0.05)
                continue
            if row.state == "submitted" and time.monotonic() < fires:
                request = ActRequest(action="begin_review", actor=OFFICER)
            else:
                # Under review (the close began it, applied or due): the district's pass.
                request = ActRequest(
                    action="pass_preliminary", actor=f"district_officer:bench@{district}"
                )
            sent = time.monotonic()
            try:
                await service.act(case_id, request)
                outcomes["accepted"] += 1
            except NoAnswer:
                outcomes["unanswered"] += 1
            except Failure:  # refused: a timer moved the case first
                outcomes["refused"] += 1
            latencies["firing" if sent >= fires else "before"].append(time.monotonic() - sent)
            await asyncio.sleep(0.2)

    async def contest_when_firing() -> dict[str, Any]:
        await asyncio.sleep(max(0.0, fires - time.monotonic()))
        return await contest(contesting, store, f"contest-{stamp}-{len(procs)}", stamp, prefix)

    async def probed(district: str) -> dict[str, int]:
        """The officers' Updates, then where the cases stand when they stop, and how many
        cases' closes were applied and recorded by then."""
        await asyncio.gather(*(probe(district) for _ in range(4)))
        counts = {
            state: count(store, state, name)
            for state in ("submitted", "preliminary_review", "expert_review")
        }
        return {**counts, "closes_applied": closes_applied(store, name)}

    probing = asyncio.ensure_future(probed(apps[0].district))  # running from here on
    contested = await contest_when_firing()
    counts = await probing
    result = {
        "workers": len(procs),
        "spread_s": spread,
        "probed_s": round(window_end - fires, 1),
        "at_once": args.at_once,
        "cases": len(cases),
        "not_started": args.scale - len(cases),
        "start_seconds": round(started, 1),
        "starts_retried": retried,
        "starts_per_second": round(len(cases) / started, 1),
        "recorded_before_pages": recorded + first,
        "seconds_left_before_close": left_before_close,
        "worker_rss_mb": [
            {"before": b[0], "started": s, "after": p.rss_mb()}
            for p, b, s in zip(procs, before, rss_started, strict=True)
        ],
        "worker_cpu_s": [round(p.cpu() - b[1], 1) for p, b in zip(procs, before, strict=True)],
        "update_s": summary(latencies["before"] + latencies["firing"]),
        "update_firing_s": summary(latencies["firing"]),
        "updates": outcomes,
        "states_after": counts,
        "console": pages,
        "contest": contested,
    }
    gate = asyncio.Semaphore(50)

    async def close(case_id: str) -> None:
        async with gate:
            with contextlib.suppress(Exception):  # a case already closed
                await client.get_workflow_handle(case_id).terminate("bench")

    await asyncio.gather(*(close(c) for c in cases + contested.pop("case_ids")))
    return result


async def contest(
    service: CaseService, store: Store, round_name: str, stamp: str, prefix: str
) -> dict[str, Any]:
    """``CONTEST`` providers of one type and sectors through their admission at once: the
    places selected, refused and listed, checked against the cap, and each case's audit trail
    checked for an action recorded twice."""
    pack = REGISTRY.get(REGISTRY.current(POLICY))
    store.set_round(
        POLICY, round_name, applications_close=None, preliminary_review_due=None,
        expert_review_due=None,
    )  # fmt: skip
    apps = [
        application(n, stamp, prefix=prefix[:-1] + str((int(prefix[-1]) + 5) % 10))
        for n in range(CONTEST)
    ]
    kind = next(t for t in pack.admission.provider_types if t.id == apps[0].provider_type)
    assert kind.per_sector is not None
    cap = kind.per_sector[1]
    gate = asyncio.Semaphore(8)
    refusals: list[str] = []
    unanswered = 0

    async def one(app) -> tuple[str, bool]:
        async with gate:
            case_id = await service.apply(POLICY, app, round_name)
            for step in script(pack, app):
                try:
                    await service.act(case_id, step)
                except NoAnswer:
                    nonlocal unanswered
                    unanswered += 1
                    return case_id, False
                except Failure as exc:
                    refusals.append(str(exc))
                    return case_id, False
            return case_id, True

    outcome = await asyncio.gather(*(one(a) for a in apps))
    ids = [c for c, _ in outcome]
    selected = [c for c, ok in outcome if ok]
    deadline = time.monotonic() + 120
    while count(store, "listed", round_name) < len(selected) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    with store.reads() as s:
        trail = s.execute(
            select(AuditRow.case_id, AuditRow.action).where(AuditRow.case_id.in_(ids))
        ).all()
    twice = sorted(
        f"{case} {action}"
        for (case, action), n in collections.Counter((c, a) for c, a in trail).items()
        if n > 1
    )
    listed = count(store, "listed", round_name)
    return {
        "providers": CONTEST,
        "cap": cap,
        "selected": len(selected),
        "listed": listed,
        "refused_with_cap": sum(f"at most {cap}" in r for r in refusals),
        "other_refusals": [r for r in refusals if f"at most {cap}" not in r][:3],
        "unanswered": unanswered,
        "actions_twice": twice[:5],
        "exact": len(selected) == cap == listed
        and sum(f"at most {cap}" in r for r in refusals) == CONTEST - cap
        and not twice,
        "case_ids": ids,
    }
