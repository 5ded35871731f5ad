"""Deadlines are computed here, never in workflow code: calendar data can change while a case
waits (DOMAIN.md §3), so the workflow records what this returns and its timer waits on that."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field
from temporalio import activity
from temporalio.exceptions import ApplicationError

from lifecycle.calendar import CalendarError, WorkingCalendar


class DeadlineInput(BaseModel):
    rule: Literal["window", "before"]
    date: dt.date
    working_days: int = Field(ge=1)
    opening_day_counts: bool = True


class DeadlineResult(BaseModel):
    date: dt.date
    provisional: bool
    closes_at: dt.datetime = Field(description="24:00 Asia/Shanghai of date, as an instant")


class CalendarActivities:
    def __init__(self, calendar: Callable[[], WorkingCalendar] = WorkingCalendar.from_env) -> None:
        # A factory, not an instance: a holiday file the bureau adds is read on the next call.
        self._calendar = calendar

    @activity.defn(name="compute_deadline")
    async def compute_deadline(self, data: DeadlineInput) -> DeadlineResult:
        try:
            calendar = self._calendar()
            if data.rule == "window":
                deadline = calendar.window_close(
                    data.date, data.working_days, opening_day_counts=data.opening_day_counts
                )
            else:
                deadline = calendar.latest_before(data.date, data.working_days)
        except CalendarError as exc:
            raise ApplicationError(str(exc), type="CalendarError", non_retryable=True) from exc
        activity.logger.info(
            "deadline computed", extra={"deadline": deadline.date.isoformat(), "rule": data.rule}
        )
        return DeadlineResult(
            date=deadline.date, provisional=deadline.provisional, closes_at=deadline.closes_at()
        )
