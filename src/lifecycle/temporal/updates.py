"""Sending an Update or a Query and turning what can go wrong into the kind of error it is: no
answer in time (an Update may still be applied), refused by the workflow (its own sentence and
clause, by the type the workflow gave it), refused by Temporal (the caller's wording)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio.client import (
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from lifecycle.errors import KINDS, LifecycleError, NoAnswer, Refused, Unavailable

# The workflow names a failure by the kind of error it is (``ApplicationError.type``) and puts
# the clause it applies first in its details; a validator's plain ValueError is a refusal.
BY_TYPE: dict[str, type[LifecycleError]] = {kind.__name__: kind for kind in KINDS}


def typed(cause: BaseException | None) -> LifecycleError:
    """The error a workflow's failure stands for, with its sentence and clause."""
    message = getattr(cause, "message", None) or str(cause)
    clause = None
    kind: type[LifecycleError] = Refused
    if isinstance(cause, ApplicationError):
        kind = BY_TYPE.get(cause.type or "", Refused)
        if cause.details and isinstance(cause.details[0], str):
            clause = cause.details[0]
    return kind(message, clause)


async def execute(
    handle: WorkflowHandle[Any, Any],
    name: str,
    request: Any,
    result_type: type,
    timeout: float,
    unanswered: str,
    rpc: Callable[[RPCError], Exception],
) -> Any:
    try:
        return await asyncio.wait_for(
            handle.execute_update(name, request, result_type=result_type), timeout
        )
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise NoAnswer(unanswered) from None
    except WorkflowUpdateFailedError as exc:
        raise typed(exc.cause) from exc
    except RPCError as exc:
        raise rpc(exc) from exc


async def query(
    handle: WorkflowHandle[Any, Any],
    name: str,
    result_type: type,
    timeout: float,
    unanswered: str,
    failed: str,
    rpc: Callable[[RPCError], Exception],
) -> Any:
    """A Query's answer; ``unanswered`` when no worker answers in time, ``failed`` (followed by
    the workflow's own words) when it cannot answer."""
    try:
        return await asyncio.wait_for(handle.query(name, result_type=result_type), timeout)
    except (TimeoutError, WorkflowQueryRejectedError):
        raise NoAnswer(unanswered) from None
    except WorkflowQueryFailedError as exc:
        raise Unavailable(f"{failed}: {exc.message}") from exc
    except RPCError as exc:
        raise rpc(exc) from exc
