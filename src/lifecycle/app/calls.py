"""A call's rounds and their dates: the bureau opens a round (or changes its dates), and an
application names the round it answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle.domain import limits, rounds
from lifecycle.errors import Invalid, NotFound
from lifecycle.policies import PolicyPack
from lifecycle.policies.schema import Round
from lifecycle.store.repo import Store


def resolve_round(store: Store, pack: PolicyPack, name: str | None) -> tuple[str, Round]:
    """The round an application answers (the pack's own by default), with its dates."""
    name = name or pack.admission.default_round
    problem = limits.round_name("--round", name)
    if problem:
        raise Invalid(problem)
    row = store.round(pack.id, name)
    if row is not None:
        return name, Round(
            applications_close=row.applications_close,
            preliminary_review_due=row.preliminary_review_due,
            expert_review_due=row.expert_review_due,
        )
    found = pack.round(name)
    if found is None:
        known = ", ".join(sorted({*pack.admission.rounds, *store.call_rounds(pack.id)})) or "none"
        raise NotFound(
            f"--round is '{name}', not a round of {pack.id} (its rounds: {known}); the bureau "
            f"opens one with 'lifecycle round set {pack.id} {name}'."
        )
    return name, found


def set_call_round(
    store: Store, pack: PolicyPack, name: str, changes: dict[str, Any], today: dt.date
) -> None:
    """Opens a call's round, or changes the dates given (the others are kept)."""
    policy = pack.id
    named = limits.round_name("round", name) is None  # a bad name is refused below
    row = store.round(policy, name) if named else None
    current = pack.round(name) if row is None else resolve_round(store, pack, name)[1]
    try:
        merged = rounds.changed(name, current, changes, today)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    store.set_round(policy, name, **merged.model_dump())
