"""The composition root: the worker process and the `lifecycle` command, wired from the three
packages beneath (lifecycle, workflows, activities). Nothing imports this package back."""

from __future__ import annotations

import os
from collections.abc import Sequence

import lifecycle.cli
from runtime.commands import register

# What the system writes (its store, Temporal's database, keys, logs) is its owner's alone:
# another local user reads none of it.
OWNER_ONLY = 0o077


def main(argv: Sequence[str] | None = None) -> None:
    os.umask(OWNER_ONLY)
    register(lifecycle.cli.cli)
    lifecycle.cli.main(argv)


__all__ = ["main"]
