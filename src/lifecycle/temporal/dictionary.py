"""The codec's preset compression dictionaries: the words a sealed payload is made of, known
before any case exists, so a payload of a few hundred bytes compresses as if the compressor had
seen the engine's payloads before.

A dictionary holds only what the code and the shipped rules fix: the contracts' field names in
the order they are written (with their defaults), the rules' own words (programme ids, states,
actions, deadlines, roles, clauses and labels) and the engine's fixed phrases. It never holds a
case's data: no provider, person, credit code or date.

Each dictionary is frozen once shipped (``dictionaries/NAME.bin``, its SHA-256 below): a sealed
payload names its dictionary through its encoding, and every payload a case ever sealed must open
for as long as the case may hold it. A better dictionary is a new name beside the old ones
(``python -m lifecycle.temporal.dictionary NAME`` writes one from today's code and rules).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
import sys
from collections import Counter
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from lifecycle.errors import Misconfigured

HERE = Path(__file__).parent / "dictionaries"
# name -> SHA-256 of the shipped file; a name here is never changed or removed.
SHIPPED = {
    "z1": "7e2e6681d3ace6a64d543d95b5a39a7e35abee9ba56d3441a97f07201ebff821",
}
LIMIT = 32 * 1024  # deflate sees the last 32 KiB of a dictionary only

# The engine's fixed phrases: what the SDK writes around a local activity's result, the
# summaries' words, the calendar's name, the payload converter's encodings.
PHRASES = [
    '{"seq":', ',"attempt":1,"activity_id":"', '","activity_type":"', '","complete_time":{"seconds":',
    ',"nanos":', '},"backoff":null,"original_schedule_time":{"seconds":', '},"activation_index":',
    "encoding", "json/plain", "binary/null", "json/protobuf", "binary/plain",
    "chinesecalendar (State Council notices)", " Asia/Shanghai", "T00:00:00+08:00", "T23:59:59+08:00",
    "system:lifecycle", "bureau_officer:", "district_officer:", "provider:", "expert:", "public:",
    "record #", " by ", " → ", "Provider ", ", district ", "; programme ", "; rules ",
    '{"new_rows":1}', ',"recorded":true,"duplicate":false}', '{"granted":true,"pool":null,"held":',
]  # fmt: skip

# The contracts whose payloads every step of a case carries: written last, nearest the data.
HOT = ("RecordInput", "CaseSnapshot", "SnapshotDeadline", "AuditEntry", "ActRequest", "ActResult")


def _models() -> list[type]:
    """Every pydantic model of the contracts, the domain and the workflows' inputs."""
    from pydantic import BaseModel

    import lifecycle.contracts
    import lifecycle.domain

    for pkg in (lifecycle.contracts, lifecycle.domain):
        for info in pkgutil.walk_packages(pkg.__path__, f"{pkg.__name__}."):
            importlib.import_module(info.name)
    importlib.import_module("workflows.inputs")

    def below(cls: type) -> list[type]:
        out: list[type] = []
        subs: list[type] = cls.__subclasses__()
        for sub in subs:
            out += [sub, *below(sub)]
        return out

    found: set[type] = {
        c for c in below(BaseModel) if c.__module__.startswith(("lifecycle.", "workflows."))
    }

    def rank(c: type) -> tuple[int, str, str]:
        return (HOT.index(c.__name__) if c.__name__ in HOT else -1, c.__module__, c.__name__)

    return sorted(found, key=rank)


def _default(field: Any) -> str:
    """A field's default as JSON, when it is one of the small constants payloads repeat."""
    if field.is_required():
        return ""
    value = field.get_default(call_default_factory=True)
    if isinstance(value, Enum):
        value = value.value
    if value is None or isinstance(value, bool | int) or value in ("", [], {}):
        return json.dumps(value, separators=(",", ":"))
    return ""


def skeleton(model: type) -> str:
    """The model as its JSON is written, its values left out but for small defaults."""
    parts = [
        f'"{f.alias or name}":{_default(f)}'
        for name, f in model.model_fields.items()  # type: ignore[attr-defined]
    ]
    return "{" + ",".join(parts) + "}"


def _rules_words() -> list[str]:
    """The shipped rules' own words, the least repeated first."""
    from lifecycle.policies import REGISTRY

    counts: Counter[str] = Counter()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                counts[str(k)] += 1
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)
        elif isinstance(value, str) and 2 < len(value) <= 60:
            counts[value] += 1

    for policy in sorted(REGISTRY.ids()):
        walk(REGISTRY.get(REGISTRY.current(policy)).model_dump(mode="json"))
    return sorted(counts, key=lambda w: (counts[w], w))


def build() -> bytes:
    """A dictionary from today's code and shipped rules (most repeated nearest the end)."""
    models = _models()
    sections = [
        "".join(_rules_words()),
        "".join(PHRASES),
        "".join(skeleton(m) for m in models),
    ]
    data = "".join(sections).encode("utf-8")
    return data[-LIMIT:]


@cache
def dictionary(name: str) -> bytes:
    """The shipped dictionary ``name``, checked against its recorded digest."""
    digest = SHIPPED.get(name)
    path = HERE / f"{name}.bin"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Misconfigured(
            f"codec dictionary '{name}' cannot be read ('{path}': {exc.strerror}); the "
            "installation is incomplete (engine rule)."
        ) from exc
    if digest is None or hashlib.sha256(data).hexdigest() != digest:
        raise Misconfigured(
            f"codec dictionary '{name}' ('{path}') is not the one this version shipped: a "
            "dictionary is never changed once payloads were sealed with it (engine rule)."
        )
    return data


if __name__ == "__main__":
    name = sys.argv[1]
    out = HERE / f"{name}.bin"
    if name in SHIPPED and SHIPPED[name] and out.exists():
        sys.exit(f"dictionary '{name}' is shipped and frozen; name a new one")
    HERE.mkdir(exist_ok=True)
    made = build()
    out.write_bytes(made)
    print(f"{out}: {len(made):,} bytes, sha256 {hashlib.sha256(made).hexdigest()}")
