"""What every route of the gateway shares: the running system, the caller (``Who``), the
statuses the kinds of error become, and strict bodies."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from lifecycle.app import (
    ENGINE_RULE,
)
from lifecycle.app.identity import Authenticator, OidcSettings, Principal
from lifecycle.app.system import System


# Each kind of error and the status it answers with (a subclass before its parent).
def body_of(message: str, clause: str | None = None) -> dict[str, Any]:
    return {"error": message, "clause": clause or ENGINE_RULE}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class Gateway:
    """The gateway's parts: the system it serves, how it knows callers, and the Web UI's
    origins its codec answers."""

    system: System
    oidc: OidcSettings | None = None
    ui_origins: tuple[str, ...] = ()
    ui_link: str | None = None  # the embedded Web UI's codec link for this run (lifecycle up)

    def __post_init__(self) -> None:
        self.auth = Authenticator(self.system.store.keys, self.oidc)


async def principal(request: Request) -> Principal:
    """The caller, from its token or API key (the JWKS fetch blocks: off the event loop)."""
    gateway: Gateway = request.app.state.gateway
    header = request.headers.get("authorization")
    return await asyncio.to_thread(gateway.auth.principal, header)


Who = Annotated[Principal, Depends(principal)]


def gateway_of(request: Request) -> Gateway:
    return request.app.state.gateway  # type: ignore[no-any-return]


Parts = Annotated[Gateway, Depends(gateway_of)]
