"""The composition root: the worker process and the `lifecycle` command, wired from the three
packages beneath (lifecycle, workflows, activities). Nothing imports this package back.

Importing it loads the standard library only: a command first asks the running system's command
server to run it (``runtime.served``) and loads the rest only when it runs itself."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# What the system writes (its store, Temporal's database, keys, logs) is its owner's alone:
# another local user reads none of it.
OWNER_ONLY = 0o077


async def _rehearse(pack: Path, script: Path) -> Any:
    """The rehearsal's runner, loaded only when a rehearsal runs (it starts a worker)."""
    from runtime.rehearse import run

    return await run(pack, script)


def command(argv: Sequence[str] | None = None) -> int:
    """Runs one `lifecycle` command in this process; its exit code."""
    import lifecycle.cli
    from lifecycle.app import hooks
    from lifecycle.cli.main import answer
    from runtime.commands import register

    os.umask(OWNER_ONLY)
    register(lifecycle.cli.cli)
    hooks.rehearsal_runner = _rehearse
    return answer(argv)


def preload() -> None:
    """What the command server loads once for every command it runs: the commands' modules and
    the libraries they reach for (no connection is made, no thread started)."""
    import importlib

    from lifecycle.cli.main import COMMANDS

    for module in sorted(set(COMMANDS.values())):
        importlib.import_module(module)
    import lifecycle.app.system  # noqa: F401 - Temporal's client and the store
    import runtime.commands  # noqa: F401

    for name in ("sqlalchemy.dialects.sqlite.pysqlite", "sqlalchemy.dialects.postgresql"):
        importlib.import_module(name)
    from sqlalchemy.orm import configure_mappers

    configure_mappers()


def main(argv: Sequence[str] | None = None) -> None:
    """`lifecycle`: run by the running system's command server when there is one, here
    otherwise. Leaves without interpreter finalisation (the Temporal client's native threads
    can abort a finalising interpreter after the command itself has succeeded)."""
    from runtime.served import forward

    os.umask(OWNER_ONLY)
    try:
        code = forward(argv)
    except KeyboardInterrupt:  # Ctrl-C while handing it over: a copy told to run it ends with it
        code = 130
    if code is None:
        code = command(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


__all__ = ["command", "main", "preload"]
