"""The composition root: the worker process and the `lifecycle` command, wired from the three
packages beneath (lifecycle, workflows, activities). Nothing imports this package back."""

from __future__ import annotations

from collections.abc import Sequence

import lifecycle.cli
from runtime.commands import register


def main(argv: Sequence[str] | None = None) -> None:
    register(lifecycle.cli.cli)
    lifecycle.cli.main(argv)


__all__ = ["main"]
