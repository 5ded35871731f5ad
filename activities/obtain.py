"""What one decision needs from outside, asked in one local activity: its working-day counts,
the bureau's settings, its claims and its place under a cap, in the order the case asked them
one by one before (a place only once every claim is granted). Each part is idempotent, so a
retried call changes nothing more; a failed part names what failed (the calendar or the store)
in its error's details, as the separate calls did by their names."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.calendar import CalendarActivities
from activities.store import StoreActivities
from lifecycle.contracts import ObtainRequest, SettingsInput
from lifecycle.domain.plan import Obtained

CALENDAR = "the working-day calendar"
STORE = "the store"


class ObtainActivities:
    def __init__(self, calendar: CalendarActivities, records: StoreActivities) -> None:
        self.calendar, self.records = calendar, records

    @activity.defn(name="obtain")
    async def obtain(self, request: ObtainRequest) -> Obtained:
        plan, got = request.plan, Obtained()
        what = CALENDAR
        try:
            for deadline in plan.deadlines:
                got.counted[deadline.name] = await self.calendar.compute_deadline(deadline)
            what = STORE
            if plan.settings:
                found = await self.records.read_settings(
                    SettingsInput(policy=request.policy, keys=plan.settings)
                )
                got.settings = found.values
            for claim in plan.claims:
                got.claims[claim.key] = await self.records.claim(claim)
            if plan.reservation is not None and all(c.granted for c in got.claims.values()):
                got.slot = await self.records.reserve(plan.reservation)
        except ApplicationError as exc:
            raise ApplicationError(
                exc.message,
                what,
                type=exc.type,
                non_retryable=exc.non_retryable,
                category=exc.category,
            ) from exc
        return got
