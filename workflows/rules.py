"""Which rules a case runs under. A case names its pack by id and version and the worker's
registry serves that version; a case started before versions existed carried its pack inline,
and names the archived version equal to it from then on (or keeps carrying it, if none is)."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from lifecycle.contracts.case import CaseStart
    from lifecycle.policies.loader import validate_document
    from lifecycle.policies.registry import REGISTRY
    from lifecycle.policies.schema import PolicyPack
    from lifecycle.policies.versions import PackRef


def rules_of(start: CaseStart) -> tuple[PackRef, PolicyPack]:
    if start.pack is not None:
        pack = validate_document(start.pack, f"the rules {start.case_id} carries")
        return REGISTRY.match(pack) or REGISTRY.add(start.pack), pack
    if start.rules is None:
        raise ValueError(f"{start.case_id} names no rules")
    return start.rules, REGISTRY.get(start.rules)


def carried_rules(start: CaseStart, rules: PackRef) -> dict[str, Any]:
    """What the next run names: the version, and the inline pack only where no archived
    version equals it (another worker could not serve it otherwise)."""
    inline = start.pack
    if inline is not None and REGISTRY.match(validate_document(inline, start.case_id)):
        inline = None
    return {"rules": rules, "pack": inline}
