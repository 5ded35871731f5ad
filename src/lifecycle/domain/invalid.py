"""Input that does not fit its model, in one sentence in the user's terms: which field, the
value given and what it must be, never a validator's internals ("float", "union[…]")."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lifecycle.domain import limits

# Location parts pydantic adds for the type it tried (a union's members, a validator's name).
_TAG = re.compile(
    r"^(int|float|str|bool|bytes|date|datetime|none|list\[.*\]|dict\[.*\]|tuple\[.*\]|set\[.*\]"
    r"|function-(after|before|wrap|plain)\[.*\]|tagged-union\[.*\]|union\[.*\]|literal\[.*\]"
    r"|is-instance\[.*\]|json-or-python\[.*\]|[a-z_]+\[.*\])$"
)
_MUST = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "dict_type": "a JSON object",
    "model_type": "a JSON object",
    "model_attributes_type": "a JSON object",
    "list_type": "a list",
    "date_from_datetime_parsing": "a date written YYYY-MM-DD",
    "date_parsing": "a date written YYYY-MM-DD",
    "date_type": "a date written YYYY-MM-DD",
    "finite_number": "a finite number",
}
_KIND = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}


def _shown(value: Any) -> str:
    if isinstance(value, Mapping | Sequence) and not isinstance(value, str):
        return _KIND.get(type(value), type(value).__name__)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return limits.shorten(text, 40)


def sentence(error: Mapping[str, Any], what: str = "the input") -> str:
    """One pydantic error as a sentence: '{what}: facts.score is "x"; it must be a number.'"""
    parts = [str(p) for p in error.get("loc", ()) if not (isinstance(p, str) and _TAG.match(p))]
    where = ".".join(parts)
    kind = str(error.get("type", ""))
    value = error.get("input")
    if kind == "missing":
        return f"{what}: {where or 'a field'} is required."
    if kind == "extra_forbidden":
        return f"{what}: {where} is not a field it takes."
    must = _MUST.get(kind)
    if must is None:
        detail = str(error.get("msg", "is not valid")).rstrip(".")
        detail = detail[0].lower() + detail[1:] if detail else detail
        must = detail.removeprefix("input should be ").removeprefix("value error, ")
    if not where:
        return f"{what} must be {must}; it is {_shown(value)}."
    return f"{what}: {where} is {_shown(value)}; it must be {must}."
