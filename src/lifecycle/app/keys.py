"""Keys the bureau hands out and keeps: API keys for the gateway (systems, staff, providers)
with the signing secrets systems sign their events with (made as the Standard Webhooks scheme
makes them, kept sealed, rotated with a grace period), and the keys that seal case data in
Temporal (which also seal the signing secrets)."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from lifecycle.app.events import bound
from lifecycle.app.identity import DEFAULT_SCOPE
from lifecycle.app.system import System
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


def new_secret() -> str:
    """A signing secret as the Standard Webhooks scheme makes them: ``whsec_`` and the base64
    of 24 random bytes (the HMAC key)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def create(
    system: System,
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
    secret = new_secret()
    sealed = system.codec.ring.seal_text(secret, bound(name))
    made = system.store.keys.create(name, who.value, scope, dt.datetime.now(dt.UTC), sealed)
    if made is None:
        raise Refused(
            f"--name '{name}' already holds a key; revoke it first ('lifecycle api-key revoke "
            f"{name}') or choose another name."
        )
    key, _ = made
    return Made(key, scope, secret if who == Role.SYSTEM else None)


def rotate_secret(system: System, name: str, grace_hours: int) -> tuple[str, dt.datetime]:
    """A new signing secret for ``name`` (shown once); the one it replaces still verifies
    until the grace period ends, so the sending system can switch without losing an event."""
    holder = system.store.keys.named(name)
    if holder is None or holder.revoked_at is not None:
        raise NotFound(f"There is no API key named '{name}' in use ('lifecycle api-key list').")
    if not 0 <= grace_hours <= 24 * 30:
        raise Invalid(f"--grace-hours is {grace_hours}; it must be from 0 to 720 (30 days).")
    until = dt.datetime.now(dt.UTC) + dt.timedelta(hours=grace_hours)
    secret = new_secret()
    sealed = system.codec.ring.seal_text(secret, bound(name))
    previous = (holder.signing_secret, holder.secret_scheme, until)
    system.store.keys.set_secret(name, sealed, "standard", previous)
    return secret, until


def seal_stored(system: System) -> list[str]:
    """Seals every signing secret written before secrets were sealed (they keep their scheme,
    so they keep verifying); the names of those sealed."""
    ring, done = system.codec.ring, []
    for holder in system.store.keys.all():
        if not holder.signing_secret.startswith("sealed:"):
            sealed = ring.seal_text(holder.signing_secret, bound(holder.name))
            system.store.keys.set_secret(holder.name, sealed, holder.secret_scheme)
            done.append(holder.name)
    return done


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
