"""Deadlines are counted here, never in workflow code: calendar data can change while a case
waits (DOMAIN.md §3), so the workflow records what this returns and its timer waits on that.

A holiday file the bureau can fix (malformed, unreadable) is a retryable failure: the case shows
it and tries again. A question no calendar can answer (a count past year 9999) is not retried.
"""

from __future__ import annotations

from collections.abc import Callable

from temporalio import activity
from temporalio.exceptions import ApplicationError

from lifecycle.calendar import CalendarError, CalendarFileError, Deadline, WorkingCalendar
from lifecycle.contracts import CALENDAR_QUESTION, Counted, DeadlineRequest

FILE_PROBLEM = "CalendarFileError"
BAD_QUESTION = CALENDAR_QUESTION


class CalendarActivities:
    def __init__(self, calendar: Callable[[], WorkingCalendar] = WorkingCalendar.from_env) -> None:
        # A factory, not an instance: a holiday file the bureau adds is read on the next call.
        self._calendar = calendar

    @activity.defn(name="compute_deadline")
    async def compute_deadline(self, request: DeadlineRequest) -> Counted:
        try:
            calendar = self._calendar()
        except CalendarFileError as exc:
            raise ApplicationError(str(exc), type=FILE_PROBLEM) from exc
        try:
            count = {
                "window": lambda: calendar.window_close(
                    request.date,
                    request.working_days,
                    opening_day_counts=request.opening_day_counts,
                ),
                "after": lambda: calendar.after(request.date, request.working_days),
                "before": lambda: calendar.latest_before(request.date, request.working_days),
                "date": lambda: Deadline(date=request.date, provisional=False),
            }[request.rule]
            deadline = count()
            reminders = [calendar.latest_before(deadline.date, n) for n in request.remind_before]
        except CalendarError as exc:
            raise ApplicationError(str(exc), type=BAD_QUESTION, non_retryable=True) from exc
        activity.logger.info(
            "deadline computed",
            extra={"deadline": deadline.date.isoformat(), "rule": request.rule},
        )
        return Counted(
            date=deadline.date,
            provisional=deadline.provisional or any(r.provisional for r in reminders),
            closes_at=deadline.closes_at(),
            notices=calendar.notices(request.date, deadline.date),
            reminders=[r.date for r in reminders],
        )
