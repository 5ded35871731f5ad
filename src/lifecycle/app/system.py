"""The running system as every face reaches it: its settings, its store, its one business clock
and its Temporal client, each made once and when first needed."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
from collections.abc import Awaitable, Callable
from functools import cached_property

from temporalio.client import Client

from lifecycle.app.failures import STORE_DOWN, unavailable
from lifecycle.calendar import SHANGHAI
from lifecycle.clock import DAY, BusinessClock, configured
from lifecycle.config import Settings
from lifecycle.errors import Misconfigured, Unavailable
from lifecycle.store.repo import Store
from lifecycle.temporal.client import connect as temporal_client
from lifecycle.temporal.client import key_ring
from lifecycle.temporal.codec import EncryptionCodec, KeyRing, ensure_keys


def business_clock(settings: Settings, store: Store) -> BusinessClock:
    """The business clock every process of this system shares: the one recorded when it first
    ran, as long as the settings ask for that one; otherwise one sentence naming the settings
    that differ."""
    wanted = configured(settings.business_start, settings.day_seconds, dt.datetime.now(dt.UTC))
    kept = recorded_clock(settings, store, wanted)
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


# This machine's copy of the clock recorded in the store (it never changes once recorded), so
# that the business time is known while the store cannot be used.
CLOCK_COPY = "business-clock.json"


def recorded_clock(settings: Settings, store: Store, wanted: BusinessClock) -> BusinessClock:
    """The clock recorded in the store (recording ``wanted`` if none is), as this machine keeps
    a copy of it once read: it never changes once recorded, so the business time is known
    without the store (while it is down above all)."""
    path = settings.var_dir / CLOCK_COPY
    of = _store_identity(settings.db_url)
    copy = _copy(path, of) if of else None
    if copy is not None:
        return copy  # recorded once, never changed: the store need not be asked again
    try:
        kept = store.business_clock(wanted)
    except Exception as exc:
        if unavailable(exc) is None:
            raise
        raise Unavailable(
            f"{STORE_DOWN.rstrip('.')}; this machine has not read the system's business clock "
            "from it yet, so nothing can be decided here until it is back."
        ) from exc
    of = _store_identity(settings.db_url)
    if of:
        _keep(path, of, kept)
    return kept


def _store_identity(url: str) -> str:
    """Which store a copy came from: its URL, and for a SQLite file the file itself (a file
    made again is another store); empty for a file not made yet."""
    name = url
    if url.startswith("sqlite:///"):
        try:
            name += f"#{os.stat(url.removeprefix('sqlite:///')).st_ino}"
        except OSError:
            return ""
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def _copy(path: os.PathLike[str], of: str) -> BusinessClock | None:
    try:
        with open(path, encoding="utf-8") as kept:
            data = json.load(kept)
        return BusinessClock.model_validate(data["clock"]) if data.get("store") == of else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _keep(path: os.PathLike[str], of: str, clock: BusinessClock) -> None:
    target = os.fspath(path)
    temp = f"{target}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"store": of, "clock": clock.model_dump(mode="json")}, out)
        os.replace(temp, target)
    except OSError:  # a read-only var folder: the store alone keeps the clock
        with contextlib.suppress(OSError):
            os.unlink(temp)


AUDIT_KEYS = "LIFECYCLE_AUDIT_KEYS"


def audit_keys(settings: Settings, make: bool = False) -> KeyRing | None:
    """The audit key ring (LIFECYCLE_AUDIT_KEYS), kept outside the database: made by the worker
    on its first start (``make``), read by everyone else; None when there is none yet."""
    path = settings.audit_keys
    if make:
        return ensure_keys(path, AUDIT_KEYS)
    return KeyRing.read(path, AUDIT_KEYS) if path.exists() else None


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
        """The store, its schema checked; one this machine knows (it kept the system's clock
        from it) that does not answer now is used as it is: what needs it says so, and the
        rest goes on."""
        seals = audit_keys(self.settings)
        try:
            return Store.from_url(self.settings.db_url, seals)
        except Unavailable:
            url = self.settings.db_url
            of = _store_identity(url)
            if not of or _copy(self.settings.var_dir / CLOCK_COPY, of) is None:
                raise
            return Store.unchecked(url, seals)

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
