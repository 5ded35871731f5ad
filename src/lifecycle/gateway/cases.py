"""The routes for cases: apply, list, show, history, act; other systems' signed events; and
the published directory, open to everyone."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import Field, ValidationError
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from lifecycle.cases import policy_of
from lifecycle.cli_render import case_json, case_row_json, case_text, entry_json, history_lines
from lifecycle.contracts import ActRequest, ExternalEvent
from lifecycle.domain import invalid
from lifecycle.domain.actors import Actor, ActorError
from lifecycle.domain.application import Application, input_problem
from lifecycle.domain.phases.complaints import text_refusal
from lifecycle.domain.states import Role
from lifecycle.gateway.auth import ACT, EVENTS, READ, AuthError, Principal
from lifecycle.gateway.core import (
    ApiError,
    Gateway,
    Parts,
    Strict,
    Who,
    case_id_of,
    may,
    pack_of,
    run,
)
from lifecycle.gateway.signatures import SignatureError, check
from lifecycle.publish import documents

router = APIRouter()


class ApplyBody(Strict):
    policy: str = Field(description="the programme, e.g. qingdao-2024")
    round: str | None = Field(None, description="the call's round (default: the pack's)")
    application: dict[str, Any]


class ActBody(Strict):
    action: str
    reason: str = ""
    clause: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    expected_seq: int | None = None
    request_id: str | None = None
    actor: str | None = Field(
        None, description="may be left out; when given it must be the caller's own identity"
    )


class EventBody(Strict):
    event_id: str
    case_id: str
    action: str
    actor: str = Field(description="the party the event reports, ROLE:ID")
    reason: str = ""
    clause: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


def _already(event_id: str, case_id: str) -> JSONResponse:
    """A re-sent event: answered as received before, and not applied again."""
    return JSONResponse({"status": "already received", "event_id": event_id, "case_id": case_id})


def reader(gateway: Gateway, who: Principal, case_id: str) -> None:
    """Staff read every case (a district officer, their district's); a provider, its own."""
    may(who, READ, "read cases")
    row = gateway.store.case(case_id)
    if who.role == Role.PROVIDER:
        if row is None or row.credit_code != who.credit_code:
            raise AuthError(f"{who.actor} may read only its own case.", 403)
    elif who.role == Role.DISTRICT_OFFICER and row is not None:
        if row.district != who.district:
            raise AuthError(f"{who.actor} may read only cases of district {who.district}.", 403)
    elif not who.staff:
        raise AuthError(f"{who.role.a.capitalize()} may not read cases.", 403)


def acting(gateway: Gateway, who: Principal, case_id: str, action: str, named: str | None) -> None:
    may(who, ACT, "act on cases")
    if named is not None and named != who.actor:
        raise AuthError(
            f"actor is '{named[:80]}', but this request is authenticated as {who.actor}; a "
            "request acts only as its own caller (engine rule).",
            403,
        )
    pack = pack_of(policy_of(case_id))
    roles = {r for t in pack.transition(action) for r in t.roles}
    if not roles:
        known = ", ".join(
            dict.fromkeys(
                t.trigger
                for t in pack.transitions
                if Role.SYSTEM not in t.roles or len(t.roles) > 1
            )
        )
        raise ApiError(
            400, f"action '{action[:40]}' is not an action of {pack.id} (its actions: {known})."
        )
    if who.role not in roles:
        rule = pack.transition(action)[0]
        raise AuthError(
            f"{who.role.a} may not '{action}'; only {', '.join(sorted(roles))} may.",
            403,
            f"{pack.id} {rule.clause}",
        )
    if who.role == Role.PROVIDER:
        row = gateway.store.case(case_id)
        if row is not None and row.credit_code != who.credit_code:
            raise AuthError(f"{who.actor} may act only on its own case (engine rule).", 403)


@router.get("/health", tags=["system"])
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/cases", status_code=201, tags=["cases"])
async def apply(gateway: Parts, body: ApplyBody, who: Who) -> dict[str, str]:
    """Apply to a programme: a provider for itself, or a bureau officer on its behalf."""
    pack = pack_of(body.policy)
    try:
        app_ = Application.model_validate(body.application)
    except ValidationError as exc:
        raise ApiError(400, invalid.sentence(exc.errors()[0], "application")) from None
    problem = input_problem(app_)
    if problem:
        raise ApiError(400, f"application: {problem}")
    if who.role == Role.PROVIDER:
        if app_.credit_code != who.credit_code:
            raise AuthError(
                f"{who.actor} may apply only for itself; the application names {app_.credit_code}.",
                403,
            )
    elif who.role != Role.BUREAU_OFFICER:
        raise AuthError(f"{who.role.a.capitalize()} may not apply for a provider.", 403)
    may(who, ACT, "apply")
    service = await gateway.cases()
    case_id = await run(service.apply(pack.id, app_, body.round))
    return {"case_id": case_id}


@router.get("/cases", tags=["cases"])
async def list_cases(
    gateway: Parts,
    who: Who,
    state: str | None = None,
    policy: str | None = None,
    pending_decision: bool = False,
) -> list[dict[str, Any]]:
    may(who, READ, "read cases")
    if not (who.staff or who.role == Role.PROVIDER):
        raise AuthError(f"{who.role.a.capitalize()} may not list cases.", 403)
    rows = gateway.store.cases(state=state, policy=policy, pending=pending_decision)
    if who.role == Role.PROVIDER:
        rows = [r for r in rows if r.credit_code == who.credit_code]
    if who.role == Role.DISTRICT_OFFICER:
        rows = [r for r in rows if r.district == who.district]
    return [case_row_json(r) for r in rows]


def _texts(who: Principal, texts: bool) -> bool:
    """Complaint texts are an enterprise's business: shown to officers who ask, never others."""
    if not texts:
        return False
    refusal = text_refusal(who.role)
    if refusal:
        raise AuthError(f"texts: {refusal}", 403)
    return True


Format = Literal["json", "text"]


@router.get("/cases/{case_id}", tags=["cases"], response_model=None)
async def show(
    gateway: Parts, case_id: str, who: Who, texts: bool = False, format: Format = "json"
) -> dict[str, Any] | PlainTextResponse:
    """A case as it stands: state, rules, deadlines, findings, objections, what a listed
    provider recorded, the actions open now and its audit trail (``format=text``: as the
    command prints it; ``texts=true``: complaint texts, officers only)."""
    case_id = case_id_of(case_id)
    reader(gateway, who, case_id)
    shown = _texts(who, texts)
    service = await gateway.cases()
    view = await run(service.view(case_id))
    trail = gateway.store.audit(case_id)
    if format == "text":
        return PlainTextResponse(case_text(view, trail, shown))
    return case_json(view, trail, texts=shown)


@router.get("/cases/{case_id}/history", tags=["cases"], response_model=None)
async def history(
    gateway: Parts, case_id: str, who: Who, texts: bool = False, format: Format = "json"
) -> list[dict[str, Any]] | PlainTextResponse:
    """The audit trail of a case, from the store."""
    case_id = case_id_of(case_id)
    reader(gateway, who, case_id)
    shown = _texts(who, texts)
    rows = gateway.store.audit(case_id)
    if not rows:
        raise ApiError(404, f"There is no case '{case_id}'.")
    if format == "text":
        return PlainTextResponse("\n".join(history_lines(rows, shown)))
    return [entry_json(r, texts=shown) for r in rows]


@router.post("/cases/{case_id}/actions", tags=["cases"])
async def act(gateway: Parts, case_id: str, body: ActBody, who: Who) -> dict[str, Any]:
    """Take an action on a case as the authenticated caller; refused actions change
    nothing (409)."""
    case_id = case_id_of(case_id)
    acting(gateway, who, case_id, body.action, body.actor)
    request = ActRequest(
        action=body.action,
        actor=who.actor,
        reason=body.reason,
        clause=body.clause,
        data=body.data,
        expected_seq=body.expected_seq,
        request_id=body.request_id,
        assurance=who.assurance,  # type: ignore[arg-type]
    )
    problem = request.problem()
    if problem:
        raise ApiError(400, problem)
    service = await gateway.cases()
    if request.expected_seq is None:
        seq = await run(service.last_seq(case_id))
        request = request.model_copy(update={"expected_seq": seq})
    result = await run(service.act(case_id, request))
    return {
        "case_id": case_id,
        "state": result.state.value,
        "seq": result.seq,
        "duplicate": result.duplicate,
        "recorded": result.recorded,
    }


@router.post("/events", tags=["events"])
async def event(gateway: Parts, request: Request, who: Who) -> JSONResponse:
    """Another system's event, signed (webhook-id, webhook-timestamp, webhook-signature);
    applied once per system and event id."""
    may(who, EVENTS, "send events")
    body = await request.body()
    holder = gateway.store.keys.named(who.subject)
    if holder is None or who.assurance != "api-key":
        raise AuthError("Events are sent with a system's API key.", 403)
    headers = request.headers
    try:
        check(
            holder.signing_secret,
            headers.get("webhook-id"),
            headers.get("webhook-timestamp"),
            headers.get("webhook-signature"),
            body,
            gateway.now(),
        )
    except SignatureError as exc:
        raise AuthError(str(exc), 401) from None
    try:
        sent = EventBody.model_validate_json(body)
    except ValidationError as exc:
        raise ApiError(400, invalid.sentence(exc.errors()[0], "the event")) from None
    if sent.event_id != headers.get("webhook-id"):
        raise ApiError(400, "event_id must be the webhook-id the event is signed with.")
    case_id = case_id_of(sent.case_id)
    try:
        actor = Actor.parse(sent.actor)
    except ActorError as exc:
        raise ApiError(400, f"actor: {exc}") from None
    relays = {s.partition("=")[2] for s in holder.scope if s.startswith("relay=")}
    if actor.role.value not in relays:
        raise AuthError(
            f"{holder.name} may not send events as a {actor.role.value} (it relays "
            f"{', '.join(sorted(relays)) or 'no role'}).",
            403,
        )
    forwarded = ExternalEvent(
        event_id=f"{holder.name}:{sent.event_id}",
        action=sent.action,
        actor=sent.actor,
        reason=sent.reason,
        clause=sent.clause,
        data=sent.data,
        assurance="api-key",
    )
    problem = forwarded.problem()
    if problem:
        raise ApiError(400, problem)
    if gateway.store.keys.received(holder.name, sent.event_id):
        return _already(sent.event_id, case_id)
    client = await gateway.client()
    try:
        described = await client.get_workflow_handle(case_id).describe()
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        raise ApiError(
            409, f"There is no running case '{case_id}'; the event is refused and kept nowhere."
        ) from None
    if described.status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING:
        raise ApiError(
            409,
            f"Case {case_id} is not running (it is closed); the event is refused and kept nowhere.",
        )
    # Handed to the case first, the receipt taken after: a gateway stopped in between leaves
    # no receipt, so the sender's retry is handed over again, and the case (which applies an
    # event id once) applies it once.
    service = await gateway.cases()
    await run(service.send_event(case_id, forwarded))
    if not gateway.store.keys.receive(holder.name, sent.event_id, case_id, dt.datetime.now(dt.UTC)):
        return _already(sent.event_id, case_id)
    return JSONResponse(
        {"status": "received", "event_id": sent.event_id, "case_id": case_id},
        status_code=202,
    )


@router.get("/directory/{policy}", tags=["public"])
async def directory(gateway: Parts, policy: str) -> dict[str, Any]:
    """The published directory of a programme's listed providers: open to everyone."""
    pack = pack_of(policy)
    docs = documents(gateway.store, pack, dt.datetime.now(dt.UTC))
    found = next(d for d in docs if d.kind == "directory")
    return found.model_dump(mode="json")
