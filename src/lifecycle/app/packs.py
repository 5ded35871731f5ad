"""A programme as the bureau's own file: checked whole before any case meets it, installed into
the bureau's packs folder (content-addressed, kept as long as a case may name it) and made current
for new cases, written to the audit log; what a move from one version to another would change;
the cases whose rules are behind their programme's; the pack format as a JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifecycle.app import rules
from lifecycle.app.inputs import actor
from lifecycle.app.system import System
from lifecycle.calendar import SHANGHAI
from lifecycle.domain.states import Role
from lifecycle.errors import Invalid, NotAllowed
from lifecycle.policies import REGISTRY, PackRef
from lifecycle.policies.checking import Checked, check_file, summary
from lifecycle.policies.registry import CURRENT
from lifecycle.policies.schema import PolicyPack


def check(path: Path) -> Checked:
    """The file checked whole: its problems (each a sentence naming line, key path and rule)."""
    return check_file(path)


def sentences(checked: Checked, path: Path) -> list[str]:
    return [p.sentence(str(path)) for p in checked.problems]


def described(checked: Checked) -> str:
    return summary(checked)


@dataclass
class Installed:
    ref: PackRef
    previous: PackRef | None
    new_programme: bool
    already: bool = False
    behind: int = 0
    notes: list[str] = field(default_factory=list)


def install(system: System, path: Path, by: str, reason: str) -> Installed:
    """Checks the file, keeps it in the bureau's archive under its id and content hash, and makes
    it the version new cases are opened under, writing who, when and why to the audit log;
    running cases keep their version until moved."""
    who = actor(by, "--as")
    if who.role != Role.BUREAU_OFFICER:
        raise NotAllowed(f"--as is '{by}'; a programme's rules are installed by a bureau_officer.")
    if not reason.strip():
        raise Invalid(
            "--reason is empty; installing a programme's rules records why (engine rule)."
        )
    checked = check(path)
    if not checked.sound:
        found = sentences(checked, path)
        raise Invalid(
            f"{path} is not installed: {len(found)} problem(s), the first: {found[0]} "
            "('lifecycle policy check' lists them all)."
        )
    assert checked.pack is not None and checked.version is not None
    pack, version = checked.pack, checked.version
    ref = PackRef(id=pack.id, version=version)
    previous = REGISTRY.current(pack.id) if pack.id in REGISTRY.ids() else None
    if previous == ref:
        return Installed(ref, previous, False, already=True)
    folder = REGISTRY.bureau
    target = folder / "archive" / pack.id / f"{version}.toml"
    _write(target, path.read_text("utf-8"))
    chosen = _chosen(folder)
    chosen[pack.id] = version
    _write(folder / CURRENT, json.dumps(chosen, indent=2, sort_keys=True) + "\n")
    REGISTRY.refresh()
    system.store.log_programme(
        pack.id,
        "install_rules",
        str(who),
        reason.strip(),
        {"version": version, "previous": previous.version if previous else None, "file": path.name},
        dt.datetime.now(dt.UTC),
    )
    done = Installed(ref, previous, previous is None)
    done.behind = len(behind(system, pack.id))
    return done


def _chosen(folder: Path) -> dict[str, str]:
    path = folder / CURRENT
    if not path.exists():
        return {}
    found = json.loads(path.read_text("utf-8"))
    return {str(k): str(v) for k, v in found.items()}


def _write(target: Path, text: str) -> None:
    """Whole or not at all: a worker reading the folder never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.{os.getpid()}.new")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, target)


def history(system: System, policy: str) -> list[str]:
    """Who installed which version of a programme's rules, when and why (the audit log's
    ``programme:ID`` trail), one line each."""
    rows = system.store.audit(f"programme:{policy}")
    return [
        f"{r.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}\t{r.actor_role}:{r.actor_id}\t{r.action} "
        f"{(r.data or {}).get('version')} (was {(r.data or {}).get('previous') or 'none'})\t{r.reason}"
        for r in rows
    ]


