"""Case states and the roles that act on a case: the packs' own words (policies.vocabulary)."""

from lifecycle.policies.vocabulary import TERMINAL_STATES, CaseState, Role

__all__ = ["TERMINAL_STATES", "CaseState", "Role"]
