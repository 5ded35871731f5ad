"""Whether an action may come in at all, beyond what the state machine allows (engine rules):
it is judged at the business time it was sent, against the case as its actor saw it, and
within the budget of what the public and other systems may add to one case, so that no
sequence of accepted actions can grow a case past what it can carry."""

from __future__ import annotations

import datetime as dt

from lifecycle.domain import registry
from lifecycle.domain.case import Action, Case
from lifecycle.domain.days import SHANGHAI
from lifecycle.domain.refusal import Refusal
from lifecycle.domain.states import Role
from lifecycle.policies.schema import PolicyPack

EVENTS_PER_DAY = 200  # actions other systems send one case in a business day


def stale(case: Case, expected_seq: int | None) -> str | None:
    """An action decided on the case as it was at change #expected_seq, when it has changed."""
    if expected_seq is None or expected_seq == case.seq:
        return None
    last = case.last_change
    since = (
        f"its last change is #{last.seq} {last.action} by {last.actor} at "
        f"{last.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
        if last is not None and last.seq == case.seq
        else f"its last change is #{case.seq}"
    )
    return Refusal(
        f"the case changed since it was read at #{expected_seq}: {since}; read it again "
        "('lifecycle case show') and decide on it as it is now."
    )


def refusal(case: Case, pack: PolicyPack, action: Action, sent: dt.datetime) -> str | None:
    """Why the action may not come in, in one sentence; None when it may."""
    return late(case, pack, action, sent) or _over_budget(case, pack, action, sent)


def late(case: Case, pack: PolicyPack, action: Action, sent: dt.datetime) -> str | None:
    """The public acts only while a window of the case's state is open, at the time it sent
    the action: an objection sent after the notice closed is refused even if no worker was
    there to close it (engine rule: the public may only object during the public notice)."""
    if action.actor.role != Role.PUBLIC:
        return None
    for window in (d for d in case.running() if d.rule == "window"):
        if sent >= window.closes_at:
            return Refusal(
                f"'{action.trigger}' refused: the {window.label or window.name} closed at "
                f"{window.date} 24:00 (Asia/Shanghai), before this was sent "
                f"({sent.astimezone(SHANGHAI):%Y-%m-%d %H:%M}) ({pack.id} {window.clause}).",
                f"{pack.id} {window.clause}",
            )
    return None


def _over_budget(case: Case, pack: PolicyPack, action: Action, sent: dt.datetime) -> str | None:
    handler = registry.handler(action.trigger)
    problem = handler.budget(case, pack, action) if handler and handler.budget else None
    if problem:
        return Refusal(f"'{action.trigger}' refused: {problem}")
    if action.event_id and not action.event_id.startswith("request:"):
        day = sent.astimezone(SHANGHAI).date()
        if case.events_day == day and case.events_today >= EVENTS_PER_DAY:
            return Refusal(
                f"'{action.trigger}' refused: the case has taken {case.events_today} events from "
                f"other systems on {day}, the most it takes in a day (engine rule); send the "
                "rest the next day."
            )
    return None
