"""The words the engine gives people at run time, by kind: the states, roles and kinds of work,
every action of the programmes this system holds, the fields their forms take and the grades
their rubrics give. A face that translates them (the console's catalogues) asks here."""

from __future__ import annotations

from lifecycle.app import rules
from lifecycle.domain.case import Case
from lifecycle.domain.phases.forms import FORMS
from lifecycle.domain.states import CaseState, Role
from lifecycle.domain.work import KINDS

ENGINE_ACTIONS = ("apply", "move_rules")
# How an actor was known (engine rule).
ASSURANCES = ("oidc", "api-key", "public-form", "asserted", "engine")
# What a partner, a training filing and an evaluation round may be (engine rule).
STATUSES = (
    "applied", "approved", "in_notice", "objected", "published",
    "filed", "reviewed", "accepted", "refused",
    "open", "closing", "closed",
)  # fmt: skip


def vocabulary() -> dict[str, list[str]]:
    packs = [rules.pack(policy) for policy in rules.ids()]
    actions = {t.trigger for p in packs for t in p.transitions} | set(ENGINE_ACTIONS)
    fields: set[str] = set()
    values: set[str] = set()
    for pack in packs:
        case = Case(
            case_id=f"case:{pack.id}:r:x", policy=pack.id, round="r", credit_code="x", name="x",
            district="x", state=CaseState.LISTED,
        )  # fmt: skip
        for trigger in FORMS:
            for f in FORMS[trigger](case, pack):
                fields.add(f.label)
                values.update(c.label for c in f.choices if c.label == str(c.value))
    grades = {g.grade for p in packs if p.evaluation.rubric for g in p.evaluation.rubric.grades}
    return {
        "state": [s.value for s in CaseState],
        "role": [r.value for r in Role],
        "kind": list(KINDS),
        "action": sorted(actions),
        "field": sorted(fields),
        "grade": sorted(grades),
        "choice": sorted(values),
        "status": sorted({*STATUSES}),
        "assurance": list(ASSURANCES),
    }
