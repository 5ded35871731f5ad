"""Signed-in sessions for the faces that keep one (the console): the key that signs the session
cookie, kept outside the database beside the system's other keys; who the session stands for,
as a plain mapping the cookie carries and read back into the same Principal a token or an API key
gives; and a one-time sign-in link made at start (the embedded set-up's demonstration officer)."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifecycle.app.failures import unavailable
from lifecycle.app.identity import Principal, principal_of_holder
from lifecycle.app.keys import create
from lifecycle.app.system import System
from lifecycle.config import Settings
from lifecycle.domain.states import Role
from lifecycle.errors import NotAllowed
from lifecycle.temporal.codec import ensure_keys

SESSION_KEYS = "console-keys.json"
DEMO_OFFICER = "console-demo-officer"


def session_secret(settings: Settings) -> str:
    """The key that signs session cookies (made on first start, readable by its owner only)."""
    path = os.environ.get("LIFECYCLE_CONSOLE_KEYS") or settings.var_dir / SESSION_KEYS
    ring = ensure_keys(Path(path), "LIFECYCLE_CONSOLE_KEYS")
    return ring.keys[ring.current].hex()


def kept(who: Principal, until: float) -> dict[str, Any]:
    """What a session keeps of who signed in: never a token or a key, only who it is (and the
    key's id, so a revoked key ends its sessions)."""
    return {
        "subject": who.subject,
        "role": who.role.value,
        "assurance": who.assurance,
        "district": who.district,
        "credit_code": who.credit_code,
        "scope": list(who.scope),
        "key_id": who.holder.key_id if who.holder else None,
        "until": until,
    }


def restored(system: System, held: Any) -> Principal | None:
    """Who a session stands for, or None when it has expired, is malformed or its key was
    revoked (a store that cannot be used now leaves it standing until it expires)."""
    if not isinstance(held, dict) or not isinstance(held.get("until"), int | float):
        return None
    if held["until"] < time.time():
        return None
    try:
        who = Principal(
            subject=str(held["subject"]),
            role=Role(held["role"]),
            assurance=str(held["assurance"]),
            district=held.get("district"),
            credit_code=held.get("credit_code"),
            scope=tuple(held.get("scope") or ()),
        )
    except (KeyError, ValueError):
        return None
    key_id = held.get("key_id")
    if key_id:
        try:
            holder = system.store.keys.active(str(key_id))
        except Exception as exc:
            if unavailable(exc) is None:
                raise
            return who
        if holder is None:
            return None
        return principal_of_holder(holder)
    return who


@dataclass
class OneTime:
    """A sign-in link that works once: made at start, printed for the person who started the
    system, and signing in as the demonstration officer's key."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    used: bool = False

    def take(self, token: str) -> bool:
        if self.used or not secrets.compare_digest(token, self.token):
            return False
        self.used = True
        return True


def demo_officer(system: System) -> Principal:
    """The demonstration officer: a bureau officer's API key made once and never shown (the
    bureau revokes it like any key, and the link then signs no one in)."""
    holder = system.store.keys.named(DEMO_OFFICER)
    if holder is None:
        create(system, DEMO_OFFICER, Role.BUREAU_OFFICER.value)
        holder = system.store.keys.named(DEMO_OFFICER)
    if holder is None or holder.revoked_at is not None:
        raise NotAllowed(
            f"The demonstration officer's key ({DEMO_OFFICER}) was revoked; sign in with a key "
            "or the bureau's sign-in."
        )
    return principal_of_holder(holder)


def expiry(hours: float, token_exp: float | None = None) -> float:
    """When a session ends: after ``hours``, or when the sign-in token it came from does."""
    until = time.time() + hours * 3600
    return min(until, token_exp) if token_exp else until
