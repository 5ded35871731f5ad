"""The engine's services the bench drives, wherever the engine under measure keeps them: the
application layer now, the top of ``lifecycle`` in commits from before it (``make bench-at``
measures those with this bench)."""

from __future__ import annotations

try:
    from lifecycle.app.cases import CaseService
    from lifecycle.app.demo import script
    from lifecycle.errors import LifecycleError as Failure
    from lifecycle.errors import NoAnswer
except ImportError:  # an engine from before the application layer
    from lifecycle.cases import CaseService  # type: ignore[import-not-found,no-redef]
    from lifecycle.demo import script  # type: ignore[import-not-found,no-redef]

    from lifecycle.config import UserError as Failure  # type: ignore[attr-defined,no-redef]

    class NoAnswer(Exception):  # type: ignore[no-redef]
        """An engine from before the typed errors (its timeouts count as refusals)."""


__all__ = ["CaseService", "Failure", "NoAnswer", "script"]
