"""The command as a person runs it: each timed as a whole process (its own start-up and imports
included) over several runs, median and p95. The rules' questions answer from the packs alone
(target 0.3 s); `case show` and an accepted `case act` reach a case on the bench's own server
and worker (target 1 s).

Timed twice: answered by the system's command server, as a person's commands are while the
system runs (`lifecycle up` starts one; the targets), and each alone in its own process (no
system running here, or LIFECYCLE_COMMAND_SERVER=0; for the record)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.engine import CaseService
from bench.measure import summary
from lifecycle.contracts import ActRequest
from lifecycle.domain.application import Application
from lifecycle.domain.credit_code import complete
from lifecycle.store.repo import Store
from runtime import served

ROOT = Path(__file__).resolve().parents[1]
LIFECYCLE = str(Path(sys.executable).parent / "lifecycle")
QUICK = 0.3
CASE = 1.0
POLICY = "guangzhou-2024"
RULES = {
    "calendar is-workday": ["calendar", "is-workday", "2026-02-28"],
    "credit-code check": ["credit-code", "check", "91350100M000100Y43"],
    "policy list": ["policy", "list"],
    "score": ["score", "wuhan-2021", "examples/wuhan-2021/evaluation.json"],
    "quota": [
        "quota",
        "wenzhou-2021",
        '{"city_diagnosis_target": 1200, "recognition": "province", '
        '"served_demo_enterprise": false, "excellent_years_running": 1}',
    ],
}


def _timed(args: list[str], env: dict[str, str], seq: Callable[[], int] | None = None) -> float:
    """The whole process's time for one accepted command. ``seq``: for an action, the case's
    last recorded change. On the bench's clock (a business day a second) the listed case's own
    deadlines pass while its actions are timed, so one can come in between and the action is
    refused as the case changed since it was read; a person reads it again and acts once more.
    So an action refused while the case moved on is sent again (up to 3 times), and only the
    accepted one is timed; any other failure stops the bench."""
    for _ in range(3 if seq is not None else 1):
        was = seq() if seq is not None else 0
        began = time.perf_counter()
        done = subprocess.run(
            [LIFECYCLE, *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env}
        )
        took = time.perf_counter() - began
        if done.returncode == 0:
            return took
        if seq is None or not _moved_past(seq, was):
            break
    raise SystemExit(f"lifecycle {' '.join(args)} failed: {done.stderr.strip()[:300]}")


def _moved_past(seq: Callable[[], int], was: int) -> bool:
    """Whether the case's recorded changes went past ``was`` (the store records a change within
    moments of its case making it)."""
    for _ in range(20):
        if seq() > was:
            return True
        time.sleep(0.1)
    return False


def _last_seq(store: Store, case_id: str) -> Callable[[], int]:
    def seq() -> int:
        row = store.case(case_id)
        return row.last_seq if row is not None else 0

    return seq


async def measure(service: CaseService, store: Store, stamp: str, runs: int = 10) -> dict[str, Any]:
    """Served (the targets), then alone."""
    case_id = await _listed(service, store, stamp)
    var = Path(os.environ["LIFECYCLE_VAR_DIR"])
    server = served.start(var, var / "command-server.log")
    try:
        for _ in range(600):
            if (var / served.SOCKET).exists():
                break
            await asyncio.sleep(0.1)
        out = _measure(store, case_id, runs, {}, 0)
    finally:
        served.stop(server)
    alone = _measure(store, case_id, runs, {"LIFECYCLE_COMMAND_SERVER": "0"}, runs + 1)
    return {**out, "alone": {k: v for k, v in alone.items() if isinstance(v, dict)}}


def _measure(
    store: Store, case_id: str, runs: int, env: dict[str, str], first: int
) -> dict[str, Any]:
    out: dict[str, Any] = {"runs": runs, "targets_s": {"rules": QUICK, "case": CASE}}
    for name, args in RULES.items():
        _timed(args, env)  # warm the file cache once
        out[name] = {**summary([_timed(args, env) for _ in range(runs)]), "target_s": QUICK}
    show = ["case", "show", case_id]
    _timed(show, env)
    out["case show"] = {**summary([_timed(show, env) for _ in range(runs)]), "target_s": CASE}
    acts = []
    for n in range(first, first + runs + 1):
        data = json.dumps(
            {
                "kind": "diagnosis",
                "enterprise": complete(f"91440101MA5B{n:05d}"),
                "district": "天河区",
                "date": "2026-03-10",
            }
        )
        provider = f"provider:{case_id.rsplit(':', 1)[1]}"
        act = ["case", "act", case_id, "record_service", "--as", provider, "--data", data]
        took = _timed(act, env, _last_seq(store, case_id))
        if n > first:
            acts.append(took)
    out["case act (accepted)"] = {**summary(acts), "target_s": CASE}
    return out


async def _listed(service: CaseService, store: Store, stamp: str) -> str:
    """A guangzhou-2024 traction unit taken to the directory (its notice closes within seconds
    on the bench's clock), taking the services it records."""
    example = json.loads((ROOT / "examples/guangzhou-2024/application.json").read_text("utf-8"))
    app = Application.model_validate(
        {**example, "credit_code": complete(f"91440101MA{stamp[-7:]}")}
    )
    name = f"commands-{stamp}"
    store.set_round(POLICY, name, applications_close=None, preliminary_review_due=None, expert_review_due=None)  # fmt: skip
    case_id = await service.apply(POLICY, app, name)
    officer = "bureau_officer:bench"
    for request in (
        ActRequest(action="begin_review", actor=officer),
        ActRequest(
            action="score", actor="expert:bench", data={"score": 90, "rank": 1, "recommended": True}
        ),
        ActRequest(action="publicise", actor=officer, reason="bench"),
    ):
        await service.act(case_id, request)
    for _ in range(120):
        row = store.case(case_id)
        if row is not None and row.state == "listed":
            return case_id
        await asyncio.sleep(1)
    raise SystemExit(f"{case_id} was not listed within 2 minutes")
