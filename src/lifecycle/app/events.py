"""Other systems' events, received once: a system sends what a party it relays did (a provider,
an enterprise), signed as the Standard Webhooks scheme defines (checked with the scheme's own
library); the event reaches the running case as a Signal, and a receipt is taken after it was
handed over, so a sender's retry is answered as received and applied once."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from lifecycle.app.cases import cases, checked_case_id
from lifecycle.app.failures import unavailable
from lifecycle.app.identity import Principal
from lifecycle.app.inputs import actor
from lifecycle.app.system import System
from lifecycle.contracts import ExternalEvent
from lifecycle.errors import Invalid, NotAllowed, Refused, Unauthenticated, Unavailable
from lifecycle.store.keys import KeyHolder

HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
T = TypeVar("T")
TOLERANCE = 300  # seconds a signature is good for either side of the gateway's clock


def bound(name: str) -> str:
    """What a key holder's sealed signing secret is bound to (it opens for that holder only)."""
    return f"api-key:{name}"


def verify(system: System, holder: KeyHolder, body: bytes, headers: Mapping[str, str]) -> None:
    """The event's Standard Webhooks signature, checked against the holder's secret (and its
    previous one while that one's grace lasts); one sentence when it does not hold."""
    if not all(headers.get(h) for h in HEADERS):
        raise Unauthenticated(
            "An event must carry the headers webhook-id, webhook-timestamp and "
            "webhook-signature (engine rule)."
        )
    stamp = headers["webhook-timestamp"]
    if not stamp.isdigit():
        raise Unauthenticated(
            f"webhook-timestamp is '{stamp[:40]}'; it must be whole seconds since 1970."
        )
    if abs(time.time() - int(stamp)) > TOLERANCE:
        raise Unauthenticated(
            f"webhook-timestamp {stamp} is more than {TOLERANCE // 60} minutes from the "
            "gateway's clock; a signed event is good for 5 minutes (engine rule)."
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("The event's body is not UTF-8 text.") from None
    for hook in _hooks(system, holder):
        try:
            hook.verify(text, dict(headers), json_parse=False)
            return
        except (WebhookVerificationError, ValueError):
            continue
    raise Unauthenticated(
        "webhook-signature does not match the body and timestamp for this system's signing "
        "secret (engine rule)."
    )


def _hooks(system: System, holder: KeyHolder) -> list[Webhook]:
    """The holder's secrets as the scheme's verifiers: a secret made as the scheme makes them
    (``whsec_`` and the base64 of its key), or one issued before, whose whole text is the key."""
    ring = system.codec.ring
    held = [(holder.signing_secret, holder.secret_scheme)]
    if holder.previous_secret and holder.previous_until and holder.previous_until > _now():
        held.append((holder.previous_secret, holder.previous_scheme or "legacy"))
    hooks = []
    for sealed, scheme in held:
        secret = ring.open_text(sealed, bound(holder.name))
        hooks.append(Webhook(secret) if scheme == "standard" else Webhook(secret.encode()))
    return hooks


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Received:
    event_id: str
    case_id: str
    again: bool  # received before: answered as then, not applied again
    receipt: bool = True  # False: taken while the store could not be used (the case dedupes)


def sender(who: Principal) -> KeyHolder:
    """The system sending an event, by its API key (events come from systems only), as the
    gateway checked it: in the store, or lately while the store cannot be used."""
    if who.holder is None or who.assurance != "api-key":
        raise NotAllowed("Events are sent with a system's API key.")
    return who.holder


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
    if _stored(lambda: keys.received(holder.name, event_id)):
        return Received(event_id, case_id, again=True)
    await _running(system, case_id)
    # Handed to the case first, the receipt taken after: a gateway stopped in between leaves
    # no receipt, so the sender's retry is handed over again, and the case (which applies an
    # event id once) applies it once. While the store cannot be used no receipt is taken, and
    # the case alone keeps the event from being applied twice.
    await (await cases(system)).send_event(case_id, forwarded)
    first = _stored(lambda: keys.receive(holder.name, event_id, case_id, dt.datetime.now(dt.UTC)))
    return Received(event_id, case_id, again=first is False, receipt=first is not None)


def _stored(ask: Callable[[], T]) -> T | None:
    """What the store answers, or None while it cannot be used."""
    try:
        return ask()
    except Exception as exc:
        if unavailable(exc) is None:
            raise
        return None


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
