"""The audit log's hash chain: each row's hash covers its content and the previous row's hash,
so a row changed, removed or slipped in after it was written breaks the chain from there on.
Each row is also sealed (an HMAC of its hash under a key kept outside the database), so an
insider who rewrites rows and recomputes their hashes is named too."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any, Protocol

FIELDS = (
    "case_id",
    "seq",
    "at",
    "actor_role",
    "actor_id",
    "action",
    "from_state",
    "to_state",
    "reason",
    "clause",
    "data",
    "event_id",
)
# Written since the gateway: covered when present, so rows written before it keep their hashes.
OPTIONAL = ("assurance",)
GENESIS = ""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def digest(previous: str, row: dict[str, Any]) -> str:
    content = {field: _plain(row.get(field)) for field in FIELDS}
    content["data"] = content["data"] or {}
    content.update({f: row[f] for f in OPTIONAL if row.get(f) is not None})
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{text}".encode()).hexdigest()


# --- the key: seals a database insider cannot recompute -----------------------------------------


class Keys(Protocol):
    """A ring of secret keys by id (the audit key file): the current one seals."""

    current: str
    keys: dict[str, bytes]


def seal(keys: Keys, row_hash: str) -> str:
    """``KEY_ID:HEX``: the row's hash authenticated with the current key."""
    mac = hmac.new(keys.keys[keys.current], row_hash.encode(), hashlib.sha256).hexdigest()
    return f"{keys.current}:{mac}"


def unsealed(keys: Keys, row_hash: str, sealed: str) -> str | None:
    """Why ``sealed`` does not authenticate ``row_hash`` (None when it does)."""
    key_id, _, mac = sealed.partition(":")
    if key_id not in keys.keys:
        return (
            f"its seal is under audit key '{key_id[:20]}', which the audit key file does not hold"
        )
    expected = hmac.new(keys.keys[key_id], row_hash.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        return "its seal does not match (its hashes were recomputed without the audit key)"
    return None
