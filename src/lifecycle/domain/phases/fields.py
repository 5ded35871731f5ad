"""Reading what an action carries (``--data``), each field refused in one sentence naming the
key, the value and what it must be."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from lifecycle.domain import credit_code, limits


class FieldError(ValueError):
    pass


T = TypeVar("T")


def _bad(key: str, value: Any, what: str) -> FieldError:
    return FieldError(f"data {key} is {limits.shorten(value)}; it must be {what}.")


def integer(data: dict[str, Any], key: str, low: int = 0, high: int | None = None) -> int:
    value = data.get(key)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        span = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise _bad(key, value, f"a whole number {span}")
    return value


def number(data: dict[str, Any], key: str, low: float, high: float | None = None) -> float:
    value = data.get(key)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value < low
        or (high is not None and value > high)
    ):
        span = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
        raise _bad(key, value, f"a number {span}")
    return float(value)


def flag(data: dict[str, Any], key: str, default: bool | None = None) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise _bad(key, value, "true or false")
    return value


def date(data: dict[str, Any], key: str) -> dt.date:
    value = data.get(key)
    try:
        if isinstance(value, str) and len(value) == 10:
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise _bad(key, value, "a date written YYYY-MM-DD")


def text(data: dict[str, Any], key: str, limit: int = limits.NAME) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _bad(key, value, "a text")
    problem = limits.text(f"data {key}", value, limit)
    if problem:
        raise FieldError(problem)
    return value.strip()


def choice(data: dict[str, Any], key: str, allowed: list[str]) -> str:
    value = data.get(key)
    if value not in allowed:
        raise _bad(key, value, "one of " + ", ".join(allowed))
    return str(value)


def choices(data: dict[str, Any], key: str, allowed: list[str]) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not value or any(v not in allowed for v in value):
        raise _bad(key, value, "a list of one or more of " + ", ".join(allowed))
    return list(dict.fromkeys(value))


def code(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    problem = credit_code.problem(value) if isinstance(value, str) else "not a credit code."
    if problem:
        raise _bad(key, value, "a unified social credit code (GB 32100-2015)")
    return str(value)


def ident(data: dict[str, Any], key: str) -> int:
    return integer(data, key, low=1)


def reading(check: Any) -> Any:
    """Turns a check that raises FieldError into one that returns its sentence."""

    def checked(*args: Any) -> str | None:
        try:
            return check(*args)
        except FieldError as exc:
            return str(exc)

    checked.__name__ = getattr(check, "__name__", "check")
    return checked


def open_item(items: list[T], data: dict[str, Any], key: str, what: str) -> T:
    """The open item (a complaint, a decision, a filing) ``data[key]`` names by its id; one
    sentence listing the open ones when it names none of them."""
    wanted = ident(data, key)
    found = next((item for item in items if getattr(item, "id", None) == wanted), None)
    if found is None:
        open_ids = [getattr(item, "id", None) for item in items]
        raise FieldError(f"data {key} {wanted} is not an open {what} (open: {open_ids}).")
    return found
