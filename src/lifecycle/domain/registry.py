"""One registry from an action (trigger) to what it checks, what it needs and what it does.

A phase module registers a handler per action it gives meaning to; a pack's transitions name the
actions and the pack's sections hold their numbers. An action with no handler is a plain
transition: the machine moves and an audit entry records who, why and the clause. A new action
is a new handler plus pack data; nothing here or in the engine names an action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lifecycle.domain.case import Action, Case
    from lifecycle.domain.plan import Plan, ReservationRequest
    from lifecycle.policies.schema import PolicyPack, Transition

Check = Callable[["Case", "PolicyPack", "Action"], "str | None"]
Effect = Callable[["Case", "PolicyPack", "Action"], "dict[str, Any]"]
Needs = Callable[["Case", "PolicyPack", "Action"], "Plan"]
Reserver = Callable[["Case", "PolicyPack", "Transition"], "ReservationRequest | None"]
Available = Callable[["Case", "PolicyPack"], "str | None"]


@dataclass(frozen=True)
class Handler:
    """``check`` refuses what the rules do not allow (before and again after what the action
    needs was obtained, which ``action`` then carries); ``needs`` says what it needs from outside
    (counts, claims, places, bureau settings); ``budget`` refuses what would grow the case past
    what it carries (an engine rule, for new input only); ``effect`` changes the case and
    returns the data its audit row keeps; ``available`` says, from the case alone, why the action
    cannot be taken now by anyone with any data (nothing open for it to act on), so it is not
    offered."""

    trigger: str
    phase: str
    check: Check | None = None
    effect: Effect | None = None
    needs_reason: bool = False
    budget: Check | None = None
    needs: Needs | None = None
    available: Available | None = None


_HANDLERS: dict[str, Handler] = {}
_RESERVERS: dict[str, Reserver] = {}


def register(handler: Handler) -> Handler:
    if handler.trigger in _HANDLERS:
        raise ValueError(f"action '{handler.trigger}' already has a handler")
    _HANDLERS[handler.trigger] = handler
    return handler


def reserves(condition: str) -> Callable[[Reserver], Reserver]:
    """Marks a guard whose limit is shared by many cases: before deciding, the engine reserves
    what ``reserver`` asks for, atomically in the store, and the guard reads the outcome."""

    def put(reserver: Reserver) -> Reserver:
        _RESERVERS[condition] = reserver
        return reserver

    return put


def handler(trigger: str) -> Handler | None:
    return _HANDLERS.get(trigger)


def reserver(condition: str) -> Reserver | None:
    return _RESERVERS.get(condition)


def handlers() -> dict[str, Handler]:
    return dict(_HANDLERS)
