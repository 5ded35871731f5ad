"""An Update's or Signal's input as its handler takes it, or refused in one sentence: one the
worker's codec could not open (it claims the system's encryption but does not open), one over
the engine's input limit, one that is not what the handler takes. The handlers take the raw
payload and read it here, so no input, by any client, fails a workflow task."""

from __future__ import annotations

from typing import TypeVar

from temporalio import workflow
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from lifecycle.domain import limits
    from lifecycle.errors import ENGINE_RULE
    from lifecycle.temporal.payloads import INPUT_BYTES, UNOPENABLE, UNOPENABLE_REASON


def invalid(message: str) -> ApplicationError:
    return ApplicationError(message, ENGINE_RULE, type="Invalid", non_retryable=True)


M = TypeVar("M", bound=BaseModel)


def unopenable(raw: RawValue) -> str | None:
    """Why the worker's codec could not open this payload (it then reaches the case marked),
    or None."""
    if raw.payload.metadata.get("encoding") != UNOPENABLE:
        return None
    reason = raw.payload.metadata.get(UNOPENABLE_REASON, b"").decode(errors="replace")
    return f"cannot be opened: {limits.shorten(reason, 240)}"


def read(raw: RawValue, model: type[M], what: str, check_size: bool = False) -> M:
    """An Update's or Signal's input as the handler takes it, or refused in one sentence
    (an Invalid failure): one that cannot be opened, is over the engine's input limit (asked
    by validators: what they refuse never reaches history), or is not what the handler takes."""
    problem = unopenable(raw)
    if problem:
        raise invalid(f"{what.capitalize()} {problem}.")
    size = raw.payload.ByteSize()
    if check_size and size > INPUT_BYTES:
        raise invalid(
            f"{what.capitalize()} is {size} bytes; a case takes at most {INPUT_BYTES} bytes "
            "(1 MiB) in one request (engine rule)."
        )
    try:
        return workflow.payload_converter().from_payload(raw.payload, model)
    except Exception as exc:
        raise invalid(
            f"{what.capitalize()} is not what the case takes: {_input_error(exc)} (engine rule)."
        ) from None


def _input_error(exc: Exception) -> str:
    """The first thing wrong with an input, in words: the field and what it must be."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "the input"
            return limits.shorten(f"{where}: {first.get('msg', 'invalid')}", 160)
        except Exception:  # noqa: S110 - the exception's own words below
            pass
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return limits.shorten(text, 160)
