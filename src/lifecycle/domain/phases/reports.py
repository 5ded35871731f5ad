"""Reports a listed provider owes (guangzhou-2024 §3.4, wuhan-2021 第八条, anhui-2019 评价
第六条): each is a declared deadline met by ``submit_report`` naming it; one missed becomes a
finding by the deadline's own rule, one handed in late is recorded as late."""

from __future__ import annotations

from typing import Any

from lifecycle.domain.case import Action, Case
from lifecycle.domain.phases import fields
from lifecycle.domain.phases.fields import reading
from lifecycle.domain.registry import Handler, register
from lifecycle.policies.schema import PolicyPack

PHASE = "listed"


def _owed(case: Case, pack: PolicyPack, action: Action) -> list[str]:
    return [d.name for d in pack.deadlines if d.met_by == action.trigger]


def _check(case: Case, pack: PolicyPack, action: Action) -> str | None:
    owed = _owed(case, pack, action)
    if not owed:
        return f"{pack.id} asks for no reports."
    if "deadline" in action.data or len(owed) > 1:
        fields.choice(action.data, "deadline", owed)
    if "period" in action.data:
        name = action.data.get("deadline", owed[0])
        held = case.deadlines.get(name)
        period = fields.text(action.data, "period", 16)
        if held is None or held.period is None:
            return f"data period: {name} is not a report owed by period now."
        if period != held.period and not (len(period) == len(held.period) and period < held.period):
            return (
                f"data period is {period!r}; {name} is owed for {held.period} now, or name an "
                "earlier period to hand in a late report."
            )
    return None


def _submit(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    owed = _owed(case, pack, action)
    name = action.data.get("deadline", owed[0])
    held = case.deadlines.get(name)
    current = held.period if held else None
    period = action.data.get("period", current)
    late = period != current or (held is not None and held.expired and not held.met)
    return {**action.data, "deadline": name, "period": period, "late": late}


register(Handler("submit_report", PHASE, check=reading(_check), effect=_submit))
