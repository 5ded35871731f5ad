"""structlog everywhere: JSON lines when not a terminal, readable lines in one.

Temporal's own loggers (workflow.logger, activity.logger) flow through the same handler, and
every line logged for a case carries its ``case_id``.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import structlog
import temporalio.activity
import temporalio.workflow

_configured = False


def _case_id(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    record = event.get("_record")
    for attr in ("temporal_workflow", "temporal_activity"):
        info = getattr(record, attr, None)
        if isinstance(info, dict) and str(info.get("workflow_id", "")).startswith("case:"):
            event.setdefault("case_id", info["workflow_id"])
    return event


def configure(stream: Any = None) -> None:
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
    root.setLevel(os.environ.get("LIFECYCLE_LOG_LEVEL", "INFO").upper())
    for chatty in ("alembic", "transitions"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # The case id travels as a field; keep Temporal's dict out of the message text.
    temporalio.workflow.logger.workflow_info_on_message = False
    temporalio.activity.logger.activity_info_on_message = False


def get_logger(name: str = "lifecycle") -> Any:
    return structlog.get_logger(name)
