"""The command through the gateway: when LIFECYCLE_API_URL and LIFECYCLE_TOKEN are set, the
commands that act on and read cases send their requests over HTTP with the token, so the gateway
(not the command) decides who acts. Without them the command goes to Temporal directly, which
only the embedded development set-up allows (the audit row says the actor was asserted)."""

from __future__ import annotations

from typing import Any

from lifecycle.app import (
    Invalid,
    LifecycleError,
    Misconfigured,
    NoAnswer,
    NotAllowed,
    NotFound,
    Refused,
    Unauthenticated,
    Unavailable,
)
from lifecycle.config import Settings

# The gateway's statuses, back to the kind of error each stands for (its one sentence kept).
BY_STATUS: dict[int, type[LifecycleError]] = {
    400: Invalid,
    401: Unauthenticated,
    403: NotAllowed,
    404: NotFound,
    405: Invalid,
    409: Refused,
    413: Invalid,
    422: Invalid,
    503: Unavailable,
    504: NoAnswer,
}


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
        """The answer's JSON (or text, for ``format=text``); a refusal is the gateway's own
        sentence, as the kind of error its status says."""
        import httpx  # only the commands that go through a gateway load it

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
            raise Unavailable(
                f"The gateway at {self.url} did not answer ({type(exc).__name__}); start it "
                "('lifecycle up' or 'lifecycle api') or check LIFECYCLE_API_URL."
            ) from None
        if answer.status_code >= 400:
            kind = BY_STATUS.get(answer.status_code, Unavailable)
            try:
                said = answer.json()
                message, clause = str(said["error"]), said.get("clause")
            except (ValueError, KeyError, TypeError):
                message = f"The gateway answered {answer.status_code}: {answer.text[:200]}"
                clause = None
            raise kind(message, clause)
        if answer.headers.get("content-type", "").startswith("text/plain"):
            return answer.text
        return answer.json()


def remote(settings: Settings | None = None) -> Remote | None:
    """The gateway to send commands through, if one is configured."""
    settings = settings or Settings.from_env()
    if bool(settings.api_url) != bool(settings.token):
        raise Misconfigured(
            "LIFECYCLE_API_URL and LIFECYCLE_TOKEN must be set together (the gateway's address "
            "and your token or API key)."
        )
    if settings.api_url and settings.token:
        return Remote(settings.api_url, settings.token, float(settings.act_timeout) + 30)
    return None
