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

import structlog

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
    library's lines unless ``LIFECYCLE_LOG_LEVEL`` asks for them."""
    global _configured
    if _configured:
        return
    _configured = True
    stream = stream or sys.stderr
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
    root = logging.getLogger()
    root.handlers[:] = [handler]
    asked = os.environ.get("LIFECYCLE_LOG_LEVEL", "").strip().upper()
    root.setLevel(asked or ("WARNING" if command else "INFO"))
    if command and not asked:
        handler.addFilter(_own)
    for chatty in ("alembic", "transitions"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    _quiet_temporal()


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
    _quiet_temporal()
    root = logging.getLogger()
    root.setLevel(os.environ.get("LIFECYCLE_LOG_LEVEL", "").strip().upper() or "INFO")
    for handler in root.handlers:
        handler.removeFilter(_own)


def _own(record: logging.LogRecord) -> bool:
    return record.name.startswith(OWN)


def get_logger(name: str = "lifecycle") -> Any:
    return structlog.get_logger(name)
