"""`lifecycle up`, `lifecycle worker` and `lifecycle api`: the long-running processes. Each loads
the worker or the gateway only when it runs (a person's other commands never pay for them),
and logs at INFO."""

from __future__ import annotations

import asyncio

import click

from lifecycle import logs
from lifecycle.config import Settings


@click.command()
def up() -> None:
    """Start the whole system: embedded Temporal dev server with its Web UI, the worker and the
    HTTP gateway."""
    from runtime.worker import run_up

    logs.serving()
    asyncio.run(run_up(Settings.from_env(), lambda line: click.echo(line, err=True)))


@click.command()
def worker() -> None:
    """Run the worker alone against TEMPORAL_ADDRESS (default 127.0.0.1:7233)."""
    from runtime.worker import run_worker

    logs.serving()
    asyncio.run(run_worker(Settings.from_env()))


@click.command()
def api() -> None:
    """Run the HTTP gateway alone (LIFECYCLE_API_PORT, default 8080; OpenAPI at /docs)."""
    from lifecycle.gateway.server import serve
    from runtime.web import console_mounts
    from runtime.worker import stop_on_signals

    logs.serving()
    settings = Settings.from_env()

    async def main() -> None:
        await serve(settings, stop_on_signals(), mounts=console_mounts(settings))

    asyncio.run(main())


def register(cli: click.Group) -> None:
    for command in (up, worker, api):
        if command.name not in cli.commands:
            cli.add_command(command)
