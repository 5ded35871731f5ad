"""What every route of the gateway shares: the gateway's parts (store, Temporal, codec, clock),
the caller (``Who``), one-sentence errors with their status, and the checks on a caller."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict
from temporalio.client import Client

from lifecycle.cases import CaseService, checked_case_id
from lifecycle.clock import BusinessClock
from lifecycle.config import Settings, UserError
from lifecycle.gateway.auth import Authenticator, AuthError, OidcSettings, Principal
from lifecycle.policies import REGISTRY, PolicyPack
from lifecycle.rounds import RoundService
from lifecycle.store.repo import Store
from lifecycle.temporal.codec import EncryptionCodec

_CLAUSE = re.compile(r"\(([^()]*(?:§|engine rule|第)[^()]*)\)\.?$")


class ApiError(Exception):
    def __init__(self, status: int, message: str, clause: str | None = None) -> None:
        super().__init__(message)
        self.status, self.clause = status, clause


def body_of(message: str, clause: str | None = None) -> dict[str, Any]:
    if clause is None:
        found = _CLAUSE.search(message)
        clause = found.group(1) if found else "engine rule"
    return {"error": message, "clause": clause}


def user_error(exc: UserError, bad_input: bool = False) -> ApiError:
    message = str(exc)
    if message.startswith("There is no case"):
        return ApiError(404, message)
    if exc.exit_code in (1, 3):
        return ApiError(503, message)
    return ApiError(400 if bad_input else 409, message)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the gateway's parts ------------------------------------------------------------


@dataclass
class Gateway:
    settings: Settings
    store: Store
    codec: EncryptionCodec
    connect: Callable[[], Awaitable[Client]]
    oidc: OidcSettings | None = None
    ui_origins: tuple[str, ...] = ()
    trust_loopback_ui: bool = False
    now: Callable[[], float] = time.time
    _client: Client | None = None
    _clock: BusinessClock | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.auth = Authenticator(self.store.keys, self.oidc)

    async def client(self) -> Client:
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await self.connect()
                except UserError as exc:
                    raise ApiError(503, str(exc)) from None
            return self._client

    def clock(self) -> BusinessClock:
        if self._clock is None:
            from lifecycle.cli_cases import system_clock

            self._clock = system_clock(self.settings, self.store)
        return self._clock

    async def cases(self) -> CaseService:
        return CaseService(
            await self.client(), self.store, self.clock(), act_timeout=self.settings.act_timeout
        )

    async def rounds(self) -> RoundService:
        return RoundService(
            await self.client(), self.store, self.clock(), timeout=self.settings.act_timeout
        )


async def principal(request: Request) -> Principal:
    """The caller, from its token or API key (the JWKS fetch blocks: off the event loop)."""
    gateway: Gateway = request.app.state.gateway
    header = request.headers.get("authorization")
    return await asyncio.to_thread(gateway.auth.principal, header)


Who = Annotated[Principal, Depends(principal)]


def pack_of(policy: str) -> PolicyPack:
    try:
        return REGISTRY.get(REGISTRY.current(policy))
    except (KeyError, UserError, ValueError):
        known = ", ".join(REGISTRY.ids())
        raise ApiError(404, f"policy '{policy[:40]}' is not a programme here ({known}).") from None


def gateway_of(request: Request) -> Gateway:
    return request.app.state.gateway  # type: ignore[no-any-return]


Parts = Annotated[Gateway, Depends(gateway_of)]


def may(who: Principal, scope: str, what: str) -> None:
    if not who.may(scope):
        raise AuthError(f"{who.actor} may not {what}.", status=403)


def case_id_of(text: str) -> str:
    try:
        return checked_case_id(text)
    except UserError as exc:
        raise ApiError(400, str(exc)) from None


async def run(work: Awaitable[Any], bad_input: bool = False) -> Any:
    """Awaits ``work``; a refusal becomes its status (404 no such case, 503 not answering,
    400 or 409 otherwise)."""
    try:
        return await work
    except UserError as exc:
        raise user_error(exc, bad_input) from None
