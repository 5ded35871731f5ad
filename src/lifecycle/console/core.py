"""What every page of the console shares: the system it shows, how people sign in, who the
session stands for, the forms' cross-site token, the pages' words and rendering, and how an
error becomes a page (or the sentence on the form it came from)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from lifecycle.app import (
    ENGINE_RULE,
    LifecycleError,
    NotAllowed,
)
from lifecycle.app.identity import Authenticator, OidcSettings, Principal
from lifecycle.app.sessions import OneTime, restored
from lifecycle.app.statuses import status_of
from lifecycle.app.system import System
from lifecycle.app.views.time import at, closes
from lifecycle.console import i18n

HERE = Path(__file__).parent


@dataclass(frozen=True)
class SignIn:
    """The bureau's OpenID Connect provider as the console signs people in with it
    (authorization code flow with PKCE): the gateway's settings, plus the console's client."""

    oidc: OidcSettings
    client_id: str
    client_secret: str | None
    metadata_url: str

    @classmethod
    def from_env(cls, oidc: OidcSettings | None) -> SignIn | None:
        client = os.environ.get("LIFECYCLE_OIDC_CLIENT_ID")
        if oidc is None or not client:
            return None
        metadata = os.environ.get("LIFECYCLE_OIDC_METADATA_URL") or (
            oidc.issuer.rstrip("/") + "/.well-known/openid-configuration"
        )
        return cls(oidc, client, os.environ.get("LIFECYCLE_OIDC_CLIENT_SECRET") or None, metadata)


@dataclass
class Console:
    """``once``: the one-time sign-in link of this run (the embedded set-up); ``web_ui``: the
    Temporal Web UI engineers inspect a case in; ``secure``: cookies only over HTTPS (behind
    the bureau's proxy); ``hours``: how long a session lasts."""

    system: System
    auth: Authenticator
    secret: str
    sign_in: SignIn | None = None
    once: OneTime | None = None
    web_ui: str | None = None
    secure: bool = False
    hours: float = 8.0
    namespace: str = "default"
    envs: dict[str, Environment] = field(default_factory=dict)
    oauth: Any = None  # the provider's client (Authlib), made when first asked

    def __post_init__(self) -> None:
        for language in i18n.LANGUAGES:
            env = Environment(
                loader=FileSystemLoader(HERE / "templates"),
                autoescape=select_autoescape(["html"]),
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
            env.globals.update(closes=closes, at=at, quote=quote, languages=i18n.LANGUAGES)
            env.filters["shanghai"] = shanghai
            self.envs[language] = env


def shanghai(value: Any) -> str:
    """An instant (or its ISO text) to the minute in Asia/Shanghai, as every page shows it."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return at(value)
    return str(value)


def console_of(request: Request) -> Console:
    return request.app.state.console  # type: ignore[no-any-return]


def language(request: Request) -> str:
    return i18n.chosen(request.session.get("lang"))


def csrf_token(request: Request) -> str:
    """The session's token every form carries back (made with the session)."""
    token = request.session.get("csrf")
    if isinstance(token, str):
        return token
    if request.headers.get("sec-fetch-site") == "cross-site":
        # A request another site made: no session is begun for it, so its answer cannot
        # replace (sign out) the person's own session cookie.
        return ""
    token = secrets.token_urlsafe(32)
    request.session["csrf"] = token
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    """A form sent from another site is refused: it must carry this session's token, and a
    browser that says where it came from must say this site."""
    held = request.session.get("csrf")
    site = request.headers.get("sec-fetch-site")
    if site == "cross-site" or not (
        isinstance(held, str) and sent and secrets.compare_digest(held, sent)
    ):
        raise NotAllowed(
            "This form was not sent from this console (its security token is missing or old); "
            "reload the page and send it again (engine rule)."
        )


def who_of(request: Request) -> Principal | None:
    """Who the session stands for (None: nobody signed in, or the session ended)."""
    console = console_of(request)
    held = request.session.get("who")
    if held is None:
        return None
    who = restored(console.system, held)
    if who is None:
        request.session.pop("who", None)
    return who


class SignInFirst(Exception):
    """A page that needs someone signed in, asked by nobody (or after the session ended)."""

    def __init__(self, back: str) -> None:
        self.back = back


def require(request: Request) -> Principal:
    who = who_of(request)
    if who is None:
        raise SignInFirst(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return who


def render(
    request: Request,
    template: str,
    status: int = 200,
    who: Principal | None = None,
    **context: Any,
) -> HTMLResponse:
    console = console_of(request)
    lang = language(request)
    env = console.envs[lang]
    base = request.scope.get("root_path", "")
    section = request.url.path[len(base) :].strip("/").split("/")[0] or "inbox"
    here = request.url.path
    if request.method != "GET":  # a form's answer: the page it was sent from
        came = urlsplit(request.headers.get("referer") or "")
        here = came.path if came.netloc == request.url.netloc and came.path else f"{base}/"
    page = env.get_template(template).render(
        request=request,
        base=base,
        page=section,
        here=here,
        who=who,
        lang=lang,
        html_lang=i18n.HTML_LANG[lang],
        csrf=csrf_token(request),
        web_ui=console.web_ui,
        namespace=console.namespace,
        engine_rule=ENGINE_RULE,
        partial=request.headers.get("hx-request") == "true",
        **context,
    )
    return HTMLResponse(page, status_code=status)


def error_page(
    request: Request, error: LifecycleError, who: Principal | None = None
) -> HTMLResponse:
    return render(
        request,
        "error.html",
        status=status_of(error),
        who=who,
        message=error.message,
        clause=error.clause,
    )


def back_to_sign_in(request: Request, back: str) -> RedirectResponse:
    base = request.scope.get("root_path", "")
    return RedirectResponse(f"{base}/sign-in?next={quote(back)}", status_code=303)


def safe_next(request: Request, wanted: str | None) -> str:
    """Where to go after signing in: a page of this console only (never another site)."""
    base = request.scope.get("root_path", "")
    if wanted and wanted.startswith(f"{base}/") and not wanted.startswith("//"):
        return wanted
    return f"{base}/"
