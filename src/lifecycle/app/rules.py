"""The programmes' rules as people ask about them: the packs and their versions, the actions
each role may take, a provider's yearly caps and an evaluation scored by a rubric."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle.domain import quota, scoring
from lifecycle.domain.machine import CaseMachine
from lifecycle.domain.states import Role
from lifecycle.errors import Invalid, NotFound, Refused
from lifecycle.policies import REGISTRY, PackError, PackRef, PolicyPack
from lifecycle.policies.listed_rules import QuotaRules


def load_all() -> None:
    """Every version of every programme's rules, read before the first request needs one."""
    REGISTRY.load()


def pack(policy: str) -> PolicyPack:
    """The current rules of a programme; an unknown one is named with the known ones."""
    return REGISTRY.get(ref(policy))


def ref(policy: str) -> PackRef:
    try:
        return REGISTRY.current(policy)
    except PackError as exc:
        raise NotFound(str(exc)) from None


def ids() -> list[str]:
    return REGISTRY.ids()


def programmes() -> list[dict[str, str]]:
    """Each programme's id, title and source document."""
    out = []
    for policy in ids():
        found = pack(policy)
        number = f" {found.source.number}" if found.source.number else ""
        out.append(
            {"id": found.id, "title": found.title, "source": f"{found.source.document}{number}"}
        )
    return out


def version(policy: str, wanted: str | None) -> PackRef:
    """A version of a programme's rules (``None`` or "current": the current one)."""
    current = ref(policy)
    if wanted is None or wanted == "current":
        return current
    known = {r.version: r for r in REGISTRY.versions(policy)}
    if wanted not in known:
        raise NotFound(
            f"--version '{wanted[:40]}' is not a version of {policy}; 'lifecycle policy "
            f"versions {policy}' lists them."
        )
    return known[wanted]


def document(policy: str, wanted: str | None = None) -> str:
    """The whole pack as JSON, as the engine reads it."""
    return document_of(version(policy, wanted))


def document_of(held: PackRef) -> str:
    return REGISTRY.get(held).model_dump_json(indent=2)


def versions(policy: str) -> list[dict[str, Any]]:
    """Every version this system serves: current (for new cases) or kept for running cases."""
    current = ref(policy)
    out = []
    for held in REGISTRY.versions(policy):
        rules = REGISTRY.get(held)
        counted = [
            f"{d.name} {d.working_days} working days" for d in rules.deadlines if d.working_days
        ]
        out.append(
            {
                "version": held.version,
                "current": held == current,
                "actions": len(rules.transitions),
                "counted": counted,
            }
        )
    return out


def diagram(policy: str) -> str:
    return CaseMachine(pack(policy)).mermaid()


def actions_by_role() -> dict[str, list[str]]:
    """Every action each role may take, across the programmes' current rules."""
    by_role: dict[str, dict[str, None]] = {}
    for policy in ids():
        for t in pack(policy).transitions:
            for role in t.roles:
                if role != Role.SYSTEM:
                    by_role.setdefault(role.value, {})[t.trigger] = None
    return {role: list(actions) for role, actions in by_role.items()}


def quota_rules(policy: str) -> QuotaRules:
    """A programme's quota on purchased services; refused for one that sets none."""
    rules = pack(policy).listed.quota
    if rules is None:
        having = [p for p in ids() if pack(p).listed.quota is not None]
        raise Refused(
            f"{policy} sets no yearly quota on purchased services; "
            f"{', '.join(having) or 'no programme'} does."
        )
    return rules


def caps(policy: str, data: Any) -> dict[str, Any]:
    """A provider's yearly caps on purchased services, with their parts (wenzhou-2021 第十条)."""
    rules_pack, rules = pack(policy), quota_rules(policy)
    try:
        given = quota.read_input(rules, rules_pack.id, data)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    held = quota.caps(
        rules,
        dt.date.today().year,
        given["city_diagnosis_target"],
        given["recognition"],
        given["served_demo_enterprise"],
        given["excellent_years_running"],
    )
    return {
        "diagnosis_cap": held.diagnosis_cap,
        "design_cap": held.design_cap,
        "parts": [p.model_dump() for p in held.parts],
    }


def score(policy: str, data: Any) -> dict[str, Any]:
    """One provider's evaluation scored by the programme's rubric."""
    rules = pack(policy)
    try:
        rubric = scoring.rubric_of(rules)
        result = scoring.score(rubric, scoring.read_input(rubric, rules.id, data))
    except ValueError as exc:
        having = [p for p in ids() if pack(p).evaluation.rubric is not None]
        hint = "" if rules.evaluation.rubric else f" Programmes with one: {', '.join(having)}."
        raise Invalid(str(exc) + hint) from None
    return result.model_dump()
