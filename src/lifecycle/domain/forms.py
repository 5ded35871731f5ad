"""What an action's data is, field by field, as a person fills it in: each action's handler
says what its ``--data`` takes (the choices from the pack, the open items from the case), so a
form is built from the rules and never typed twice. The handler's own check still decides;
a form only helps a person send what it takes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from lifecycle.domain.case import Case
    from lifecycle.policies.schema import PolicyPack

Kind = Literal["integer", "number", "flag", "date", "text", "choice", "choices", "code", "item"]


class Choice(BaseModel):
    value: Any
    label: str


class FormField(BaseModel):
    """``key``: the field of ``--data``; ``label``: its name in words (English, the console's
    catalogue translates it); ``item``: an open item of the case (an objection, a complaint, a
    decision, a filing) named by its number."""

    key: str
    kind: Kind
    label: str
    required: bool = True
    low: float | None = None
    high: float | None = None
    choices: list[Choice] = Field(default_factory=list)
    default: Any = None
    help: str = ""


Form = Callable[["Case", "PolicyPack"], list[FormField]]


def choices(values: Iterable[Any], labels: dict[Any, str] | None = None) -> list[Choice]:
    return [Choice(value=v, label=(labels or {}).get(v, str(v))) for v in values]


def items(found: Iterable[tuple[int, str]]) -> list[Choice]:
    """Open items as choices: their number, and what they are."""
    return [Choice(value=n, label=f"#{n} {text}".strip()) for n, text in found]


def fixed(*fields: FormField) -> Form:
    """A form whose fields do not depend on the case or the pack."""
    return lambda case, pack: list(fields)
