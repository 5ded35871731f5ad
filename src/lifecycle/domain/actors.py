"""Who acts on a case: a role and an id (and a district, for a district officer)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from lifecycle.domain.states import Role


class ActorError(ValueError):
    pass


class Actor(BaseModel):
    role: Role
    id: str = Field(min_length=1)
    district: str | None = None

    @classmethod
    def parse(cls, text: str) -> Actor:
        """``role:id``, and ``district_officer:id@district`` for a district officer."""
        role, sep, rest = text.partition(":")
        if not sep or not rest or role not in Role.__members__.values():
            roles = ", ".join(r.value for r in Role)
            raise ActorError(f"--as is '{text}'; it must be ROLE:ID with ROLE one of {roles}.")
        ident, _, district = rest.partition("@")
        if role == Role.DISTRICT_OFFICER and not district:
            raise ActorError(
                f"--as is '{text}'; a district officer acts as district_officer:ID@DISTRICT "
                "(engine rule: district officers act only on their district's cases)."
            )
        return cls(role=Role(role), id=ident, district=district or None)

    def __str__(self) -> str:
        return f"{self.role}:{self.id}" + (f"@{self.district}" if self.district else "")


SYSTEM = Actor(role=Role.SYSTEM, id="lifecycle")
