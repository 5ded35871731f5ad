"""The command through the gateway: when LIFECYCLE_API_URL and LIFECYCLE_TOKEN are set, the
`lifecycle case` and `round` commands send their requests over HTTP with the token, so the
gateway (not the command) decides who acts. Without them the command goes to Temporal directly,
which only the embedded development set-up allows (the audit row says the actor was asserted)."""

from __future__ import annotations

import os
from typing import Any

from lifecycle.config import Settings, UserError


class Remote:
    def __init__(self, url: str, token: str, timeout: float = 60.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """The answer's JSON (or text, for ``format=text``); a refusal is one sentence, the
        gateway's own, with exit code 2 (1 when something is down)."""
        import httpx  # only the commands that go through a gateway need it

        query = {k: v for k, v in (params or {}).items() if v is not None and v is not False}
        try:
            answer = httpx.request(
                method,
                f"{self.url}{path}",
                json=body,
                params=query,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise UserError(
                f"The gateway at {self.url} did not answer ({type(exc).__name__}); start it "
                "('lifecycle up' or 'lifecycle api') or check LIFECYCLE_API_URL.",
                exit_code=1,
            ) from None
        if answer.status_code >= 400:
            try:
                message = answer.json()["error"]
            except (ValueError, KeyError, TypeError):
                message = f"The gateway answered {answer.status_code}: {answer.text[:200]}"
            raise UserError(message, exit_code=1 if answer.status_code >= 500 else 2)
        if answer.headers.get("content-type", "").startswith("text/plain"):
            return answer.text
        return answer.json()


def remote(settings: Settings | None = None) -> Remote | None:
    """The gateway to send commands through, if one is configured."""
    settings = settings or Settings.from_env()
    if bool(settings.api_url) != bool(settings.token):
        raise UserError(
            "LIFECYCLE_API_URL and LIFECYCLE_TOKEN must be set together (the gateway's address "
            "and your token or API key)."
        )
    if settings.api_url and settings.token:
        return Remote(settings.api_url, settings.token, float(settings.act_timeout) + 30)
    return None


ASSERTED = "LIFECYCLE_ASSERTED_ACTORS"


def asserted_allowed(settings: Settings | None = None) -> None:
    """A command that names its actor with --as and goes to Temporal directly is taken on its
    word: the embedded development set-up allows it; against a cluster only the bureau's own
    scripts may, with LIFECYCLE_ASSERTED_ACTORS=1 (their audit rows say 'asserted')."""
    settings = settings or Settings.from_env()
    if settings.embedded or os.environ.get(ASSERTED) == "1":
        return
    raise UserError(
        f"--as is taken on its word only in the embedded development set-up; against "
        f"{settings.address} send commands through the gateway (set LIFECYCLE_API_URL and "
        f"LIFECYCLE_TOKEN), or set {ASSERTED}=1 for the bureau's own scripts (audited as "
        "asserted)."
    )
