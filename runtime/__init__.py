"""The composition root: the worker process and the `lifecycle` command, wired from the three
packages beneath (lifecycle, workflows, activities). Nothing imports this package back."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lifecycle.cli
from lifecycle.app import hooks
from runtime.commands import register

# What the system writes (its store, Temporal's database, keys, logs) is its owner's alone:
# another local user reads none of it.
OWNER_ONLY = 0o077


async def _rehearse(pack: Path, script: Path) -> Any:
    """The rehearsal's runner, loaded only when a rehearsal runs (it starts a worker)."""
    from runtime.rehearse import run

    return await run(pack, script)


def main(argv: Sequence[str] | None = None) -> None:
    os.umask(OWNER_ONLY)
    register(lifecycle.cli.cli)
    hooks.rehearsal_runner = _rehearse
    lifecycle.cli.main(argv)


__all__ = ["main"]
