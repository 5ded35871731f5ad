"""Who acts on a case: a role and an id (and a district, for a district officer)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from lifecycle.domain import limits
from lifecycle.domain.states import Role


class ActorError(ValueError):
    pass


class Actor(BaseModel):
    role: Role
    id: str = Field(min_length=1)
    district: str | None = None

    @classmethod
    def parse(cls, text: str, strict: bool = True) -> Actor:
        """``role:id``, and ``district_officer:id@district`` for a district officer. The role
        ``system`` is the engine's own: no person or other system claims it. ``strict=False``
        reads what an older run accepted, for replay only."""
        problem = limits.text("--as", text, limits.NAME) if strict else None
        if problem:
            raise ActorError(problem)
        role, sep, rest = text.partition(":")
        people = [r.value for r in Role if r != Role.SYSTEM]
        if strict and role == Role.SYSTEM:
            raise ActorError(
                f"--as is '{limits.shorten(text)}'; 'system' is the engine's own role and no "
                f"person acts as it; act as one of {', '.join(people)} (engine rule)."
            )
        if not sep or not rest or role not in Role.__members__.values():
            raise ActorError(
                f"--as is '{limits.shorten(text)}'; it must be ROLE:ID with ROLE one of "
                f"{', '.join(people)}."
            )
        ident, _, district = rest.partition("@")
        problem = limits.text("--as ID", ident, limits.SHORT) or limits.text(
            "--as DISTRICT", district or None, limits.SHORT
        )
        if strict and problem:
            raise ActorError(problem)
        if role == Role.DISTRICT_OFFICER and not district:
            raise ActorError(
                f"--as is '{text}'; a district officer acts as district_officer:ID@DISTRICT "
                "(engine rule: district officers act only on their district's cases)."
            )
        return cls(role=Role(role), id=ident, district=district or None)

    def __str__(self) -> str:
        return f"{self.role}:{self.id}" + (f"@{self.district}" if self.district else "")


SYSTEM = Actor(role=Role.SYSTEM, id="lifecycle")
