"""Binds the case id into structlog's context for every activity run on behalf of a case."""

from __future__ import annotations

from typing import Any

import structlog
from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)


class _CaseActivityInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        workflow_id = activity.info().workflow_id or ""
        if not workflow_id.startswith("case:"):
            return await super().execute_activity(input)
        with structlog.contextvars.bound_contextvars(case_id=workflow_id):
            return await super().execute_activity(input)


class CaseLoggingInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _CaseActivityInbound(next)
