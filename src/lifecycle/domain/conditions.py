"""Named guards a pack may put on a transition.

Each takes what the case knows and what the action brings, and answers None (allowed) or the
one-sentence reason it is refused. Packs name them; the machine and the refusal text share them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from lifecycle.domain.plan import SlotResult
from lifecycle.policies.vocabulary import GUARDS


class CaseFacts(Protocol):
    @property
    def district(self) -> str: ...
    @property
    def open_findings(self) -> int: ...
    @property
    def recommended(self) -> bool | None: ...
    @property
    def open_objections(self) -> int: ...
    def deadline_passed_for(self, trigger: str) -> bool: ...


class ActionFacts(Protocol):
    @property
    def trigger(self) -> str: ...
    @property
    def actor_district(self) -> str | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def slot(self) -> SlotResult | None: ...


Condition = Callable[[CaseFacts, ActionFacts], str | None]


def actor_in_case_district(case: CaseFacts, action: ActionFacts) -> str | None:
    if action.actor_district != case.district:
        return (
            f"a district officer of '{action.actor_district or 'no district'}' may not act on a "
            f"case of district '{case.district}'; district officers review their own district's "
            "cases"
        )
    return None


def findings_answered(case: CaseFacts, action: ActionFacts) -> str | None:
    if case.open_findings and not action.reason.strip():
        return (
            f"the case has {case.open_findings} open finding(s); passing it needs a reason "
            "(--reason) that answers them"
        )
    return None


def recommended_by_experts(case: CaseFacts, action: ActionFacts) -> str | None:
    if case.recommended is not True:
        return "the expert panel has not recommended this case for selection"
    return None


def within_selection_limit(case: CaseFacts, action: ActionFacts) -> str | None:
    """Holds once a place under the cap is reserved (obtained before deciding, atomically
    across cases); refused with the cap when the pool is full."""
    slot = action.slot
    if slot is not None and not slot.granted:
        return f"{slot.what} already holds {slot.held} of at most {slot.capacity}"
    return None


def deadline_passed(case: CaseFacts, action: ActionFacts) -> str | None:
    """The deadline whose passing takes this action has passed (the public notice closed)."""
    if case.deadline_passed_for(action.trigger):
        return None
    return "the deadline that allows it has not passed yet"


def no_open_objections(case: CaseFacts, action: ActionFacts) -> str | None:
    if case.open_objections:
        return f"{case.open_objections} objection(s) are still undecided"
    return None


def has_open_objection(case: CaseFacts, action: ActionFacts) -> str | None:
    return None if case.open_objections else "there is no undecided objection"


CONDITIONS: dict[str, Condition] = {
    f.__name__: f
    for f in (
        actor_in_case_district,
        findings_answered,
        recommended_by_experts,
        within_selection_limit,
        deadline_passed,
        no_open_objections,
        has_open_objection,
    )
}

assert tuple(CONDITIONS) == GUARDS, "every guard a pack may name is implemented here, no other"

# Conditions that ask only the case (not who acts, why, or a place obtained): an action whose
# case-only condition fails cannot be taken now by anyone, so it is not offered.
CASE_ONLY = (
    "recommended_by_experts",
    "deadline_passed",
    "no_open_objections",
    "has_open_objection",
)
