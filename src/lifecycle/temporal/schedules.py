"""One Temporal Schedule per programme that evaluates periodically (guangzhou-2024 quarterly,
the others yearly): at 09:00 business time on the first day of each period it runs the
``EvaluationTrigger``, which opens the round for the period that ended. The Schedule is
visible, pausable and triggerable in the Web UI; the worker creates it when missing and leaves
its state (paused or not) to the bureau.

On real time the spec is a calendar (months 1, 4, 7, 10 or 1, day 1, 09:00 Asia/Shanghai). A
rehearsal's business clock runs at another speed or from another date, so there the spec lists
the real instants of the next periods' starts, renewed each time the worker starts."""

from __future__ import annotations

import dataclasses
import datetime as dt

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from lifecycle.clock import DAY, BusinessClock
from lifecycle.contracts.rounds import SCHEDULE_PREFIX, TRIGGER_WORKFLOW, TriggerStart
from lifecycle.domain.days import SHANGHAI
from lifecycle.domain.evaluations import Every, next_period_starts
from lifecycle.policies import REGISTRY, pack_ids

OPENS_AT = dt.time(9)  # business time on a period's first day
AHEAD = 40  # periods listed ahead on a rehearsal's clock (renewed at each worker start)


def schedule_id(policy: str) -> str:
    return f"{SCHEDULE_PREFIX}:{policy}"


def spec(clock: BusinessClock, every: Every, real_now: dt.datetime) -> ScheduleSpec:
    if clock.day_seconds == DAY and clock.start is None:
        months = [ScheduleRange(1, 10, 3)] if every == "quarter" else [ScheduleRange(1)]
        return ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    month=months,
                    day_of_month=[ScheduleRange(1)],
                    hour=[ScheduleRange(OPENS_AT.hour)],
                )
            ],
            time_zone_name="Asia/Shanghai",
        )
    anchored = clock.anchored(real_now)
    assert anchored.business_origin and anchored.real_origin
    today = anchored.now(real_now).astimezone(SHANGHAI).date()
    instants = []
    for first in next_period_starts(every, today, AHEAD):
        business = dt.datetime.combine(first, OPENS_AT, tzinfo=SHANGHAI)
        real = anchored.real_origin + (business - anchored.business_origin) / anchored.factor
        instants.append(_exactly(_next_second(real.astimezone(dt.UTC))))
    return ScheduleSpec(calendars=instants, time_zone_name="UTC")


def _next_second(at: dt.datetime) -> dt.datetime:
    """A Schedule counts whole seconds: rounded up, so a round never opens before its period
    has begun (on a fast clock a real second is hours of business time)."""
    whole = at.replace(microsecond=0)
    return whole if whole == at else whole + dt.timedelta(seconds=1)


def _exactly(at: dt.datetime) -> ScheduleCalendarSpec:
    return ScheduleCalendarSpec(
        second=[ScheduleRange(at.second)],
        minute=[ScheduleRange(at.minute)],
        hour=[ScheduleRange(at.hour)],
        day_of_month=[ScheduleRange(at.day)],
        month=[ScheduleRange(at.month)],
        year=[ScheduleRange(at.year)],
    )


async def ensure_schedules(
    client: Client, clock: BusinessClock, task_queue: str, indexed: bool = True
) -> list[str]:
    """Creates each programme's Schedule if missing (returns the ids created); on a
    rehearsal's clock, renews the instants of those that exist, keeping their state."""
    created = []
    now = dt.datetime.now(dt.UTC)
    for policy in pack_ids():
        pack = REGISTRY.get(REGISTRY.current(policy))
        every = pack.evaluation.every
        if every is None or pack.evaluation.rubric is None:
            continue
        wanted = spec(clock, every, now)
        action = ScheduleActionStartWorkflow(
            TRIGGER_WORKFLOW,
            TriggerStart(policy=policy, every=every, clock=clock, indexed=indexed),
            id=f"evaluation-trigger:{policy}",
            task_queue=task_queue,
            static_summary=f"{pack.title}: opens the {every}ly evaluation round",
        )
        try:
            await client.create_schedule(
                schedule_id(policy),
                Schedule(action=action, spec=wanted),
            )
            created.append(schedule_id(policy))
        except ScheduleAlreadyRunningError:
            if wanted.time_zone_name == "UTC":
                await client.get_schedule_handle(schedule_id(policy)).update(_renewed(wanted))
    return created


def _renewed(wanted: ScheduleSpec):  # type: ignore[no-untyped-def]
    def update(current: ScheduleUpdateInput) -> ScheduleUpdate:
        schedule = dataclasses.replace(current.description.schedule, spec=wanted)
        return ScheduleUpdate(schedule=schedule)

    return update
