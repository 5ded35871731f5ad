"""Running the gateway: beside the worker (``lifecycle up``) or alone (``lifecycle api``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp

from lifecycle import logs
from lifecycle.app import Unavailable, assurance
from lifecycle.app.identity import OidcSettings
from lifecycle.app.system import System
from lifecycle.config import Settings
from lifecycle.gateway.app import Gateway, create_app

log = logs.get_logger("lifecycle.gateway")


class _Server(uvicorn.Server):
    """Leaves the process's signals to its owner (``lifecycle up`` stops worker and gateway
    together)."""

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


def ui_origins(settings: Settings) -> tuple[str, ...]:
    """The Web UI's origins the codec answers: the embedded UI's, and LIFECYCLE_UI_ORIGINS."""
    extra = [o.strip().rstrip("/") for o in os.environ.get("LIFECYCLE_UI_ORIGINS", "").split(",")]
    own = (f"http://127.0.0.1:{settings.ui_port}", f"http://localhost:{settings.ui_port}")
    return tuple(dict.fromkeys([*own, *(o for o in extra if o)]))


def build(settings: Settings, system: System | None = None, ui_link: str | None = None) -> Gateway:
    return Gateway(
        system=system or System(settings),
        oidc=OidcSettings.from_env(),
        ui_origins=ui_origins(settings),
        ui_link=ui_link,
    )


async def serve(
    settings: Settings,
    stop: asyncio.Event | None = None,
    system: System | None = None,
    ui_link: str | None = None,
    mounts: Callable[[Gateway], dict[str, ASGIApp]] | None = None,
) -> None:
    """Serves the gateway on 127.0.0.1 (LIFECYCLE_API_HOST to listen elsewhere) until ``stop``;
    beside the worker it shares the worker's ``system`` (its store, clock and client).
    ``mounts``: the other faces served on the same port (the console), made with the gateway's
    parts (its system and how it knows callers) by the composition root."""
    host = os.environ.get("LIFECYCLE_API_HOST") or "127.0.0.1"
    assurance.install(settings)  # signs how each caller was known, for the workers to check
    gateway = build(settings, system, ui_link)
    app = create_app(gateway)
    for path, mounted in (mounts(gateway) if mounts else {}).items():
        app.mount(path, mounted)
    config = uvicorn.Config(
        app,
        host=host,
        port=settings.api_port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = _Server(config)

    async def run() -> None:
        with contextlib.suppress(SystemExit):  # uvicorn's answer to a port it cannot bind
            await server.serve()

    task = asyncio.create_task(run())
    log.info("gateway listening", url=f"http://{host}:{settings.api_port}", docs="/docs")
    if stop is None:
        await task
        return
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        if not server.started:
            raise Unavailable(
                f"The HTTP gateway could not listen on {host}:{settings.api_port}; set "
                "LIFECYCLE_API_PORT to a free port."
            )
        return
    server.should_exit = True
    await task
