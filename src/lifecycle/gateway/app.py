"""The HTTP gateway: what the ``lifecycle case`` commands do, for staff, providers, the public and
other systems, each known by a token or an API key (never by what a request says of itself).

Errors are JSON ``{"error": one sentence, "clause": …}``, their status from the kind of error
(``lifecycle.app.statuses``, once for every face over HTTP): 400 bad input, 401 not authenticated, 403 not allowed, 404 no such
case, round or programme, 409 refused by the rules or a duplicate, 413 a body over 1 MiB, 503
Temporal, the store or the sign-in keys unavailable (or settings that do not fit), 504 no
answer in time (what was sent may still be applied)."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lifecycle import logs
from lifecycle.app import LifecycleError, Unauthenticated, Unavailable
from lifecycle.app.failures import unavailable
from lifecycle.app.inputs import sentence
from lifecycle.app.keys import seal_stored
from lifecycle.app.rules import load_all
from lifecycle.app.statuses import status_of
from lifecycle.gateway import cases, codec, programmes, rounds
from lifecycle.gateway.core import Gateway, body_of

log = logs.get_logger("lifecycle.gateway")

MAX_BODY = 1024 * 1024


class BodyLimit:
    """Refuses a body over ``limit`` bytes with 413, however it is sent (with its length, or in
    chunks without one): the body is read whole, up to the limit, before the routes see it."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = JSONResponse(
            body_of(f"The request body is over {self.limit // 1024} KiB, the limit (engine rule)."),
            status_code=413,
        )
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await too_big(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await too_big(scope, receive, send)
                return
            more = message.get("more_body", False)
        whole: list[Message] = [{"type": "http.request", "body": b"".join(chunks)}]

        async def replay() -> Message:
            return whole.pop() if whole else await receive()

        await self.app(scope, replay, send)


def create_app(gateway: Gateway) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI):  # type: ignore[no-untyped-def]
        load_all()
        sealed = seal_stored(gateway.system)
        if sealed:
            log.info("signing secrets sealed", holders=sealed)
        yield

    app = FastAPI(
        title="lifecycle gateway",
        description="Cases of the bureau's selected service providers: apply, act, read; "
        "events from other systems; the published directory; the Web UI's codec.",
        version="1",
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    app.include_router(cases.router)
    app.include_router(rounds.router)
    app.include_router(programmes.router)
    app.include_router(codec.router)

    @app.exception_handler(LifecycleError)
    async def refused(_: Request, exc: LifecycleError) -> JSONResponse:
        status = status_of(exc)
        if isinstance(exc, Unavailable):
            log.warning("unavailable", error=type(exc.__cause__ or exc).__name__)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
        return JSONResponse(body_of(exc.message, exc.clause), status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def framework(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """What the framework refuses (no such route, a method a route does not take, a body it
        cannot read) in the same one sentence as every other error."""
        where = f"{request.method} {request.url.path}"
        said = {
            404: f"There is no route {where}; the routes are listed at /docs.",
            405: f"{request.method} is not a method of {request.url.path}; /docs lists each "
            "route's methods.",
            400: "The body cannot be read: it must be a JSON object in UTF-8, not nested "
            "deeper than a person would write (engine rule).",
        }.get(exc.status_code, f"The request was refused ({exc.status_code}): {exc.detail}.")
        return JSONResponse(body_of(said), exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_input(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = dict(exc.errors()[0])
        place = [str(p) for p in err.get("loc", ())]
        what = {"body": "the body", "query": "the query", "path": "the path"}.get(
            place[0] if place else "", "the request"
        )
        err["loc"] = place[1:]
        return JSONResponse(body_of(sentence(err, what)), 400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        outage = unavailable(exc)
        if outage is not None:
            return await refused(request, outage)
        log.error("unexpected error", error=type(exc).__name__, detail=str(exc)[:200])
        return JSONResponse(
            body_of(
                f"The gateway stopped on an unexpected {type(exc).__name__}; nothing more was "
                "done, and its log has the details."
            ),
            status_code=500,
        )

    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(gateway.ui_origins),
        allow_methods=["POST", "OPTIONS"],
        allow_headers=["content-type", "x-namespace", "authorization"],
        allow_credentials=True,
    )
    app.add_middleware(BodyLimit)
    return app
