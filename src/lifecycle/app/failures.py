"""What the adapters below raise when they cannot be used (the store's driver, Temporal's
transport), as the one kind of error a face answers: unavailable, in one sentence, without the
transport's internals."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from temporalio.service import RPCError

from lifecycle.errors import Unavailable


def unavailable(exc: BaseException) -> Unavailable | None:
    """The outage ``exc`` stands for, or None when it is not one."""
    if isinstance(exc, SQLAlchemyError):
        return Unavailable("The store (database) is unavailable; try again when it is back.")
    if isinstance(exc, RPCError):
        status = exc.status.name if exc.status else "error"
        return Unavailable(f"Temporal did not answer ({status}).")
    return None
