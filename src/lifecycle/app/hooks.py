"""What the composition root gives the application layer when a process starts (so that this
layer names no workflow and no worker): the runner of a rehearsal. Nothing here is heavy to
import: every command starts by setting it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

# (pack file, script file) → what the rehearsal did (lifecycle.app.rehearsal.Rehearsed)
rehearsal_runner: Callable[[Path, Path], Awaitable[Any]] | None = None
