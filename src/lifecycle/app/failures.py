"""What the adapters below raise when they cannot be used (the store's driver, Temporal's
transport), as the one kind of error a face answers: unavailable, in one sentence, without the
transport's internals. Asked of the libraries a process has loaded: one that never loaded them
cannot have raised their errors (a person's command loads them only when it needs them)."""

from __future__ import annotations

import sys

from lifecycle.errors import Unavailable

# What an outage of the store stops and what still works, in the one sentence a person reads.
STORE_DOWN = (
    "The store (database) cannot be used now, so lists, histories, the directory, reports and "
    "new applications wait for it; a case's own page ('lifecycle case show') and actions on "
    "running cases still work, and what they change is recorded once the store is back."
)


def unavailable(exc: BaseException) -> Unavailable | None:
    """The outage ``exc`` stands for, or None when it is not one."""
    store = sys.modules.get("sqlalchemy.exc")
    if store is not None and isinstance(exc, store.SQLAlchemyError):
        return Unavailable(STORE_DOWN)
    service = sys.modules.get("temporalio.service")
    if service is not None and isinstance(exc, service.RPCError):
        status = exc.status.name if exc.status else "error"
        return Unavailable(f"Temporal did not answer ({status}).")
    return None
