"""A refusal: the one sentence a person reads, with the clause it applies kept beside it, so
the layers above answer with the clause without reading it back out of the sentence."""

from __future__ import annotations

from lifecycle.errors import ENGINE_RULE


class Refusal(str):
    """The sentence (it is a ``str``, as every refusal has always been) and its ``clause``."""

    clause: str

    def __new__(cls, text: str, clause: str | None = None) -> Refusal:
        made = super().__new__(cls, text)
        made.clause = clause or ENGINE_RULE
        return made


def cited(text: str | None, clause: str | None) -> Refusal | None:
    """``text`` as a refusal citing ``clause``, unless it names its own clause already."""
    if text is None:
        return None
    if isinstance(text, Refusal):
        return text
    return Refusal(text, clause)


def clause_of(text: str) -> str:
    """The clause a refusal cites ("engine rule" for a plain sentence)."""
    return text.clause if isinstance(text, Refusal) else ENGINE_RULE
