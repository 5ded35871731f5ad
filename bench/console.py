"""The console's pages with many open cases: the officer's inbox (待办) and the case list, each
rendered whole (session, query on the read model, template) through the gateway's ASGI app in
this process, with the scale phase's cases open in the store. Median and p95 over many loads;
the target is 300 ms at the 95th percentile."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
from temporalio.client import Client

from bench.measure import summary
from lifecycle.app import keys
from lifecycle.app.rules import load_all
from lifecycle.app.system import System
from lifecycle.config import Settings
from lifecycle.gateway.app import create_app
from lifecycle.gateway.core import Gateway
from lifecycle.store.repo import Store
from runtime.web import CONSOLE, console_mounts

TARGET_P95 = 0.300
PAGES = {
    "inbox": f"{CONSOLE}/",
    "inbox, one kind": f"{CONSOLE}/?kind=application",
    "case list": f"{CONSOLE}/cases",
    "case list, searched": f"{CONSOLE}/cases?q=91370213&state=submitted",
}


async def measure(client: Client, store: Store, stamp: str, runs: int = 40) -> dict[str, Any]:
    load_all()
    settings = Settings.from_env()

    async def connect() -> Client:
        return client

    system = System(settings, store=store, connect=connect)
    gateway = Gateway(system=system)
    app = create_app(gateway)
    for path, mounted in console_mounts(settings)(gateway).items():
        app.mount(path, mounted)
    made = keys.create(system, f"bench-officer-{stamp}", "bureau_officer")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        page = await http.get(f"{CONSOLE}/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf, page.text[:300]
        signed = await http.post(
            f"{CONSOLE}/sign-in", data={"key": made.key, "csrf": csrf.group(1)}
        )
        assert signed.status_code in (200, 303), signed.text[:300]
        out: dict[str, Any] = {"target_p95_s": TARGET_P95, "open_cases": _open(store)}
        for name, path in PAGES.items():
            timings, rows = [], 0
            for _ in range(runs):
                began = time.perf_counter()
                answer = await http.get(path)
                timings.append(time.perf_counter() - began)
                assert answer.status_code == 200, answer.text[:300]
                rows = max(0, answer.text.count("<tr>") - 1)
            out[name] = {**summary(timings), "rows": rows}
    return out


def _open(store: Store) -> int:
    return sum(len(store.cases(state=s)) for s in ("submitted", "preliminary_review"))
