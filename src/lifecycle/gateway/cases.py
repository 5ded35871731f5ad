"""The routes for cases: apply, list, show, history, act; other systems' signed events; and
the published directory, open to everyone."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import Field, ValidationError

from lifecycle.app import Invalid, access, records, rules
from lifecycle.app import cases as service
from lifecycle.app import events as intake
from lifecycle.app.cases import checked_case_id
from lifecycle.app.inputs import act_request, application, sentence, state
from lifecycle.app.publish import directory as published_directory
from lifecycle.app.views.cases import case_json, case_text, entry_json, history_lines
from lifecycle.gateway.core import Parts, Strict, Who

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


Format = Literal["json", "text"]


@router.get("/health", tags=["system"])
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/cases", status_code=201, tags=["cases"])
async def apply(gateway: Parts, body: ApplyBody, who: Who) -> dict[str, str]:
    """Apply to a programme: a provider for itself, or a bureau officer on its behalf."""
    pack = rules.pack(body.policy)
    app_ = application(body.application)
    access.apply_for(who, app_.credit_code)
    case_id = await service.apply(gateway.system, pack.id, app_, body.round)
    return {"case_id": case_id}


@router.get("/cases", tags=["cases"])
async def list_cases(
    gateway: Parts,
    who: Who,
    state_: Annotated[str | None, Query(alias="state")] = None,
    policy: str | None = None,
    pending_decision: bool = False,
) -> list[dict[str, Any]]:
    """Cases from the read model, one row a case (a district officer's district, a provider's
    own)."""
    mine = access.list_cases(who)
    return records.cases(
        gateway.system.store,
        state=state(state_),
        policy=policy,
        pending=pending_decision,
        **mine,
    )


@router.get("/cases/{case_id}", tags=["cases"], response_model=None)
async def show(
    gateway: Parts, case_id: str, who: Who, texts: bool = False, format: Format = "json"
) -> dict[str, Any] | PlainTextResponse:
    """A case as it stands: state, rules, deadlines, findings, objections, what a listed
    provider recorded, the actions open now (and who may take them) and its audit trail
    (``format=text``: as the command prints it; ``texts=true``: complaint texts, officers
    only)."""
    case_id = checked_case_id(case_id)
    access.read_case(await service.whose(gateway.system, case_id), who, case_id)
    shown = access.texts(who, texts)
    view, trail = await service.show(gateway.system, case_id)
    if format == "text":
        return PlainTextResponse(case_text(view, trail, shown))
    return case_json(view, trail, texts=shown)


@router.get("/cases/{case_id}/history", tags=["cases"], response_model=None)
async def history(
    gateway: Parts, case_id: str, who: Who, texts: bool = False, format: Format = "json"
) -> list[dict[str, Any]] | PlainTextResponse:
    """The audit trail of a case, from the store."""
    case_id = checked_case_id(case_id)
    access.read_case(await service.whose(gateway.system, case_id), who, case_id)
    shown = access.texts(who, texts)
    rows = records.history(gateway.system.store, case_id)
    if format == "text":
        return PlainTextResponse("\n".join(history_lines(rows, shown)))
    return [entry_json(r, texts=shown) for r in rows]


@router.post("/cases/{case_id}/actions", tags=["cases"])
async def act(gateway: Parts, case_id: str, body: ActBody, who: Who) -> dict[str, Any]:
    """Take an action on a case as the authenticated caller; refused actions change
    nothing (409)."""
    case_id = checked_case_id(case_id)
    access.act(await service.whose(gateway.system, case_id), who, case_id, body.action, body.actor)
    request = act_request(
        action=body.action,
        actor=who.actor,
        reason=body.reason,
        clause=body.clause,
        data=body.data,
        expected_seq=body.expected_seq,
        request_id=body.request_id,
        assurance=who.assurance,
    )
    result = await service.act(gateway.system, case_id, request)
    return {
        "case_id": case_id,
        "state": result.state.value,
        "seq": result.seq,
        "duplicate": result.duplicate,
        "recorded": result.recorded,
    }


@router.post("/events", tags=["events"])
async def event(gateway: Parts, request: Request, who: Who) -> JSONResponse:
    """Another system's event, signed as the Standard Webhooks scheme defines (webhook-id,
    webhook-timestamp, webhook-signature); applied once per system and event id."""
    access.events(who)
    body = await request.body()
    holder = intake.sender(who)
    headers = request.headers
    intake.verify(gateway.system, holder, body, headers)
    try:
        sent = EventBody.model_validate_json(body)
    except ValidationError as exc:
        raise Invalid(sentence(exc.errors()[0], "the event")) from None
    if sent.event_id != headers.get("webhook-id"):
        raise Invalid("event_id must be the webhook-id the event is signed with.")
    received = await intake.receive(
        gateway.system,
        holder,
        sent.event_id,
        sent.case_id,
        sent.action,
        sent.actor,
        sent.reason,
        sent.clause,
        sent.data,
    )
    answer = {
        "status": "already received" if received.again else "received",
        "event_id": received.event_id,
        "case_id": received.case_id,
    }
    if not received.receipt:
        answer["note"] = (
            "The store (database) cannot be used now: the case took the event and applies it "
            "once; its receipt is not kept, so a retry is handed to the case again."
        )
    return JSONResponse(answer, status_code=200 if received.again else 202)


@router.get("/directory/{policy}", tags=["public"])
async def directory(gateway: Parts, policy: str) -> dict[str, Any]:
    """The published directory of a programme's listed providers: open to everyone."""
    return published_directory(gateway.system, policy).model_dump(mode="json")
