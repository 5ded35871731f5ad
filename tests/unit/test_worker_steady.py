"""The worker's steady start (``runtime.worker.steady``): what a worker process loaded to start is
kept out of the garbage collector's full passes, so a pass no longer walks it.

Run in a process of its own (a freeze would otherwise hold every test's objects for the rest of
the session): the process imports what the worker imports and loads the rules, times a full
pass, calls ``steady`` and times one again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, time
import runtime.worker as worker
from lifecycle.policies import REGISTRY
packs = [REGISTRY.get(REGISTRY.current(p)) for p in REGISTRY.ids()]

def full_pass():
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        gc.collect()
        best = min(best, time.perf_counter() - began)
    return best

loaded = len(gc.get_objects())
before = full_pass()
worker.steady()
after = full_pass()
print(json.dumps({"loaded": loaded, "frozen": gc.get_freeze_count(), "walked": len(gc.get_objects()),
                  "before": before, "after": after}))
"""


def test_a_full_pass_no_longer_walks_what_the_worker_loaded_to_start() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    # A worker loads well over a hundred thousand objects the collector tracks.
    assert got["loaded"] > 100_000, got
    # Once steady, they are frozen and a full pass walks (almost) none of them.
    assert got["frozen"] >= 0.95 * got["loaded"], got
    assert got["walked"] < 0.05 * got["loaded"], got
    # And the pass takes a small part of what it took before.
    assert got["after"] < got["before"] / 10, got
