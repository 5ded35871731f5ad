"""What people send, read into the engine's models or refused in one sentence that names the
field, the value and the rule, whichever face it came through."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from lifecycle.config import parse_date
from lifecycle.domain import credit_code, invalid, limits
from lifecycle.domain.actors import Actor, ActorError
from lifecycle.domain.application import Application, input_problem
from lifecycle.domain.states import CaseState, Role
from lifecycle.errors import Invalid

if TYPE_CHECKING:  # the contracts load the whole domain: only the commands that send one
    from lifecycle.contracts import ActRequest, MoveRequest

FILE_BYTES = limits.FILE_BYTES


def json_of(label: str, shown: str, raw: bytes) -> Any:
    """JSON a person would write, from ``raw`` (a file's bytes or inline text shown as
    ``shown``); one sentence for what is too large, not UTF-8 or not JSON."""
    shown = limits.shorten(shown)
    if len(raw) > limits.FILE_BYTES:
        raise Invalid(
            f"{label} '{shown}' is {len(raw)} bytes; it may be at most {limits.FILE_BYTES} "
            "(engine rule)."
        )
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise Invalid(f"{label} '{shown}' is not UTF-8 text (byte {exc.start}).") from exc
    except json.JSONDecodeError as exc:
        raise Invalid(
            f"{label} '{shown}' is not valid JSON ({exc.msg}, line {exc.lineno})."
        ) from exc
    except RecursionError:
        raise Invalid(
            f"{label} '{shown}' nests too deeply to read; at most {limits.DATA_DEPTH} levels "
            "(engine rule)."
        ) from None


def shorten(value: str) -> str:
    """A value as a sentence quotes it: cut short, without what cannot be shown."""
    return limits.shorten(value)


def sentence(error: Any, label: str) -> str:
    """A validation error of ``label`` (a body, a query) in one sentence in the user's terms."""
    return invalid.sentence(error, label)


def data_object(label: str, shown: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"{label} '{limits.shorten(shown)}' must be a JSON object.")
    return value


def application(data: Any, label: str = "application") -> Application:
    """An application as the engine reads it; its first problem in one sentence otherwise."""
    try:
        app = Application.model_validate(data)
    except ValidationError as exc:
        raise Invalid(invalid.sentence(exc.errors()[0], label)) from exc
    problem = input_problem(app)
    if problem:
        raise Invalid(f"{label}: {problem}")
    return app


def actor(text: str, label: str = "--as") -> Actor:
    """An actor written ROLE:ID (a district officer ROLE:ID@DISTRICT); the sentence names
    ``label`` when it is not the command's --as."""
    try:
        return Actor.parse(text)
    except ActorError as exc:
        raise Invalid(str(exc) if label == "--as" else f"{label}: {exc}") from None


def act_request(**fields: Any) -> ActRequest:
    """A person's decision, within every limit on input, its actor written as ROLE:ID."""
    from lifecycle.contracts import ActRequest

    request = ActRequest(**fields)
    problem = request.problem()
    if problem:
        raise Invalid(problem)
    actor(request.actor)
    return request


def move_request(**fields: Any) -> MoveRequest:
    from lifecycle.contracts import MoveRequest

    request = MoveRequest(**fields)
    problem = request.problem()
    if problem:
        raise Invalid(problem)
    return request


def state(value: str | None) -> str | None:
    if value is not None and value not in {s.value for s in CaseState}:
        raise Invalid(
            f"--state is '{limits.shorten(value)}'; states: {', '.join(s.value for s in CaseState)}."
        )
    return value


def role(value: str | None) -> str | None:
    if value is not None and value not in Role.__members__.values():
        raise Invalid(
            f"--role '{limits.shorten(value)}' is not a role; roles: "
            f"{', '.join(r.value for r in Role)}."
        )
    return value


def date(name: str, value: str | None) -> dt.date | None:
    return None if value is None else parse_date(name, value)


def count(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise Invalid(
            f"{name} is '{value}'; it must be a whole number of working days, at least 1."
        )
    return int(value)


def amount(name: str, raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 15:
        raise Invalid(f"{name} is '{raw[:20]}'; it must be a whole number of CNY, 0 or more.")
    return int(raw)


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a unified social credit code (GB 32100-2015), as a sentence."""
    problem = credit_code.problem(code)
    return problem[0].upper() + problem[1:] if problem else None
