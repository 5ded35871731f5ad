"""The faces served on the gateway's port, wired here (the composition root) so that no face
imports another: the console under /console, with the gateway's system and how it knows
callers, and, in the embedded set-up, the one-time sign-in link ``lifecycle up`` prints."""

from __future__ import annotations

import os
from collections.abc import Callable

from starlette.types import ASGIApp

from lifecycle.app.sessions import OneTime, session_secret
from lifecycle.config import Settings
from lifecycle.console import Console, create_console
from lifecycle.console.core import SignIn
from lifecycle.gateway.core import Gateway

CONSOLE = "/console"


def console_mounts(
    settings: Settings, once: OneTime | None = None
) -> Callable[[Gateway], dict[str, ASGIApp]]:
    def mounts(gateway: Gateway) -> dict[str, ASGIApp]:
        web_ui = os.environ.get("LIFECYCLE_TEMPORAL_UI_URL") or (
            f"http://127.0.0.1:{settings.ui_port}" if settings.embedded else None
        )
        console = Console(
            system=gateway.system,
            auth=gateway.auth,
            secret=session_secret(settings),
            sign_in=SignIn.from_env(gateway.oidc),
            once=once,
            web_ui=web_ui,
            secure=os.environ.get("LIFECYCLE_CONSOLE_SECURE_COOKIES") == "1",
            hours=float(os.environ.get("LIFECYCLE_CONSOLE_SESSION_HOURS") or 8),
            namespace=settings.namespace,
        )
        return {CONSOLE: create_console(console)}

    return mounts
