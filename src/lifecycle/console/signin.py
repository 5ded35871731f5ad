"""Signing in and out: with the bureau's OpenID Connect provider (authorization code flow with
PKCE, by Authlib), with an API key typed into the form, or, in the embedded set-up, once with
the link ``make run`` prints. A session keeps who signed in, never the token or the key."""

from __future__ import annotations

import asyncio
import warnings
from typing import Annotated, Any

from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():
    # Authlib 1.9 prefers the httpx2 package and says so once; httpx (pinned) serves it alike.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.base_client.errors import OAuthError
    from authlib.integrations.starlette_client import OAuth
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from lifecycle.app import LifecycleError, NotAllowed, Unauthenticated, Unavailable
from lifecycle.app.identity import Principal, token_expiry
from lifecycle.app.sessions import demo_officer, expiry, kept
from lifecycle.console.core import (
    check_csrf,
    console_of,
    language,
    render,
    safe_next,
    who_of,
)
from lifecycle.console.i18n import LANGUAGES

router = APIRouter()
PROVIDER = "bureau"


def _oauth(request: Request) -> Any:
    """The bureau's provider as Authlib's client (made once per console)."""
    console = console_of(request)
    client = console.oauth
    if client is None and console.sign_in is not None:
        oauth = OAuth()
        oauth.register(
            PROVIDER,
            client_id=console.sign_in.client_id,
            client_secret=console.sign_in.client_secret,
            server_metadata_url=console.sign_in.metadata_url,
            client_kwargs={"scope": "openid profile", "code_challenge_method": "S256"},
        )
        client = oauth.create_client(PROVIDER)
        console.oauth = client
    return client


def _signed_in(request: Request, who: Principal, until: float) -> None:
    request.session.clear()
    request.session["who"] = kept(who, until)
    request.session["lang"] = language(request)


@router.get("/sign-in", name="sign_in")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    who = who_of(request)
    if who is not None:
        return RedirectResponse(safe_next(request, next), status_code=303)
    console = console_of(request)
    return render(request, "signin.html", next=next or "", oidc=console.sign_in is not None)


@router.post("/sign-in")
async def sign_in_with_key(
    request: Request,
    key: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    console = console_of(request)
    check_csrf(request, csrf)
    try:
        if not key.strip():
            raise Unauthenticated("The API key is empty; type the key you were given.")
        who = await asyncio.to_thread(console.auth.principal, f"Bearer {key.strip()}")
        if who.holder is None:
            raise Unauthenticated("Sign in with an API key here, or with the bureau's sign-in.")
        if who.role.value == "system":
            raise NotAllowed("A system's key sends events; it does not sign in to the console.")
    except LifecycleError as exc:
        status = 503 if isinstance(exc, Unavailable) else 401
        return render(
            request, "signin.html", status=status, next=next, error=exc.message,
            oidc=console.sign_in is not None,
        )  # fmt: skip
    _signed_in(request, who, expiry(console.hours))
    return RedirectResponse(safe_next(request, next), status_code=303)


@router.get("/sign-in/oidc")
async def sign_in_with_provider(request: Request, next: str | None = None) -> Response:
    client = _oauth(request)
    if client is None:
        raise NotAllowed("This console has no OpenID Connect sign-in (LIFECYCLE_OIDC_CLIENT_ID).")
    request.session["next"] = safe_next(request, next)
    callback = str(request.url_for("signed_in"))
    try:
        return await client.authorize_redirect(request, callback)  # type: ignore[no-any-return]
    except Exception as exc:  # the provider's metadata cannot be fetched
        raise Unavailable(
            f"The bureau's sign-in cannot be reached now ({type(exc).__name__})."
        ) from exc


@router.get("/sign-in/callback", name="signed_in")
async def signed_in(request: Request) -> Response:
    console = console_of(request)
    client = _oauth(request)
    if client is None:
        raise NotAllowed("This console has no OpenID Connect sign-in (LIFECYCLE_OIDC_CLIENT_ID).")
    try:
        token = await client.authorize_access_token(request)
    except OAuthError as exc:
        raise Unauthenticated(f"The bureau's sign-in did not sign you in: {exc.error}.") from None
    access = token.get("access_token")
    if not isinstance(access, str):
        raise Unauthenticated("The bureau's sign-in gave no access token.")
    who = await asyncio.to_thread(console.auth.principal, f"Bearer {access}")
    back = request.session.get("next")
    _signed_in(request, who, expiry(console.hours, token_expiry(access)))
    return RedirectResponse(safe_next(request, back), status_code=303)


@router.get("/sign-in/once/{token}")
async def sign_in_once(request: Request, token: str) -> Response:
    """The embedded set-up's one-time link: signs in as the demonstration officer, once."""
    console = console_of(request)
    if console.once is None or not console.once.take(token):
        raise Unauthenticated(
            "This sign-in link is not valid or was used already; it works once, for the run "
            "of 'make run' that printed it."
        )
    who = await asyncio.to_thread(demo_officer, console.system)
    _signed_in(request, who, expiry(console.hours))
    return RedirectResponse(safe_next(request, None), status_code=303)


@router.post("/sign-out")
async def sign_out(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    lang = language(request)
    request.session.clear()
    request.session["lang"] = lang
    base = request.scope.get("root_path", "")
    return RedirectResponse(f"{base}/sign-in", status_code=303)


@router.get("/language/{lang}")
async def choose_language(request: Request, lang: str, next: str | None = None) -> Response:
    if lang in LANGUAGES:
        request.session["lang"] = lang
    return RedirectResponse(safe_next(request, next), status_code=303)
