"""The running system as every face reaches it: its settings, its store, its one business clock
and its Temporal client, each made once and when first needed."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from functools import cached_property

from temporalio.client import Client

from lifecycle.calendar import SHANGHAI
from lifecycle.clock import DAY, BusinessClock, configured
from lifecycle.config import Settings
from lifecycle.errors import Misconfigured
from lifecycle.store.repo import Store
from lifecycle.temporal.client import connect as temporal_client
from lifecycle.temporal.client import key_ring
from lifecycle.temporal.codec import EncryptionCodec


def business_clock(settings: Settings, store: Store) -> BusinessClock:
    """The business clock every process of this system shares: the one recorded when it first
    ran, as long as the settings ask for that one; otherwise one sentence naming the settings
    that differ."""
    wanted = configured(settings.business_start, settings.day_seconds, dt.datetime.now(dt.UTC))
    kept = store.business_clock(wanted)
    differ = []
    if kept.start != wanted.start:
        differ.append(f"LIFECYCLE_BUSINESS_START is {_start(wanted.start)} here")
    if kept.day_seconds != wanted.day_seconds:
        differ.append(f"LIFECYCLE_DAY_SECONDS is {wanted.day_seconds} here")
    if differ:
        raise Misconfigured(
            f"This system runs on {kept.describe()} (recorded when it first ran), but "
            f"{' and '.join(differ)}; cases keep the clock they started under, so use the "
            "system's own settings, or another LIFECYCLE_VAR_DIR (or LIFECYCLE_DB_URL) for "
            "another clock."
        )
    return kept


def _start(day: dt.date | None) -> str:
    return f"'{day}'" if day else "not set"


class System:
    """``direct``: a command that reaches Temporal itself (not through the gateway), whose
    settings may not be the running system's; it checks the case data opens before it acts."""

    def __init__(
        self,
        settings: Settings,
        store: Store | None = None,
        direct: bool = False,
        connect: Callable[[], Awaitable[Client]] | None = None,
    ) -> None:
        self.settings, self.direct = settings, direct
        self._connect = connect or (lambda: temporal_client(settings, make_keys=not direct))
        if store is not None:
            self.__dict__["store"] = store
        self._client: Client | None = None
        self._clock: BusinessClock | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_env(cls, direct: bool = False) -> System:
        return cls(Settings.from_env(), direct=direct)

    @cached_property
    def store(self) -> Store:
        return Store.from_url(self.settings.db_url)

    @cached_property
    def codec(self) -> EncryptionCodec:
        """The codec over the system's keys (the gateway's codec endpoint opens with it)."""
        return EncryptionCodec(key_ring(self.settings))

    def clock(self) -> BusinessClock:
        if self._clock is None:
            self._clock = business_clock(self.settings, self.store)
        return self._clock

    def business_now(self) -> dt.datetime:
        real = dt.datetime.now(dt.UTC)
        return self.clock().anchored(real).now(real)

    def today(self) -> dt.date:
        return self.business_now().astimezone(SHANGHAI).date()

    def rehearsal(self) -> str | None:
        """The clock described when business time is not the real time; None when it is."""
        clock = self.clock()
        if clock.day_seconds == DAY and clock.start is None:
            return None
        return clock.describe()

    async def client(self) -> Client:
        async with self._lock:
            if self._client is None:
                self._client = await self._connect()
            return self._client
