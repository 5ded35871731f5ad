"""Other systems' events, received once: a system sends what a party it relays did (a provider,
an enterprise); the event reaches the running case as a Signal, and a receipt is taken after it
was handed over, so a sender's retry is answered as received and applied once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from lifecycle.app.cases import cases, checked_case_id
from lifecycle.app.identity import Principal
from lifecycle.app.inputs import actor
from lifecycle.app.system import System
from lifecycle.contracts import ExternalEvent
from lifecycle.errors import Invalid, NotAllowed, Refused, Unavailable
from lifecycle.store.keys import KeyHolder


@dataclass(frozen=True)
class Received:
    event_id: str
    case_id: str
    again: bool  # received before: answered as then, not applied again


def sender(system: System, who: Principal) -> KeyHolder:
    """The system sending an event, by its API key (events come from systems only)."""
    holder = system.store.keys.named(who.subject)
    if holder is None or who.assurance != "api-key":
        raise NotAllowed("Events are sent with a system's API key.")
    return holder


async def receive(
    system: System,
    holder: KeyHolder,
    event_id: str,
    case_id: str,
    action: str,
    party: str,
    reason: str = "",
    clause: str | None = None,
    data: dict[str, Any] | None = None,
) -> Received:
    case_id = checked_case_id(case_id)
    who = actor(party, "actor")
    relays = {s.partition("=")[2] for s in holder.scope if s.startswith("relay=")}
    if who.role.value not in relays:
        raise NotAllowed(
            f"{holder.name} may not send events as a {who.role.value} (it relays "
            f"{', '.join(sorted(relays)) or 'no role'})."
        )
    forwarded = ExternalEvent(
        event_id=f"{holder.name}:{event_id}",
        action=action,
        actor=party,
        reason=reason,
        clause=clause,
        data=data or {},
        assurance="api-key",
    )
    problem = forwarded.problem()
    if problem:
        raise Invalid(problem)
    keys = system.store.keys
    if keys.received(holder.name, event_id):
        return Received(event_id, case_id, again=True)
    await _running(system, case_id)
    # Handed to the case first, the receipt taken after: a gateway stopped in between leaves
    # no receipt, so the sender's retry is handed over again, and the case (which applies an
    # event id once) applies it once.
    await (await cases(system)).send_event(case_id, forwarded)
    first = keys.receive(holder.name, event_id, case_id, dt.datetime.now(dt.UTC))
    return Received(event_id, case_id, again=not first)


async def _running(system: System, case_id: str) -> None:
    client = await system.client()
    try:
        described = await client.get_workflow_handle(case_id).describe()
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise Unavailable(f"Temporal did not answer ({exc.status.name}).") from exc
        raise Refused(
            f"There is no running case '{case_id}'; the event is refused and kept nowhere."
        ) from None
    if described.status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING:
        raise Refused(
            f"Case {case_id} is not running (it is closed); the event is refused and kept nowhere."
        )
