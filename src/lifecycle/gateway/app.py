"""The HTTP gateway: what the ``lifecycle case`` commands do, for staff, providers, the public and
other systems, each known by a token or an API key (never by what a request says of itself).

Errors are JSON ``{"error": one sentence, "clause": …}`` with 400 bad input, 401 not
authenticated, 403 not allowed, 404 no such case, 409 refused by the rules or a duplicate, 413 a
body over 1 MiB, 503 Temporal, the store or the sign-in keys unavailable."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.api.common.v1 import Payloads
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from lifecycle import logs
from lifecycle.cases import CaseService, checked_case_id, policy_of
from lifecycle.cli_render import case_json, entry_json
from lifecycle.clock import BusinessClock
from lifecycle.config import Settings, UserError
from lifecycle.contracts import ActRequest, ExternalEvent
from lifecycle.domain.actors import Actor, ActorError
from lifecycle.domain.application import Application, input_problem
from lifecycle.domain.states import Role
from lifecycle.gateway.auth import (
    ACT,
    CODEC,
    EVENTS,
    READ,
    Authenticator,
    AuthError,
    OidcSettings,
    Principal,
)
from lifecycle.gateway.signatures import SignatureError, check
from lifecycle.policies import REGISTRY, PolicyPack
from lifecycle.publish import documents
from lifecycle.store.repo import Store
from lifecycle.temporal.codec import EncryptionCodec

log = logs.get_logger("lifecycle.gateway")

MAX_BODY = 1024 * 1024
_CLAUSE = re.compile(r"\(([^()]*(?:§|engine rule|第)[^()]*)\)\.?$")


class ApiError(Exception):
    def __init__(self, status: int, message: str, clause: str | None = None) -> None:
        super().__init__(message)
        self.status, self.clause = status, clause


def _body(message: str, clause: str | None = None) -> dict[str, Any]:
    if clause is None:
        found = _CLAUSE.search(message)
        clause = found.group(1) if found else "engine rule"
    return {"error": message, "clause": clause}


def user_error(exc: UserError, bad_input: bool = False) -> ApiError:
    message = str(exc)
    if message.startswith("There is no case"):
        return ApiError(404, message)
    if exc.exit_code in (1, 3):
        return ApiError(503, message)
    return ApiError(400 if bad_input else 409, message)


class BodyLimit:
    """Refuses a body over ``limit`` bytes with 413, whether or not it says its length."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_big = JSONResponse(
            _body(f"The request body is over {self.limit // 1024} KiB, the limit (engine rule)."),
            status_code=413,
        )
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await too_big(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooBig
            return message

        try:
            await self.app(scope, counted, send)
        except _TooBig:
            await too_big(scope, receive, send)


class _TooBig(Exception):
    pass


# --- request bodies ------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


# --- the gateway ---------------------------------------------------------------------------


@dataclass
class Gateway:
    settings: Settings
    store: Store
    codec: EncryptionCodec
    connect: Callable[[], Awaitable[Client]]
    oidc: OidcSettings | None = None
    ui_origins: tuple[str, ...] = ()
    trust_loopback_ui: bool = False
    now: Callable[[], float] = time.time
    _client: Client | None = None
    _clock: BusinessClock | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.auth = Authenticator(self.store.keys, self.oidc)

    async def client(self) -> Client:
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await self.connect()
                except UserError as exc:
                    raise ApiError(503, str(exc)) from None
            return self._client

    def clock(self) -> BusinessClock:
        if self._clock is None:
            from lifecycle.cli_cases import system_clock

            self._clock = system_clock(self.settings, self.store)
        return self._clock

    async def cases(self) -> CaseService:
        return CaseService(
            await self.client(), self.store, self.clock(), act_timeout=self.settings.act_timeout
        )


async def principal(request: Request) -> Principal:
    """The caller, from its token or API key (the JWKS fetch blocks: off the event loop)."""
    gateway: Gateway = request.app.state.gateway
    header = request.headers.get("authorization")
    return await asyncio.to_thread(gateway.auth.principal, header)


Who = Annotated[Principal, Depends(principal)]


def _already(event_id: str, case_id: str) -> JSONResponse:
    """A re-sent event: answered as received before, and not applied again."""
    return JSONResponse({"status": "already received", "event_id": event_id, "case_id": case_id})


def _pack(policy: str) -> PolicyPack:
    try:
        return REGISTRY.get(REGISTRY.current(policy))
    except (KeyError, UserError, ValueError):
        known = ", ".join(REGISTRY.ids())
        raise ApiError(404, f"policy '{policy[:40]}' is not a programme here ({known}).") from None


def create_app(gateway: Gateway) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI):  # type: ignore[no-untyped-def]
        REGISTRY.load()
        yield

    app = FastAPI(
        title="lifecycle gateway",
        description="Cases of the bureau's selected service providers: apply, act, read; "
        "events from other systems; the published directory; the Web UI's codec.",
        version="1",
        lifespan=lifespan,
    )
    app.state.gateway = gateway

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(_body(str(exc), exc.clause), status_code=exc.status)

    @app.exception_handler(AuthError)
    async def auth_error(_: Request, exc: AuthError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(_body(str(exc), exc.clause), exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_input(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"] if p != "body") or "the body"
        value = err.get("input")
        shown = json.dumps(value, ensure_ascii=False, default=str)[:60] if value else None
        got = f" is {shown}" if shown and err["type"] != "missing" else ""
        message = f"{where}{got}: {err['msg'].rstrip('.')} (engine rule)."
        return JSONResponse(_body(message, "engine rule"), status_code=400)

    @app.exception_handler(SQLAlchemyError)
    async def store_down(_: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.warning("store unavailable", error=type(exc).__name__)
        return JSONResponse(
            _body("The store (database) is unavailable; try again when it is back."), 503
        )

    @app.exception_handler(RPCError)
    async def temporal_down(_: Request, exc: RPCError) -> JSONResponse:
        log.warning("temporal unavailable", status=str(exc.status))
        return JSONResponse(
            _body(f"Temporal did not answer ({exc.status.name if exc.status else 'error'})."), 503
        )

    def may(who: Principal, scope: str, what: str) -> None:
        if not who.may(scope):
            raise AuthError(f"{who.actor} may not {what}.", status=403)

    def reader(who: Principal, case_id: str) -> None:
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
            raise AuthError(f"A {who.role.value} may not read cases.", 403)

    def acting(who: Principal, case_id: str, action: str, named: str | None) -> None:
        may(who, ACT, "act on cases")
        if named is not None and named != who.actor:
            raise AuthError(
                f"actor is '{named[:80]}', but this request is authenticated as {who.actor}; a "
                "request acts only as its own caller (engine rule).",
                403,
            )
        pack = _pack(policy_of(case_id))
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
                f"a {who.role.value} may not '{action}'; only {', '.join(sorted(roles))} may.",
                403,
                f"{pack.id} {rule.clause}",
            )
        if who.role == Role.PROVIDER:
            row = gateway.store.case(case_id)
            if row is not None and row.credit_code != who.credit_code:
                raise AuthError(f"{who.actor} may act only on its own case (engine rule).", 403)

    def case_id_of(text: str) -> str:
        try:
            return checked_case_id(text)
        except UserError as exc:
            raise ApiError(400, str(exc)) from None

    async def run(work: Awaitable[Any], bad_input: bool = False) -> Any:
        try:
            return await work
        except UserError as exc:
            raise user_error(exc, bad_input) from None

    @app.get("/health", tags=["system"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/cases", status_code=201, tags=["cases"])
    async def apply(body: ApplyBody, who: Who) -> dict[str, str]:
        """Apply to a programme: a provider for itself, or a bureau officer on its behalf."""
        pack = _pack(body.policy)
        try:
            app_ = Application.model_validate(body.application)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in ("application", *err["loc"]))
            raise ApiError(400, f"{where}: {err['msg'].rstrip('.')} (engine rule).") from None
        problem = input_problem(app_)
        if problem:
            raise ApiError(400, f"application: {problem}")
        if who.role == Role.PROVIDER:
            if app_.credit_code != who.credit_code:
                raise AuthError(
                    f"{who.actor} may apply only for itself; the application names "
                    f"{app_.credit_code}.",
                    403,
                )
        elif who.role != Role.BUREAU_OFFICER:
            raise AuthError(f"A {who.role.value} may not apply for a provider.", 403)
        may(who, ACT, "apply")
        service = await gateway.cases()
        case_id = await run(service.apply(pack.id, app_, body.round))
        return {"case_id": case_id}

    @app.get("/cases", tags=["cases"])
    async def list_cases(
        who: Who,
        state: str | None = None,
        policy: str | None = None,
        pending_decision: bool = False,
    ) -> list[dict[str, Any]]:
        may(who, READ, "read cases")
        if not (who.staff or who.role == Role.PROVIDER):
            raise AuthError(f"A {who.role.value} may not list cases.", 403)
        rows = gateway.store.cases(state=state, policy=policy, pending=pending_decision)
        if who.role == Role.PROVIDER:
            rows = [r for r in rows if r.credit_code == who.credit_code]
        if who.role == Role.DISTRICT_OFFICER:
            rows = [r for r in rows if r.district == who.district]
        return [
            {
                "case_id": r.case_id,
                "policy": r.policy,
                "round": r.round,
                "state": r.state,
                "credit_code": r.credit_code,
                "name": r.provider_name,
                "district": r.district,
                "next_deadline": r.next_deadline.isoformat() if r.next_deadline else None,
                "rules_version": r.rules_version,
                "pending_decision": r.pending_decision,
            }
            for r in rows
        ]

    @app.get("/cases/{case_id}", tags=["cases"])
    async def show(case_id: str, who: Who) -> dict[str, Any]:
        case_id = case_id_of(case_id)
        reader(who, case_id)
        service = await gateway.cases()
        view = await run(service.view(case_id))
        return case_json(view, gateway.store.audit(case_id), texts=who.staff)

    @app.get("/cases/{case_id}/history", tags=["cases"])
    async def history(case_id: str, who: Who) -> list[dict[str, Any]]:
        case_id = case_id_of(case_id)
        reader(who, case_id)
        rows = gateway.store.audit(case_id)
        if not rows:
            raise ApiError(404, f"There is no case '{case_id}'.")
        return [entry_json(r, texts=who.staff) for r in rows]

    @app.post("/cases/{case_id}/actions", tags=["cases"])
    async def act(case_id: str, body: ActBody, who: Who) -> dict[str, Any]:
        """Take an action on a case as the authenticated caller; refused actions change
        nothing (409)."""
        case_id = case_id_of(case_id)
        acting(who, case_id, body.action, body.actor)
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

    @app.post("/events", tags=["events"])
    async def event(request: Request, who: Who) -> JSONResponse:
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
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "the body"
            raise ApiError(400, f"{where}: {err['msg'].rstrip('.')} (engine rule).") from None
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
                f"Case {case_id} is not running (it is closed); the event is "
                "refused and kept nowhere.",
            )
        received = dt.datetime.now(dt.UTC)
        if not gateway.store.keys.receive(holder.name, sent.event_id, case_id, received):
            return _already(sent.event_id, case_id)
        try:
            service = await gateway.cases()
            await service.send_event(case_id, forwarded)
        except BaseException as exc:
            gateway.store.keys.forget(holder.name, sent.event_id)
            if isinstance(exc, UserError):
                raise user_error(exc) from None
            raise
        return JSONResponse(
            {"status": "received", "event_id": sent.event_id, "case_id": case_id},
            status_code=202,
        )

    @app.get("/directory/{policy}", tags=["public"])
    async def directory(policy: str) -> dict[str, Any]:
        """The published directory of a programme's listed providers: open to everyone."""
        pack = _pack(policy)
        docs = documents(gateway.store, pack, dt.datetime.now(dt.UTC))
        found = next(d for d in docs if d.kind == "directory")
        return found.model_dump(mode="json")

    # --- the Temporal Web UI's codec ---------------------------------------------------

    async def codec_caller(request: Request) -> None:
        if gateway.trust_loopback_ui and not request.headers.get("authorization"):
            host = request.client.host if request.client else ""
            origin = request.headers.get("origin", "")
            if host in ("127.0.0.1", "::1") and origin in gateway.ui_origins:
                return  # the embedded development set-up's own Web UI (engine rule)
        who = await principal(request)
        if not (who.staff and who.may(CODEC)):
            raise AuthError(f"{who.actor} may not decode case data; staff only.", 403)

    async def _codec(request: Request, decode: bool) -> JSONResponse:
        await codec_caller(request)
        try:
            payloads = json_format.Parse(await request.body(), Payloads())
        except json_format.ParseError as exc:
            raise ApiError(400, f"The body is not a Payloads JSON object ({exc}).") from None
        try:
            if decode:
                done = await gateway.codec.decode(payloads.payloads)
            else:
                done = await gateway.codec.encode(payloads.payloads)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        return JSONResponse(json.loads(json_format.MessageToJson(Payloads(payloads=done))))

    @app.post("/codec/decode", tags=["codec"])
    async def codec_decode(request: Request) -> JSONResponse:
        return await _codec(request, decode=True)

    @app.post("/codec/encode", tags=["codec"])
    async def codec_encode(request: Request) -> JSONResponse:
        return await _codec(request, decode=False)

    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(gateway.ui_origins),
        allow_methods=["POST", "OPTIONS"],
        allow_headers=["content-type", "x-namespace", "authorization"],
        allow_credentials=True,
    )
    app.add_middleware(BodyLimit)
    return app