# --- what a move would change -------------------------------------------------------------------

# Lists whose items are named by a key: compared item by item, not by position.
KEYED = {
    "transitions": lambda t: f"{t['trigger']} from {'/'.join(t['source'])}",
    "deadlines": lambda d: d["name"],
    "items": lambda i: i["id"],
    "grades": lambda g: g["grade"],
    "reasons": lambda r: r["code"],
    "grounds": lambda g: g["code"],
    "requirements": lambda r: r["id"],
    "provider_types": lambda t: t["id"],
    "industries": lambda i: i["id"],
}


def diff(policy: str, old: str, new: str) -> list[str]:
    """What differs between two versions of a programme's rules, one line a difference:
    ``+`` added, ``-`` removed, ``~`` changed (old → new)."""
    a = rules.document_of(rules.version(policy, old))
    b = rules.document_of(rules.version(policy, new))
    lines: list[str] = []
    _compare("", json.loads(a), json.loads(b), lines)
    return lines


def _compare(path: str, a: Any, b: Any, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in a:
                out.append(f"+ {where}: {_short(b[key])}")
            elif key not in b:
                out.append(f"- {where}: {_short(a[key])}")
            else:
                _compare(where, a[key], b[key], out)
        return
    name = path.rsplit(".", 1)[-1]
    if (
        isinstance(a, list)
        and isinstance(b, list)
        and name in KEYED
        and all(isinstance(x, dict) for x in a + b)
    ):
        named = KEYED[name]
        left, right = {named(x): x for x in a}, {named(x): x for x in b}
        for key in [*left, *(k for k in right if k not in left)]:
            where = f"{path}[{key}]"
            if key not in right:
                out.append(f"- {where}")
            elif key not in left:
                out.append(f"+ {where}: {_short(right[key])}")
            else:
                _compare(where, left[key], right[key], out)
        return
    if a != b:
        out.append(f"~ {path}: {_short(a)} → {_short(b)}")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "…"


# --- cases behind their programme's rules ---------------------------------------------------------


@dataclass(frozen=True)
class Behind:
    case_id: str
    state: str
    version: str
    current: str
    gains: list[str]  # actions the current version has and the case's lacks


def behind(system: System, policy: str | None = None) -> list[Behind]:
    """Open cases pinned to an older version of their programme's rules than the current one,
    with the actions a move would give them."""
    found = []
    for row in system.store.cases(policy=policy):
        if row.state in ("rejected", "withdrawn", "exited", "closed") or not row.rules_version:
            continue
        current = rules.ref(row.policy)
        if row.rules_version == current.version:
            continue
        held = PackRef(id=row.policy, version=row.rules_version)
        gains = sorted(_actions(current) - _actions(held)) if REGISTRY.has(held) else []
        found.append(Behind(row.case_id, row.state, row.rules_version, current.version, gains))
    return found


def _actions(ref: PackRef) -> set[str]:
    return {t.trigger for t in REGISTRY.get(ref).transitions}


def missing_action(policy: str, version: str | None, action: str, case_id: str) -> str | None:
    """The sentence for an action the case's own version lacks but the current one has: it names
    the case's version and the move that would allow it (None when that is not the case)."""
    if not version:
        return None
    held = PackRef(id=policy, version=version)
    current = rules.ref(policy)
    if held == current or not REGISTRY.has(held):
        return None
    if action in _actions(held) or action not in _actions(current):
        return None
    return (
        f"'{action[:40]}' is not an action of {policy} version {version}, the rules this case "
        f"runs under; the current version {current.version} has it, and a bureau officer moves "
        f"the case to it with 'lifecycle case move {case_id} --to current --reason …'."
    )


# --- the pack format ------------------------------------------------------------------------------


def schema() -> dict[str, Any]:
    """The pack format as a JSON Schema (draft 2020-12), for editors that check a file as it is
    typed."""
    found = PolicyPack.model_json_schema()
    found["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    found["title"] = "lifecycle policy pack"
    return found
