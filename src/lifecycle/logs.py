"""structlog everywhere: JSON lines when not a terminal, readable lines in one.

Temporal's own loggers (workflow.logger, activity.logger) flow through the same handler, and
every line logged for a case carries its ``case_id``. A person's command shows no library's log
line (an HTTP request, a connection) unless asked for with ``LIFECYCLE_LOG_LEVEL`` (DEBUG shows
everything); the worker and the gateway log at INFO.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

_configured = False


def _case_id(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    record = event.get("_record")
    for attr in ("temporal_workflow", "temporal_activity"):
        info = getattr(record, attr, None)
        if isinstance(info, dict) and str(info.get("workflow_id", "")).startswith("case:"):
            event.setdefault("case_id", info["workflow_id"])
    return event


# Loggers of the engine itself; every other logger is a library's.
OWN = (
    "lifecycle",
    "workflows",
    "activities",
    "runtime",
    "temporalio.workflow",
    "temporalio.activity",
)


def configure(stream: Any = None, command: bool = False) -> None:
    """``command``: a person's command, whose terminal shows the engine's warnings and no
    library's lines unless ``LIFECYCLE_LOG_LEVEL`` asks for them. A command's handler is made
    (and structlog imported) at its first line or first engine logger: a command that logs
    nothing starts without it."""
    global _configured
    if _configured:
        return
    _configured = True
    stream = stream or sys.stderr
    handler: logging.Handler = _Deferred(stream) if command else _handler(stream)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    asked = os.environ.get("LIFECYCLE_LOG_LEVEL", "").strip().upper()
    root.setLevel(asked or ("WARNING" if command else "INFO"))
    if command and not asked:
        handler.addFilter(_own)
    for chatty in ("alembic", "transitions"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    _quiet_temporal()


def _handler(stream: Any) -> logging.Handler:
    """structlog configured, and the handler every line goes through."""
    import structlog

    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _case_id,
        # What a case waits on, an event's id and why it was refused: the fields the engine's
        # own lines pass to Temporal's loggers (which know no structlog).
        structlog.stdlib.ExtraAdder(allow=("waiting_on", "problem", "event_id", "reason")),
    ]
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=True)
        if stream.isatty()
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    return handler


class _Deferred(logging.Handler):
    """Stands in for the handler until a line is logged or an engine logger is asked for; then
    the real one takes its place (with its filters) and handles the line."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        _realize().handle(record)


def _realize() -> logging.Handler:
    """The root's real handler, made now in place of a deferred one."""
    root = logging.getLogger()
    for n, held in enumerate(root.handlers):
        if isinstance(held, _Deferred):
            real = _handler(held.stream)
            for kept in held.filters:
                real.addFilter(kept)
            root.handlers[n] = real
            return real
    return root.handlers[0] if root.handlers else logging.lastResort or logging.Handler()


def _quiet_temporal() -> None:
    """The case id travels as a field; Temporal's dict stays out of the message text (for the
    loggers loaded: a person's command loads Temporal's only when it needs them)."""
    workflow, activity = (
        sys.modules.get("temporalio.workflow"),
        sys.modules.get("temporalio.activity"),
    )
    if workflow is not None:
        workflow.logger.workflow_info_on_message = False  # type: ignore[attr-defined]
    if activity is not None:
        activity.logger.activity_info_on_message = False  # type: ignore[attr-defined]


def serving() -> None:
    """A long-running process (the worker, the gateway): its log at INFO, every logger's lines
    (or at LIFECYCLE_LOG_LEVEL)."""
    import temporalio.activity  # noqa: F401  (the worker's loggers, configured before it runs)
    import temporalio.workflow  # noqa: F401

    configure()
    _realize()
    _quiet_temporal()
    root = logging.getLogger()
    root.setLevel(os.environ.get("LIFECYCLE_LOG_LEVEL", "").strip().upper() or "INFO")
    for handler in root.handlers:
        handler.removeFilter(_own)


def _own(record: logging.LogRecord) -> bool:
    return record.name.startswith(OWN)


def get_logger(name: str = "lifecycle") -> Any:
    import structlog

    if _configured:
        _realize()
    return structlog.get_logger(name)
