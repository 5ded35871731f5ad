"""Keys the bureau hands out and keeps: API keys for the gateway (systems, staff, providers),
and the keys that seal case data in Temporal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lifecycle.app.identity import DEFAULT_SCOPE
from lifecycle.app.views.records import key_json
from lifecycle.config import Settings
from lifecycle.domain import limits
from lifecycle.domain.states import Role
from lifecycle.errors import Invalid, NotFound, Refused
from lifecycle.store.repo import Store
from lifecycle.temporal.client import key_ring

RELAYED = (Role.PROVIDER, Role.ENTERPRISE)
ROLES = [r.value for r in Role if r != Role.PUBLIC]


@dataclass(frozen=True)
class Made:
    key: str
    scope: list[str]
    signing_secret: str | None


def create(
    store: Store,
    name: str,
    role: str,
    scopes: tuple[str, ...] = (),
    district: str | None = None,
    credit_code: str | None = None,
    relay: tuple[str, ...] = (),
) -> Made:
    """A key for ``name``; it is shown once (only its hash is kept), with a system's signing
    secret for the events it sends."""
    problem = limits.round_name("--name", name)
    if problem:
        raise Invalid(problem)
    who = Role(role)
    if who == Role.DISTRICT_OFFICER and not district:
        raise Invalid(
            "--district is required for a district officer's key (engine rule: district "
            "officers act only on their district's cases)."
        )
    if who == Role.PROVIDER and not credit_code:
        raise Invalid("--credit-code is required for a provider's key: it acts on its own case.")
    scope = list(scopes or DEFAULT_SCOPE[who])
    if who == Role.SYSTEM:
        scope += [f"relay={r}" for r in (relay or [r.value for r in RELAYED])]
    if district:
        scope.append(f"district={district}")
    if credit_code:
        scope.append(f"credit_code={credit_code}")
    made = store.keys.create(name, who.value, scope, dt.datetime.now(dt.UTC))
    if made is None:
        raise Refused(
            f"--name '{name}' already holds a key; revoke it first ('lifecycle api-key revoke "
            f"{name}') or choose another name."
        )
    key, holder = made
    return Made(key, scope, holder.signing_secret if who == Role.SYSTEM else None)


def listed(store: Store) -> list[dict[str, Any]]:
    return [key_json(k) for k in store.keys.all()]


def revoke(store: Store, name: str) -> dt.datetime:
    holder = store.keys.revoke(name, dt.datetime.now(dt.UTC))
    if holder is None or holder.revoked_at is None:
        raise NotFound(f"There is no API key named '{name}' ('lifecycle api-key list').")
    return holder.revoked_at


def rotate_codec(settings: Settings) -> str:
    """A new current key for case data; the old ones stay, so old histories still open."""
    ring = key_ring(settings).rotated()
    ring.write(settings.codec_keys)
    return f"{settings.codec_keys}: new current key {ring.current} ({len(ring.keys)} keys kept)."


def codec_keys(settings: Settings) -> str:
    """Which key file is used, its current key and the key ids it holds (never the keys)."""
    ring = key_ring(settings)
    return f"{settings.codec_keys}: current {ring.current}; keys {', '.join(ring.keys)}."
