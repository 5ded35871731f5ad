"""The errors a person can meet, by kind. Every layer raises these (never a bare sentence to be
matched later); each face turns a kind into its answer once: the command into an exit code, the
gateway into an HTTP status, the console into a message on the form.

Each carries the one sentence a person reads and the clause it applies: a programme's clause
(``qingdao-2024 §三``), "engine rule" or "bureau setting".
"""

from __future__ import annotations

ENGINE_RULE = "engine rule"
BUREAU_SETTING = "bureau setting"


class LifecycleError(Exception):
    """A problem told in one sentence, with the clause it applies."""

    def __init__(self, message: str, clause: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.clause = clause or ENGINE_RULE

    def __str__(self) -> str:
        return self.message


class Invalid(LifecycleError):
    """The input is not what the field takes: the field, the value and the rule are named."""


class Refused(LifecycleError):
    """The rules do not allow it now (a programme's clause or an engine rule)."""


class NotFound(LifecycleError):
    """There is no such case, round, programme or key."""


class NotAllowed(LifecycleError):
    """The caller may not do it: their role, district, own case or scope does not allow it."""


class Unauthenticated(NotAllowed):
    """The caller is not known: no credentials, or a token or key that does not hold."""


class Unavailable(LifecycleError):
    """Something the answer needs cannot be used now (Temporal, the store, the gateway)."""


class NoAnswer(LifecycleError):
    """No answer in time: what was sent may still be applied (send it again: it applies once)."""


class Misconfigured(LifecycleError):
    """The settings do not fit the running system (its clock, its keys, a file): the setting
    is named."""


KINDS: tuple[type[LifecycleError], ...] = (
    Invalid,
    Refused,
    NotFound,
    NotAllowed,
    Unauthenticated,
    Unavailable,
    NoAnswer,
    Misconfigured,
)
