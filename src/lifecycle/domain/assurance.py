"""How an actor was known, proven rather than claimed (engine rule): the gateway, having
authenticated the caller (an OpenID Connect token, an API key), signs what it sends a case with
a key it shares with the workers only; the case records ``oidc`` or ``api-key`` when the proof
holds and ``asserted`` (named, not authenticated) otherwise, whatever the request says. A client
that reaches Temporal directly, or a command that names its actor with ``--as``, has no key.

The keys are installed in the process at start (``install``) by the gateway and the worker;
old keys are kept after a rotation, so a case replayed later proves what it proved then. Pure:
an HMAC over the request's identifying fields, no I/O."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

ASSERTED = "asserted"
_keys: dict[str, bytes] = {}
_current: str | None = None
_asserted_taken = True  # the embedded set-up's default; a cluster's workers say otherwise


def install(keys: dict[str, bytes], current: str) -> None:
    global _current
    _keys.clear()
    _keys.update(keys)
    _current = current


def installed() -> bool:
    return _current is not None


def take_asserted(allowed: bool) -> None:
    """Whether this worker's cases take an actor named without proof (the embedded set-up, or
    the bureau's own scripts with LIFECYCLE_ASSERTED_ACTORS=1 on its workers)."""
    global _asserted_taken
    _asserted_taken = allowed


def takes_asserted() -> bool:
    """Whether this worker's cases take an actor named without proof."""
    return _asserted_taken


def refusal(known: str, actor: str) -> str | None:
    """The sentence refusing an actor named without proof where this worker takes none."""
    if known != ASSERTED or _asserted_taken:
        return None
    return unproven(actor)


def unproven(actor: str) -> str:
    return (
        f"'{actor[:80]}' is named, not authenticated, and these cases take a named actor only "
        "in the embedded set-up or from the bureau's own scripts (LIFECYCLE_ASSERTED_ACTORS=1 "
        "on their workers); send it through the gateway (engine rule)."
    )


def _message(fields: list[Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode()


def _mac(key: bytes, fields: list[Any]) -> str:
    return hmac.new(key, _message(fields), hashlib.sha256).hexdigest()


def sign(fields: list[Any]) -> str | None:
    """The proof for ``fields`` (they name the case, the actor and how it was known), or None
    where no key is installed (a person's command)."""
    if _current is None:
        return None
    return f"{_current}:{_mac(_keys[_current], fields)}"


def proven(claimed: str, proof: str | None, fields: list[Any]) -> str:
    """``claimed`` when it is ``asserted`` or the proof holds for ``fields``; else ``asserted``."""
    if claimed == ASSERTED or not proof:
        return ASSERTED
    key_id, _, mac = proof.partition(":")
    key = _keys.get(key_id)
    if key is None or not hmac.compare_digest(mac, _mac(key, fields)):
        return ASSERTED
    return claimed
