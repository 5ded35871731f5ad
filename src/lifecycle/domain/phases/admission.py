"""Admission (application to listing): expert scores, the selection limits shared by a round,
objections during the public notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from lifecycle.domain import invalid, limits
from lifecycle.domain.case import Action, Case, ExpertReview, Objection
from lifecycle.domain.plan import ReservationRequest
from lifecycle.domain.registry import Handler, register, reserves
from lifecycle.policies.schema import PolicyPack, Transition

PHASE = "admission"


def _check_score(case: Case, pack: PolicyPack, action: Action) -> str | None:
    try:
        ExpertReview(by=str(action.actor), **action.data)
    except ValidationError as exc:
        return (
            f"'score' refused: {invalid.sentence(exc.errors()[0], '--data').rstrip('.')} "
            "(score 0–110, rank 1 or more, recommended true or false; engine rule)."
        )
    except TypeError:
        return (
            "'score' needs --data with score (0–110), rank (1 or more) and recommended "
            "(true or false) (engine rule)."
        )
    return None


def _score(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    case.expert_review = ExpertReview(by=str(action.actor), **action.data)
    return case.expert_review.model_dump(exclude={"by"})


def _objection_budget(case: Case, pack: PolicyPack, action: Action) -> str | None:
    """One undecided objection per objector, and at most so many to one notice (engine rule:
    what the public adds to a case is bounded)."""
    mine = next((o for o in case.objections if o.open and o.by == str(action.actor)), None)
    if mine is not None:
        return (
            f"{action.actor} already has an undecided objection (#{mine.id}) to this notice; "
            "one at a time until the bureau decides it (engine rule)."
        )
    if len(case.objections) >= limits.OBJECTIONS:
        return (
            f"the notice has taken {len(case.objections)} objections, the most one notice takes "
            "(engine rule); the bureau hears further ones outside the system."
        )
    return None


# What a member of the public may give with an objection (the console's public form): their
# name and how to reach them, kept with the objection in the audit trail (read by staff only).
OBJECTOR = ("name", "contact")


def _check_object(case: Case, pack: PolicyPack, action: Action) -> str | None:
    for key in OBJECTOR:
        if key in action.data:
            problem = limits.text(f"data {key}", action.data[key], limits.SHORT * 2)
            if problem or not str(action.data[key]).strip():
                return problem or f"data {key} is empty; leave it out or fill it in."
    return None


def _object(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
    objection = Objection(id=len(case.objections) + 1, by=str(action.actor), text=action.reason)
    case.objections.append(objection)
    given = {k: str(action.data[k]).strip() for k in OBJECTOR if k in action.data}
    return {"objection": objection.id, **given}


def _check_objection(case: Case, pack: PolicyPack, action: Action) -> str | None:
    wanted = action.data.get("objection")
    open_ids = [o.id for o in case.objections if o.status == "open"]
    if wanted is None and len(open_ids) > 1:
        listed = ", ".join(str(i) for i in open_ids)
        return (
            f"several objections are undecided ({listed}); name the one decided with "
            f"--data '{{\"objection\": {open_ids[0]}}}'."
        )
    if wanted is not None and wanted not in open_ids:
        listed = ", ".join(str(i) for i in open_ids) or "none"
        return (
            f"objection {limits.shorten(str(wanted))} is not an undecided objection of this case "
            f"(undecided: {listed})."
        )
    return None


def _decide_objection(status: str) -> Callable[[Case, PolicyPack, Action], dict[str, Any]]:
    def effect(case: Case, pack: PolicyPack, action: Action) -> dict[str, Any]:
        wanted = action.data.get("objection")
        objection = next(
            o for o in case.objections if o.status == "open" and wanted in (None, o.id)
        )
        objection.status, objection.decided_by = status, str(action.actor)  # type: ignore[assignment]
        # A decided objection keeps who, what became of it and its number; its text and the
        # decision's reason stay in the audit trail, so decided objections add little.
        objection.text, objection.decision = "", None
        return {"objection": objection.id}

    return effect


register(Handler("score", PHASE, check=_check_score, effect=_score))
register(
    Handler(
        "object",
        PHASE,
        check=_check_object,
        effect=_object,
        needs_reason=True,
        budget=_objection_budget,
    )
)
for _status, _trigger in (("dismissed", "dismiss_objection"), ("upheld", "uphold_objection")):
    register(
        Handler(
            _trigger,
            PHASE,
            check=_check_objection,
            effect=_decide_objection(_status),
            needs_reason=True,
        )
    )


@reserves("within_selection_limit")
def selection_slot(case: Case, pack: PolicyPack, rule: Transition) -> ReservationRequest | None:
    """One place per sector for the case's provider type, held from selection until the case
    ends (qingdao-2024 §一: at most N selected per sector and type)."""
    kind = next((t for t in pack.admission.provider_types if t.id == case.provider_type), None)
    if kind is None or kind.per_sector is None:
        return None
    pools = {
        f"{case.policy}:{case.round}:selection:{kind.id}:{sector}": (
            f"the {kind.id} selection in sector {sector}"
        )
        for sector in case.sectors
    }
    return ReservationRequest(
        holder=case.case_id,
        pools=pools,
        capacity=kind.per_sector[1],
        clause=f"{pack.id} {pack.admission.types_clause or rule.clause}",
    )
