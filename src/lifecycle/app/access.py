"""Who may do what (engine rule): staff read every case, a district officer their district's, a
provider its own; an action is taken only by the roles its rule names, as the caller's own
identity; rounds, bans and the programme are the bureau's. Every face asks here, so the
gateway and the console refuse alike."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from lifecycle.app import rules
from lifecycle.app.identity import ACT, CODEC, EVENTS, READ, Principal
from lifecycle.config import Settings
from lifecycle.domain import evaluations
from lifecycle.domain.phases.complaints import text_refusal
from lifecycle.domain.states import Role
from lifecycle.errors import Invalid, NotAllowed

if TYPE_CHECKING:
    from lifecycle.app.cases import Whose

ASSERTED = "LIFECYCLE_ASSERTED_ACTORS"


def may(who: Principal, scope: str, what: str) -> None:
    if not who.may(scope):
        raise NotAllowed(f"{who.actor} may not {what}.")


def read_case(row: Whose | None, who: Principal, case_id: str) -> None:
    """Staff read every case (a district officer, their district's); a provider, its own.
    ``row``: whose case it is (``cases.whose``)."""
    may(who, READ, "read cases")
    if who.role == Role.PROVIDER:
        if row is None or row.credit_code != who.credit_code:
            raise NotAllowed(f"{who.actor} may read only its own case.")
    elif who.role == Role.DISTRICT_OFFICER and row is not None:
        if row.district != who.district:
            raise NotAllowed(f"{who.actor} may read only cases of district {who.district}.")
    elif not who.staff:
        raise NotAllowed(f"{who.role.a.capitalize()} may not read cases.")


def list_cases(who: Principal) -> dict[str, str | None]:
    """What a caller may list: every case for staff (a district officer, their district's), a
    provider its own; the filters that say so."""
    may(who, READ, "read cases")
    if not (who.staff or who.role == Role.PROVIDER):
        raise NotAllowed(f"{who.role.a.capitalize()} may not list cases.")
    return {
        "district": who.district if who.role == Role.DISTRICT_OFFICER else None,
        "credit_code": who.credit_code if who.role == Role.PROVIDER else None,
    }


def act(row: Whose | None, who: Principal, case_id: str, action: str, named: str | None) -> None:
    """The caller may take ``action`` on the case: as itself, in a role the rule names, on its
    own case when it is a provider."""
    may(who, ACT, "act on cases")
    if named is not None and named != who.actor:
        raise NotAllowed(
            f"actor is '{named[:80]}', but this request is authenticated as {who.actor}; a "
            "request acts only as its own caller (engine rule)."
        )
    pack = rules.pack(case_id.split(":")[1])
    roles = {r for t in pack.transition(action) for r in t.roles}
    if not roles:
        known = ", ".join(
            dict.fromkeys(
                t.trigger
                for t in pack.transitions
                if Role.SYSTEM not in t.roles or len(t.roles) > 1
            )
        )
        raise Invalid(
            f"action '{action[:40]}' is not an action of {pack.id} (its actions: {known})."
        )
    if who.role not in roles:
        rule = pack.transition(action)[0]
        raise NotAllowed(
            f"{who.role.a} may not '{action}'; only {', '.join(sorted(roles))} may.",
            f"{pack.id} {rule.clause}",
        )
    if who.role == Role.PROVIDER and row is not None and row.credit_code != who.credit_code:
        raise NotAllowed(f"{who.actor} may act only on its own case (engine rule).")


def apply_for(who: Principal, credit_code: str) -> None:
    """A provider applies for itself; a bureau officer on a provider's behalf."""
    if who.role == Role.PROVIDER:
        if credit_code != who.credit_code:
            raise NotAllowed(
                f"{who.actor} may apply only for itself; the application names {credit_code}."
            )
    elif who.role != Role.BUREAU_OFFICER:
        raise NotAllowed(f"{who.role.a.capitalize()} may not apply for a provider.")
    may(who, ACT, "apply")


def texts(who: Principal, wanted: bool) -> bool:
    """Complaint texts are an enterprise's business: shown to officers who ask, never others."""
    if not wanted:
        return False
    refusal = text_refusal(who.role)
    if refusal:
        raise NotAllowed(f"texts: {refusal}")
    return True


def texts_for(role: Role, said: str = "") -> None:
    """Complaint texts for a caller in ``role`` (``said``: how the caller named itself)."""
    refusal = text_refusal(role)
    if refusal:
        raise NotAllowed(f"{said}{refusal}")


def bureau(who: Principal, what: str) -> None:
    may(who, ACT, what)
    if who.role != Role.BUREAU_OFFICER:
        raise NotAllowed(f"Only a bureau_officer may {what}, not {who.role.a}.")


def round_officer(who: Principal, what: str) -> None:
    may(who, ACT, what)
    if who.role not in evaluations.CLOSED_BY:
        raise NotAllowed(f"A round is {what} by a bureau_officer, not {who.role.a}.")


def evaluator(who: Principal, round_id: str) -> None:
    may(who, ACT, "score")
    policy = round_id.split(":")[1] if round_id.count(":") >= 2 else ""
    if policy in rules.ids():
        allowed = evaluations.evaluators(rules.pack(policy))
        if who.role not in allowed:
            raise NotAllowed(
                f"{who.role.a.capitalize()} may not score; evaluators are "
                f"{', '.join(r.value for r in allowed)}."
            )


def staff(who: Principal, what: str) -> None:
    may(who, READ, f"read {what}")
    if not who.staff:
        raise NotAllowed(f"{who.role.a.capitalize()} may not read {what}.")


def notifications(who: Principal) -> str | None:
    """Staff read every reminder; a provider its own (the credit code it is limited to)."""
    may(who, READ, "read notifications")
    if not (who.staff or who.role == Role.PROVIDER):
        raise NotAllowed(f"{who.role.a.capitalize()} may not read notifications.")
    return who.credit_code if who.role == Role.PROVIDER else None


def rejected_events(who: Principal) -> None:
    if not (who.staff or who.may(EVENTS)):
        raise NotAllowed(f"{who.actor} may not read refused events.")


def move(who: Principal) -> None:
    may(who, ACT, "move cases")
    if who.role != Role.BUREAU_OFFICER:
        raise NotAllowed(f"{who.role.a.capitalize()} may not move a case to other rules.")


def decode(who: Principal) -> None:
    if not (who.staff and who.may(CODEC)):
        raise NotAllowed(f"{who.actor} may not decode case data; staff only.")


def events(who: Principal) -> None:
    may(who, EVENTS, "send events")
    if who.assurance != "api-key":
        raise NotAllowed("Events are sent with a system's API key.")


def asserted(settings: Settings) -> None:
    """A command that names its actor with --as and goes to Temporal directly is taken on its
    word: the embedded development set-up allows it; against a cluster only the bureau's own
    scripts may, with LIFECYCLE_ASSERTED_ACTORS=1 (their audit rows say 'asserted')."""
    if settings.embedded or os.environ.get(ASSERTED) == "1":
        return
    raise NotAllowed(
        f"--as is taken on its word only in the embedded development set-up; against "
        f"{settings.address} send commands through the gateway (set LIFECYCLE_API_URL and "
        f"LIFECYCLE_TOKEN), or set {ASSERTED}=1 for the bureau's own scripts (audited as "
        "asserted)."
    )
