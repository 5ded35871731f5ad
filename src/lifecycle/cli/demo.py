"""`lifecycle demo`: sample cases for every pack, moved through review into public notice."""

from __future__ import annotations

import click

from lifecycle.app import demo as samples
from lifecycle.cli.common import run


@click.command()
@click.option("--pause", type=float, default=2.0, help="Seconds between the demo's actions.")
def demo(pause: float) -> None:
    """Start sample cases for every pack and move them through review and public notice."""
    run(lambda system: samples.run(system, pause, click.echo))


COMMANDS = [demo]
