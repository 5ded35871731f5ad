"""Sending an Update and turning what can go wrong into one sentence for a person: no answer
in time (exit 3: it may still be applied), refused by the workflow (its own sentence), refused
by Temporal (the caller's wording)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio.client import (
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError

from lifecycle.config import UserError


async def execute(
    handle: WorkflowHandle[Any, Any],
    name: str,
    request: Any,
    result_type: type,
    timeout: float,
    unanswered: str,
    rpc: Callable[[RPCError], UserError],
) -> Any:
    try:
        return await asyncio.wait_for(
            handle.execute_update(name, request, result_type=result_type), timeout
        )
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise UserError(unanswered, exit_code=3) from None
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        raise UserError(getattr(cause, "message", None) or str(cause)) from exc
    except RPCError as exc:
        raise rpc(exc) from exc
