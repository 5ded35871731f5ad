"""What a key or token may do, by role (its actions are the programme's own rules)."""

from __future__ import annotations

from lifecycle.domain.states import Role

# What a key or token may do beyond its role's actions.
READ, ACT, EVENTS, CODEC = "read", "act", "events", "codec"
SCOPES = (READ, ACT, EVENTS, CODEC)
STAFF = (Role.BUREAU_OFFICER, Role.DISTRICT_OFFICER, Role.EXPERT)
DEFAULT_SCOPE = {
    Role.SYSTEM: (EVENTS,),
    Role.BUREAU_OFFICER: (READ, ACT, CODEC),
    Role.DISTRICT_OFFICER: (READ, ACT, CODEC),
    Role.EXPERT: (READ, ACT, CODEC),
    Role.PROVIDER: (READ, ACT),
    Role.ENTERPRISE: (ACT,),
    Role.PUBLIC: (ACT,),
}
