"""Each kind of error as an HTTP status, for the faces served over HTTP (the gateway and the
console): the one place the kinds are mapped, a subclass before its parent."""

from __future__ import annotations

from lifecycle.errors import (
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

STATUSES: dict[type[LifecycleError], int] = {
    Unauthenticated: 401,
    NotAllowed: 403,
    Invalid: 400,
    NotFound: 404,
    Refused: 409,
    Misconfigured: 503,
    Unavailable: 503,
    NoAnswer: 504,
}


def status_of(error: LifecycleError) -> int:
    return next((code for kind, code in STATUSES.items() if isinstance(error, kind)), 500)
