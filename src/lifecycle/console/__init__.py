"""Face 3: the bureau console, web pages for the people the rules are about (officers,
evaluators, providers, the public), in Chinese with an English catalogue beside it. Served by
the gateway (same process, same port, same identities) under ``/console``; pages rendered on the
server (Jinja2), partial updates with htmx (vendored), no build step.

A page calls the application layer and nothing below it, like the command and the gateway;
refusals come back as the same typed errors and are shown in their one sentence with the
clause. Sessions are signed, HttpOnly, SameSite cookies that end; every form carries the
session's token; pages carry a strict Content-Security-Policy."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lifecycle import logs
from lifecycle.app import LifecycleError, NotFound, Unavailable
from lifecycle.app.failures import unavailable
from lifecycle.console import admin, cases, inbox, public, rounds, signin
from lifecycle.console.core import (
    HERE,
    Console,
    SignInFirst,
    back_to_sign_in,
    error_page,
    render,
    who_of,
)

log = logs.get_logger("lifecycle.console")

__all__ = ["Console", "create_console"]

# Scripts and styles from this console only (htmx is served from it), no inline script or
# style, forms sent to it only, never framed.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self' {sign_in}; frame-ancestors 'none'; "
    "base-uri 'none'"
)


class Headers:
    """Every answer of the console carries the policy above and is not kept by caches."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app, self.csp = app, csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                static = scope.get("path", "").startswith(f"{scope.get('root_path', '')}/static/")
                headers += [
                    (b"content-security-policy", self.csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"public, max-age=3600" if static else b"no-store"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_console(console: Console) -> FastAPI:
    app = FastAPI(title="lifecycle console", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = console
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (signin, inbox, cases, rounds, public, admin):
        app.include_router(module.router)

    @app.exception_handler(SignInFirst)
    async def sign_in_first(request: Request, exc: SignInFirst) -> Response:
        return back_to_sign_in(request, exc.back)

    @app.exception_handler(LifecycleError)
    async def refused(request: Request, exc: LifecycleError) -> HTMLResponse:
        if isinstance(exc, Unavailable):
            log.warning("unavailable", error=type(exc.__cause__ or exc).__name__)
        return error_page(request, exc, _quietly_who(request))

    @app.exception_handler(StarletteHTTPException)
    async def framework(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        if exc.status_code == 404:
            error: LifecycleError = NotFound(f"There is no page {request.url.path} here.")
        else:
            error = LifecycleError(f"The request was refused ({exc.status_code}): {exc.detail}.")
        page = error_page(request, error, _quietly_who(request))
        page.status_code = exc.status_code
        return page

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> HTMLResponse:
        outage = unavailable(exc)
        if outage is not None:
            return await refused(request, outage)
        log.error("unexpected error", error=type(exc).__name__, detail=str(exc)[:200])
        return render(
            request,
            "error.html",
            status=500,
            message=f"The console stopped on an unexpected {type(exc).__name__}; nothing more "
            "was done, and its log has the details.",
            clause=None,
        )

    sign_in_origin = ""
    if console.sign_in is not None:
        parts = urlsplit(console.sign_in.oidc.issuer)
        sign_in_origin = f"{parts.scheme}://{parts.netloc}"
    app.add_middleware(Headers, csp=CSP.format(sign_in=sign_in_origin).replace("  ", " "))
    app.add_middleware(
        SessionMiddleware,
        secret_key=console.secret,
        session_cookie="lifecycle_console",
        max_age=int(console.hours * 3600),
        path="/console",
        same_site="lax",
        https_only=console.secure,
    )
    return app


def _quietly_who(request: Request):  # type: ignore[no-untyped-def]
    try:
        return who_of(request)
    except Exception:  # an error page never fails on who is asking
        return None
