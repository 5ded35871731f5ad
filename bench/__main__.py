"""``make bench``: ours against the twins, interleaved on one server, then the report.

Three workers: ours, the fair twin (the targets: it seals its payloads with the same codec and
stays open once listed, as a case does) and the bare twin (for the record: nothing sealed, its
runs complete).

The embedded dev server is started in var/bench/ on free ports unless TEMPORAL_ADDRESS is set
(then that server is used, and its namespace must have the case search attributes, which the
worker adds). Each side's worker runs in its own process, so CPU time and memory are its own."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench import admission, codec, commands, replay, report, scale, years
from bench import store as store_bench

try:
    from bench import sandbox as sandbox_bench
except ImportError:  # an earlier commit's engine (make bench-at) has only Temporal's sandbox
    sandbox_bench = None  # type: ignore[assignment]
from bench.measure import (
    HOPS,
    Proc,
    history_bytes,
    history_parts,
    start_input_bytes,
    summary,
    update_hops,
    workflow_tasks,
)

try:
    from lifecycle.config import SPREAD  # the bureau's default spread at real speed
except ImportError:  # an earlier commit's engine (make bench-at) spreads no deadline
    SPREAD = 0

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(var: Path, day_seconds: int) -> None:
    os.environ["LIFECYCLE_VAR_DIR"] = str(var)
    os.environ["LIFECYCLE_DAY_SECONDS"] = str(day_seconds)
    os.environ.pop("LIFECYCLE_DB_URL", None)  # the bench's own store, unless BENCH_DB_URL
    if os.environ.get("BENCH_DB_URL"):
        os.environ["LIFECYCLE_DB_URL"] = os.environ["BENCH_DB_URL"]
    if not os.environ.get("TEMPORAL_ADDRESS"):
        for name in ("LIFECYCLE_TEMPORAL_PORT", "LIFECYCLE_UI_PORT", "LIFECYCLE_API_PORT"):
            os.environ[name] = str(_free_port())


def _spawn(side: str, queue: str, var: Path, label: str | None = None) -> Proc:
    label = label or side
    log = (var / f"worker-{label}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.worker", side, queue],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if line != "ready":
        raise SystemExit(
            f"the {label} worker did not start; its log is {var / f'worker-{label}.log'}"
        )
    return Proc(label, process, log)


async def _idle(proc: Proc, quiet: float = 0.01, every: float = 0.5) -> None:
    """Until the worker has spent under ``quiet`` CPU-seconds in ``every`` seconds."""
    before = proc.cpu()
    while True:
        await asyncio.sleep(every)
        now = proc.cpu()
        if now - before < quiet:
            return
        before = now


SIDES = ("ours", "fair", "twin")
# What a run can weigh (performance.md): ours without its codec, ours outside the sandbox, the
# twins' module loaded once as ours are, the twins in our worker's own sandbox, every worker
# profiled, no worker keeping what it loaded out of the collector's passes, each worker's time in
# the collector written to its log.
KNOBS = (
    "BENCH_NO_CODEC",
    "BENCH_UNSANDBOXED",
    "BENCH_TWIN_PASSTHROUGH",
    "BENCH_TWIN_WORKER_SANDBOX",
    "BENCH_PROFILE",
    "BENCH_NO_FREEZE",
    "BENCH_GC_STATS",
)


async def _admissions(args, client, sides, procs, out: dict) -> dict:
    """Rounds of one batch each side, the order turned every round; a batch's CPU-seconds per
    lifecycle, its warm Updates' latency, and sampled histories."""
    figures: dict[str, dict[str, list[float]]] = {
        s: {"cpu": [], "updates": [], "history": [], "input": [], "timer": [], "tasks": []}
        for s in SIDES
    }
    saved: dict[str, str] = {}
    # Each Update's latency by its place in the admission (ours's n-th action beside the twins'
    # n-th step): which action makes the tail.
    steps: dict[str, list[list[float]]] = {s: [] for s in SIDES}
    hops: dict[str, list[dict[str, float]]] = {s: [] for s in SIDES}  # from sampled histories
    n = 0
    for rnd in range(args.rounds + 1):  # round 0 warms every side up and is not counted
        order = SIDES[rnd % 3 :] + SIDES[: rnd % 3]
        for name in order:
            side, proc = sides[name], procs[name]
            await _idle(proc)
            cpu = proc.cpu()
            count = 1 if rnd == 0 else args.batch
            runs = await admission.batch(side, n, count, args.at_once)
            await _idle(proc)
            used = proc.cpu() - cpu
            n += count
            timers = [r.timer_seconds for r in runs if r.timer_seconds > 0]
            if name == "ours" and timers:
                for twin in (sides["fair"], sides["twin"]):
                    twin.timer_seconds = sum(timers) / len(timers)
            if rnd == 0:
                continue
            f = figures[name]
            f["cpu"].append(used / count)
            f["updates"].extend(u for r in runs for u in r.updates)
            for r in runs:
                for i, u in enumerate(r.updates):
                    if i == len(steps[name]):
                        steps[name].append([])
                    steps[name][i].append(u)
            if timers:
                f["timer"].append(sum(timers) / len(timers))
            for r in runs[:2]:
                history = await client.get_workflow_handle(r.case_id).fetch_history()
                f["history"].append(history_bytes(history))
                f["input"].append(start_input_bytes(history))
                f["tasks"].append(workflow_tasks(history))
                hops[name].extend(update_hops(history))
                if name not in saved:  # the first sampled history, read by part
                    saved[name] = history.to_json()
                    out.setdefault("history_parts", {})[name] = history_parts(history)
            if name != "twin":  # a case lives on (and the fair twin); closed once measured
                await asyncio.gather(
                    *(client.get_workflow_handle(r.case_id).terminate("bench") for r in runs)
                )
        print(f"  round {rnd}/{args.rounds} done", flush=True)
    for name, proc in procs.items():
        figures[name]["rss"] = [proc.rss_mb()]
        out.setdefault("threads", {})[name] = proc.threads()
    out["lifecycles_per_side"] = args.rounds * args.batch + 1
    out["update_steps"] = {
        "actions": [str(a) for a in getattr(sides["ours"], "actions", [])],
        **{s: [summary(v) for v in by_step] for s, by_step in steps.items()},
    }
    out["update_hops"] = {
        s: {hop: summary([h[hop] for h in found]) for hop in HOPS} | {"updates": len(found)}
        for s, found in hops.items()
        if found
    }
    return {"figures": figures, "histories": saved}


