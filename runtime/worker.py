"""The bureau's worker process, and ``lifecycle up``: embedded server (or a cluster) + worker.

At start the worker loads every pack version it can serve (a running case may name any of
them), migrates the store and reads the system's business clock, before it polls."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import secrets
import signal
from collections.abc import Callable

from temporalio.client import Client
from temporalio.worker import Worker, WorkflowRunner

from activities import Outage, build_activities
from lifecycle import logs
from lifecycle.app.assurance import install as install_assurance
from lifecycle.app.sessions import OneTime
from lifecycle.app.system import System, audit_keys
from lifecycle.config import TASK_QUEUE, Settings
from lifecycle.gateway import server as gateway_server
from lifecycle.policies import REGISTRY
from lifecycle.store.repo import Store
from lifecycle.temporal.client import connect, for_worker
from lifecycle.temporal.codec import KeyRing
from lifecycle.temporal.devserver import DevServer
from lifecycle.temporal.interceptors import CaseLoggingInterceptor
from lifecycle.temporal.sandbox import workflow_runner
from lifecycle.temporal.schedules import ensure_schedules
from lifecycle.temporal.search_attributes import ensure_registered
from runtime import served
from runtime.web import CONSOLE, console_mounts
from workflows import WORKFLOWS

log = logs.get_logger("lifecycle.worker")
# The cases told when the store is back, kept while they wait (a worker restarted during an
# outage tells those its predecessor left waiting).
WAITING_CASES = "store-waiting.json"


def build_worker(
    client: Client,
    db_url: str | Store,
    task_queue: str = TASK_QUEUE,
    cached: int = 1000,
    seals: KeyRing | None = None,
    outage: Outage | None = None,
    runner: WorkflowRunner | None = None,
) -> Worker:
    """``db_url``: the store (or its URL: its schema is created or migrated before polling).
    ``cached``: runs kept in memory between their tasks (LIFECYCLE_CASE_CACHE). A case wakes
    rarely; one not in memory replays its short history when it does, so memory stays bounded
    however many cases are open. ``runner``: the workflows' runner (the sandbox unless the
    bench weighs it)."""
    REGISTRY.load(everything=True)  # every version a running case may name, read before any replays
    store = db_url if isinstance(db_url, Store) else Store.from_url(db_url, seals)
    return Worker(
        for_worker(client),
        task_queue=task_queue,
        max_cached_workflows=cached,
        workflows=WORKFLOWS,
        activities=build_activities(lambda: store, client, outage),
        interceptors=[CaseLoggingInterceptor()],
        workflow_runner=runner or workflow_runner(),
    )


def stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def _serve(
    client: Client,
    settings: Settings,
    stop: asyncio.Event,
    gateway: bool = False,
    ui_link: str | None = None,
    once: OneTime | None = None,
) -> None:
    added = await ensure_registered(client, settings.namespace)
    if added:
        log.info("search attributes registered", names=added)
    install_assurance(settings)
    made = not settings.audit_keys.exists()
    audit_keys(settings, make=True)
    system = System(settings)
    # A store this machine knows that does not answer now is taken as it is: the cases go on,
    # what they write waits, and its schema is checked once it answers.
    store = system.store
    if not store.checked:
        log.warning("store cannot be used now; cases go on and their records wait for it")
    outage = Outage(settings.var_dir / WAITING_CASES, None if store.checked else store.check_schema)
    worker = build_worker(client, store, cached=settings.case_cache, outage=outage)
    if made:
        sealed = system.store.seal_trails()
        log.info("audit key made", path=str(settings.audit_keys), trails_sealed=sealed)
    clock = system.clock()
    created = await ensure_schedules(client, clock, TASK_QUEUE)
    if created:
        log.info("evaluation schedules created", schedules=created)
    async with worker:
        watch = asyncio.create_task(outage.watch(lambda: system.store, client))
        log.info(
            "worker polling",
            task_queue=TASK_QUEUE,
            address=settings.address,
            business_clock=clock.describe(),
        )
        try:
            if gateway:
                mounts = console_mounts(settings, once)
                log.info("worker steady", objects_frozen=steady())
                await gateway_server.serve(settings, stop, system, ui_link, mounts)  # until stopped
            else:
                log.info("worker steady", objects_frozen=steady())
                await stop.wait()
        finally:
            watch.cancel()
        log.info("worker stopping")


def steady() -> int:
    """What the process loaded to start (its modules, the rules, the SDK and the store's
    schema) kept out of the garbage collector's passes, once started: a full pass then walks
    only what the cases made since, not the hundreds of thousands of objects loaded once, so it
    holds no one's Update up for tens of milliseconds (see ``gc.freeze``). How many objects it
    keeps out, for the log."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def owner_only(settings: Settings) -> None:
    """The var folder and what it holds, readable by their owner only, also when they were
    made before (by an earlier version, or another umask)."""
    folder = settings.var_dir
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for path in folder.iterdir():
        if path.is_file():
            path.chmod(0o600)
        elif path.is_dir():
            path.chmod(0o700)


async def run_worker(settings: Settings) -> None:
    """The worker alone, against TEMPORAL_ADDRESS (or the default local address)."""
    stop = stop_on_signals()
    owner_only(settings)
    client = await connect(settings)
    await _serve(client, settings, stop)


async def run_up(settings: Settings, announce: Callable[[str], None]) -> None:
    """The whole system: the embedded dev server unless TEMPORAL_ADDRESS is set, then the
    worker and the gateway; beside them the command server, which answers this system's
    `lifecycle` commands at once (runtime.served)."""
    stop = stop_on_signals()
    owner_only(settings)
    commands = served.start(settings.var_dir, settings.var_dir / "command-server.log")
    ready = (
        f"Commands: `lifecycle …` typed in another terminal with this folder ({settings.var_dir}) "
        "are answered at once by this system's command server."
        if commands is not None
        else None
    )
    try:
        await _run_up(settings, announce, stop, ready)
    finally:
        served.stop(commands)


async def _run_up(
    settings: Settings,
    announce: Callable[[str], None],
    stop: asyncio.Event,
    commands: str | None,
) -> None:
    if not settings.embedded:
        client = await connect(settings)
        announce(f"Worker connected to Temporal at {settings.address} (no embedded server).")
        if commands:
            announce(commands)
        await _serve(client, settings, stop, gateway=True)
        return
    link = secrets.token_urlsafe(32) if os.environ.get("LIFECYCLE_UI_CODEC", "1") != "0" else None
    server = DevServer(settings, ui_link=link)
    server.start()
    once = OneTime()
    try:
        client = await server.wait_ready(lambda: connect(settings))
        api = f"http://127.0.0.1:{settings.api_port}"
        announce(
            f"Temporal Web UI: {server.ui_url}  (gRPC {settings.address}, "
            f"data in {server.db_path}); HTTP gateway: {api} (OpenAPI at /docs). "
            "Press Ctrl-C to stop."
        )
        announce(
            f"Console: {api}{CONSOLE}/  Sign in once as the demonstration officer (this link "
            f"works once, for this run): {api}{CONSOLE}/sign-in/once/{once.token}"
        )
        if commands:
            announce(commands)
        await _serve(client, settings, stop, gateway=True, ui_link=link, once=once)
    finally:
        with contextlib.suppress(Exception):
            server.stop()
        announce("Stopped the worker and the Temporal dev server.")
