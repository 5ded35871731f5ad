"""The audit log's hash chain: each row's hash covers its content and the previous row's hash,
so a row changed, removed or slipped in after it was written breaks the chain from there on."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

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
