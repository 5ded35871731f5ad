"""Limits on every input (engine rule), stated once and applied by every route in: the command
line before it sends, the workflow's own validators and handlers (so another client or a signal
cannot get around them) and, later, the HTTP gateway.

Each check returns None, or the one sentence that refuses the input: the field, the value
(shortened) and the limit. Nothing here is checked when a saved history is decoded: a limit is
a gate at the door, never a reason a running case could not be read back.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

NAME = 200  # a provider's registered name, a contact person
SHORT = 64  # districts, sector and track ids, actor ids, phone numbers
REFERENCE = 200  # a credit report's reference
TEXT = 2000  # reasons, objections, decisions
CLAUSE = 80
LIST_ITEMS = 10  # sectors, tracks
PARTNERS = 100
FACTS = 64
DATA_BYTES = 4096
DATA_DEPTH = 4
DATA_KEYS = 32
FILE_BYTES = 65536  # an application or --data file
OBJECTIONS = 100  # objections one public notice takes
ROUND = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
RULE = "(engine rule)"


# Values appear in refusals, except in those kept about other systems' events (per task).
_SHOWN: contextvars.ContextVar[bool] = contextvars.ContextVar("limits_shown", default=True)


@contextlib.contextmanager
def hidden_values() -> Iterator[None]:
    """Within it, refusals name fields and limits but never show the values (a refused event
    is kept and logged without its content)."""
    token = _SHOWN.set(False)
    try:
        yield
    finally:
        _SHOWN.reset(token)


def _value(value: object) -> str:
    return f"'{shorten(value)}'" if _SHOWN.get() else "(not shown)"


def shorten(value: object, width: int = 40) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _hidden(value: str, multiline: bool) -> str | None:
    """The first control or invisible formatting character (NUL, zero-width space, right-to-left
    override, …), as U+XXXX; tabs and line breaks are allowed in free text only."""
    for char in value:
        if multiline and char in "\n\t":
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return f"U+{ord(char):04X}"
    return None


def text(field: str, value: str | None, limit: int, *, multiline: bool = False) -> str | None:
    """A name (one line) or a free text (``multiline``), at most ``limit`` characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        return f"{field} is {_value(value)}; it must be text {RULE}."
    if len(value) > limit:
        return (
            f"{field} is {_value(value)} ({len(value)} characters); it may have at most "
            f"{limit} {RULE}."
        )
    hidden = _hidden(value, multiline)
    if hidden:
        kind = "free text" if multiline else "names and ids"
        return (
            f"{field} is {_value(value)}, which holds the control or invisible character "
            f"{hidden}; {kind} may not {RULE}."
        )
    return None


def pattern(field: str, value: str | None, rule: re.Pattern[str], what: str) -> str | None:
    if value is None or (isinstance(value, str) and rule.fullmatch(value)):
        return None
    return f"{field} is {_value(value)}; it must be {what} {RULE}."


def round_name(field: str, value: str | None) -> str | None:
    return pattern(
        field,
        value,
        ROUND,
        "1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit",
    )


def event_id(field: str, value: str | None) -> str | None:
    return pattern(
        field,
        value,
        EVENT_ID,
        "1 to 128 letters, digits, '.', '_', ':', '@' or '-', starting with a letter or digit",
    )


def items(field: str, values: list[str], limit: int, each: int) -> str | None:
    if len(values) > limit:
        return f"{field} names {len(values)} items; it may name at most {limit} {RULE}."
    return first(text(f"{field}[{n}]", v, each) for n, v in enumerate(values))


def facts(field: str, values: dict[str, Any]) -> str | None:
    """Named numbers and yes/no answers: at most 64, keys like ``sector_cases``, numbers
    finite."""
    if len(values) > FACTS:
        return f"{field} has {len(values)} entries; it may have at most {FACTS} {RULE}."
    for key, value in values.items():
        if not KEY.fullmatch(key):
            return (
                f"{field} has the key {_value(key)}; keys are lower-case letters, digits "
                f"and '_', at most 64, starting with a letter {RULE}."
            )
        if isinstance(value, float) and not math.isfinite(value):
            return f"{field}.{key} is {value}; numbers must be finite {RULE}."
    return None


def data(field: str, value: Any) -> str | None:
    """What an action carries: a JSON object of at most 4 KB, 4 levels, 32 keys an object,
    finite numbers, texts within the text limit."""
    if not isinstance(value, dict):
        return f"{field} must be a JSON object {RULE}."
    problem = _walk(field, value, 1)
    if problem:
        return problem
    size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    if size > DATA_BYTES:
        return f"{field} is {size} bytes as JSON; it may be at most {DATA_BYTES} {RULE}."
    return None


def _walk(where: str, value: Any, depth: int) -> str | None:
    if depth > DATA_DEPTH:
        return f"{where} nests deeper than {DATA_DEPTH} levels {RULE}."
    if isinstance(value, dict):
        if len(value) > DATA_KEYS:
            return f"{where} has {len(value)} keys; an object may have at most {DATA_KEYS} {RULE}."
        for key, inner in value.items():
            problem = text(f"{where} key", key, SHORT) or _walk(f"{where}.{key}", inner, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        if len(value) > DATA_KEYS:
            return f"{where} has {len(value)} items; a list may have at most {DATA_KEYS} {RULE}."
        return first(_walk(f"{where}[{n}]", v, depth + 1) for n, v in enumerate(value))
    elif isinstance(value, float) and not math.isfinite(value):
        return f"{where} is {value}; numbers must be finite {RULE}."
    elif isinstance(value, str):
        return text(where, value, TEXT, multiline=True)
    return None


def first(problems: Iterable[str | None]) -> str | None:
    return next((p for p in problems if p), None)
