"""Business time: the one clock every case, the worker and the command share.

By default it is the real time. A bureau rehearsing (a National Day window, a training session)
sets ``LIFECYCLE_BUSINESS_START`` (business time starts at 00:00 Asia/Shanghai of that date) and
``LIFECYCLE_DAY_SECONDS`` (real seconds per business day). The clock is recorded in the store
when the system first runs, so every process reads the same one; each case carries it in its
start input, so workflow code reads it deterministically.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from lifecycle.domain.days import SHANGHAI

DAY = 86400


class BusinessClock(BaseModel):
    """``business_origin`` is the business instant at the real instant ``real_origin``; from
    there business time runs ``86400 / day_seconds`` times as fast as real time. An origin left
    empty is the case's own start (tests, and cases started before the clock was shared)."""

    model_config = ConfigDict(frozen=True)
    business_origin: dt.datetime | None = None
    real_origin: dt.datetime | None = None
    day_seconds: int = Field(DAY, ge=1, le=DAY)
    start: dt.date | None = Field(None, description="LIFECYCLE_BUSINESS_START, when set")

    @property
    def factor(self) -> float:
        return DAY / self.day_seconds

    def anchored(self, real_start: dt.datetime) -> BusinessClock:
        real = self.real_origin or real_start
        return self.model_copy(
            update={"real_origin": real, "business_origin": self.business_origin or real}
        )

    def now(self, real: dt.datetime) -> dt.datetime:
        assert self.real_origin and self.business_origin, "anchor the clock first"
        return self.business_origin + (real - self.real_origin) * self.factor

    def today(self) -> dt.date:
        """The business date now by the wall clock, in Asia/Shanghai (commands only; workflow
        code reads ``now`` with the workflow's time)."""
        real = dt.datetime.now(dt.UTC)
        return self.anchored(real).now(real).astimezone(SHANGHAI).date()

    def real_delay(
        self, instant: dt.datetime, real_now: dt.datetime, after: dt.timedelta = dt.timedelta(0)
    ) -> dt.timedelta:
        """Real time until business ``instant`` (zero when it has passed), or until ``after``
        more real time has passed since it (zero when that has passed too)."""
        return max((instant - self.now(real_now)) / self.factor + after, dt.timedelta(0))

    def describe(self) -> str:
        speed = "real time" if self.day_seconds == DAY else f"{self.day_seconds} s per day"
        if self.start is None:
            return f"business time = {speed}, from when the system first ran"
        return f"business time from {self.start} 00:00 Asia/Shanghai, {speed}"


def configured(start: dt.date | None, day_seconds: int, real_now: dt.datetime) -> BusinessClock:
    """The clock the settings ask for, anchored now (the store keeps the first one made)."""
    business = (
        dt.datetime.combine(start, dt.time(0), tzinfo=SHANGHAI) if start is not None else real_now
    )
    return BusinessClock(
        business_origin=business, real_origin=real_now, day_seconds=day_seconds, start=start
    )
