"""The application layer: every face (the command, the gateway, the console) calls these
services and nothing below them. Its errors are the kinds in :mod:`lifecycle.errors`, handed
on here so a face needs only this package (and config, logs)."""

from lifecycle.errors import (
    BUREAU_SETTING,
    ENGINE_RULE,
    KINDS,
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

__all__ = [
    "BUREAU_SETTING",
    "ENGINE_RULE",
    "KINDS",
    "Invalid",
    "LifecycleError",
    "Misconfigured",
    "NoAnswer",
    "NotAllowed",
    "NotFound",
    "Refused",
    "Unauthenticated",
    "Unavailable",
]