def _save(out: dict, path: Path) -> None:
    """What is measured so far (a phase that fails leaves the earlier ones on record)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2, default=str))


async def main(args: argparse.Namespace) -> dict:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    var = (ROOT / "var" / "bench" / stamp).resolve()
    var.mkdir(parents=True)
    _environment(var, args.day_seconds)

    from temporalio.client import Client

    from bench.engine import CaseService
    from lifecycle.clock import BusinessClock
    from lifecycle.config import Settings
    from lifecycle.store.repo import Store
    from lifecycle.temporal.client import connect
    from lifecycle.temporal.devserver import DevServer
    from lifecycle.temporal.search_attributes import ensure_registered

    settings = Settings.from_env()
    server = None
    if settings.embedded:
        server = DevServer(settings)
        server.start()
        client = await server.wait_ready(lambda: connect(settings))
    else:
        client = await connect(settings)
        await ensure_registered(client, settings.namespace)
    if os.environ.get("BENCH_NO_CODEC"):
        from bench.worker import plain_converter

        client = await Client.connect(
            settings.address, namespace=settings.namespace, data_converter=plain_converter
        )
    twin_client = await Client.connect(settings.address, namespace=settings.namespace)
    out: dict = {
        "started": stamp,
        "server": "embedded dev server (SQLite)" if server else settings.address,
        "store": settings.db_url.split("://")[0],
        "args": vars(args),
        "cores": os.cpu_count(),
        "knobs": [k for k in KNOBS if os.environ.get(k)],
    }
    procs: dict[str, Proc] = {}
    began = time.monotonic()
    try:
        procs = {
            "ours": _spawn("ours", f"bench-ours-{stamp}", var),
            "fair": _spawn("fair", f"bench-fair-{stamp}", var),
            "twin": _spawn("twin", f"bench-twin-{stamp}", var),
        }
        out["rss_at_start_mb"] = {name: proc.rss_mb() for name, proc in procs.items()}
        store = Store.from_url(settings.db_url)
        clock = BusinessClock(day_seconds=args.day_seconds)
        service = CaseService(client, store, clock, task_queue=f"bench-ours-{stamp}", indexed=True)
        ours = admission.Ours(service, store, stamp)
        sides = {
            "ours": ours,
            "fair": admission.Twin(
                await connect(settings), f"bench-fair-{stamp}", ours.steps, stamp, "fair",
                var / "twin-fair.db",
            ),
            "twin": admission.Twin(
                twin_client, f"bench-twin-{stamp}", ours.steps, stamp, "twin",
                var / "twin-twin.db",
            ),
        }  # fmt: skip
        out["codec"] = codec.measure()
        out["store_record"] = store_bench.measure(os.environ.get("BENCH_DB_URL"))
        if sandbox_bench:  # a short run (fewer than 3 rounds) weighs it briefly
            out["sandbox"] = await sandbox_bench.run(*((20, 5) if args.rounds >= 3 else (2, 1)))
        _save(out, args.out)
        if args.rounds:
            print(f"admission: {args.rounds} rounds of {args.batch} lifecycles a side", flush=True)
            adm = await _admissions(args, client, sides, procs, out)
            out["admission"] = {
                s: {k: summary(v) for k, v in f.items()} for s, f in adm["figures"].items()
            }
            for s, f in adm["figures"].items():  # each round's, in order: does it grow?
                out["admission"][s]["cpu"]["rounds"] = [round(v, 4) for v in f["cpu"]]
            _save(out, args.out)
            print("cold replay", flush=True)
            for name, text in adm["histories"].items():  # one sampled history a side, to read
                (var / f"history-{name}.json").write_text(text, "utf-8")
            out["replay"] = replay.measure(adm["histories"], var, args.replays)
            _save(out, args.out)
        if args.commands:
            print("the command, as a whole process", flush=True)
            out["commands"] = await commands.measure(service, store, stamp)
            _save(out, args.out)
        if args.scale:
            for workers in args.scale_workers:
                print(f"scale: {args.scale} open cases, {workers} worker(s)", flush=True)
                if workers > 1 and "ours-2" not in procs:  # a second worker on the same queue
                    procs["ours-2"] = _spawn("ours", f"bench-ours-{stamp}", var, "ours-2")
                polling = [procs["ours"]] + ([procs["ours-2"]] if workers > 1 else [])
                prefix = f"9137021{2 + workers}"
                out.setdefault("scales", []).append(
                    await scale.measure(
                        client, store, polling, f"bench-ours-{stamp}", stamp, args, prefix
                    )
                )
                _save(out, args.out)
    finally:
        for proc in procs.values():
            proc.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.process.wait(20)
        if server is not None:
            server.stop()
    _save(out, args.out)
    if args.years:
        print("three years of weekly events (time-skipping test server)", flush=True)
        out["years"] = await years.measure(var)
    out["seconds"] = round(time.monotonic() - began, 1)
    if not args.keep:
        shutil.rmtree(var, ignore_errors=True)
    return out


def cli() -> None:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument(
        "--rounds", type=int, default=10, help="measured rounds a side (0: no admissions)"
    )
    parser.add_argument("--batch", type=int, default=40, help="lifecycles a side per round")
    parser.add_argument("--at-once", type=int, default=8, help="lifecycles driven at a time")
    parser.add_argument("--day-seconds", type=int, default=1, help="real seconds a business day")
    parser.add_argument("--replays", type=int, default=5, help="cold replays a side")
    parser.add_argument("--scale", type=int, default=10_000, help="open cases (0: skip)")
    parser.add_argument(
        "--scale-workers",
        type=int,
        nargs="+",
        default=[1, 2],
        choices=[1, 2],
        help="the scale phase with one worker, then with two on the same queue",
    )
    parser.add_argument(
        "--spread",
        type=int,
        default=SPREAD,
        help="seconds the scale cases' deadline firings are spread over once due "
        "(LIFECYCLE_DEADLINE_SPREAD; 0: all at the instant)",
    )
    parser.add_argument("--no-years", dest="years", action="store_false")
    parser.add_argument("--no-commands", dest="commands", action="store_false")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep var/bench/<run>/ (its logs, and one sampled history a side)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "latest.json")
    args = parser.parse_args()
    result = asyncio.run(main(args))
    _save(result, args.out)
    print(report.render(result))
    print(f"\n(written to {args.out})")


if __name__ == "__main__":
    cli()
