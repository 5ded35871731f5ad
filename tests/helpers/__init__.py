"""Shared test helpers: the real `lifecycle` command, free ports, polling without sleep()."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

BIN = Path(sys.executable).parent
T = TypeVar("T")


def lifecycle(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    """Runs the installed `lifecycle` command; returns the CompletedProcess."""
    return subprocess.run(
        [str(BIN / "lifecycle"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


# Ports for the systems tests start, below the kernel's ephemeral range (32768 and up on Linux),
# a slice for each of up to 8 processes of a side-by-side run: a port handed out here is never the
# one the kernel gives a process that binds to port 0 or connects out (the Temporal dev server's
# own services, a browser), nor another test process's, between the moment it is picked and the
# moment the system binds it. Where the kernel's range begins lower, the kernel picks.
PORTS_FROM, PORTS_EACH = 20000, 1500
_next_port = itertools.count()


def _ephemeral_from() -> int:
    """Where the kernel's ephemeral ports begin (0 where it cannot be read)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def free_port() -> int:
    if _ephemeral_from() < PORTS_FROM + 8 * PORTS_EACH:  # the slices would overlap the kernel's
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    first = PORTS_FROM + (int(worker) % 8 if worker.isdigit() else 0) * PORTS_EACH
    for _ in range(PORTS_EACH):
        port = first + next(_next_port) % PORTS_EACH
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use (or still closing): the next one
            return port
    raise RuntimeError(f"no free port in {first}–{first + PORTS_EACH - 1}")


def wait_until(check: Callable[[], T], timeout: float = 60.0, interval: float = 0.5) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


async def assert_eventually(
    check: Callable[[], Awaitable[T]], timeout: float = 30.0, interval: float = 0.1
) -> T:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            result = await check()
            if result:
                return result
        except AssertionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


def cli(system, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    """The real command against a running system (tests/e2e); asserts success unless ok=False."""
    result = lifecycle(*args, env=system.env)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def show(system, case_id: str) -> dict:
    import json

    return json.loads(cli(system, "case", "show", case_id, "--json").stdout)


def business_now(system) -> dt.datetime:
    """The system's business time, as its command tells it."""
    return dt.datetime.fromisoformat(
        json.loads(cli(system, "clock", "--json").stdout)["business_now"]
    )


def wait_for_business(system, instant: dt.datetime, timeout: float = 300.0) -> dt.datetime:
    """Until the system's business time is past ``instant``: the clock is read, slept on at its
    speed (a business day each LIFECYCLE_DAY_SECONDS) and read again, so no command runs while
    the test waits. Returns the business time read last."""
    seconds_a_day = float(system.env.get("LIFECYCLE_DAY_SECONDS") or 86400)
    deadline = time.monotonic() + timeout
    while True:
        now = business_now(system)
        if now > instant:
            return now
        ahead = (instant - now).total_seconds() * seconds_a_day / 86400
        if time.monotonic() + ahead > deadline:
            raise AssertionError(f"business time {now} is not past {instant} within {timeout} s")
        time.sleep(ahead + 0.05)


def wait_for_deadline(system, case_id: str, name: str, timeout: float = 300.0) -> dict | None:
    """Until the case's running deadline ``name`` has closed in business time (slept on, as
    above); the deadline as the case showed it, or None when it runs no such deadline now."""
    running = [d for d in show(system, case_id)["deadlines"] if d["name"] == name]
    if running:
        closes = dt.datetime.fromisoformat(running[0]["closes_at"])
        wait_for_business(system, closes, timeout)
    return running[0] if running else None


def sharing(
    policy: str, round_name: str, spread: int, lowest: float, highest: float, prefix: str
) -> tuple[str, dt.timedelta]:
    """The first credit code (``prefix`` and a serial) whose case in ``policy`` round
    ``round_name`` applies its deadlines between ``lowest`` and ``highest`` seconds after they
    fall due, under a spread of ``spread`` seconds; and that share. The same in every run."""
    from lifecycle.app.cases import case_id_for
    from lifecycle.domain.credit_code import complete
    from lifecycle.domain.deadlines import share

    digits = 17 - len(prefix)
    for n in range(min(1000, 10**digits)):
        code = complete(f"{prefix}{n:0{digits}d}")
        offset = share(case_id_for(policy, round_name, code), spread)
        if lowest < offset.total_seconds() < highest:
            return code, offset
    raise AssertionError(f"no credit code {prefix}… with a share in {lowest}–{highest} s")
