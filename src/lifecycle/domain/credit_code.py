"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

18 characters from ``0-9A-HJ-NPQRTUWXY`` (no I, O, S, V, Z); character i (0-based) of the first
17 carries weight 3^i mod 31, and the check character is (31 − Σ mod 31) mod 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18
STANDARD = "GB 32100-2015"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(_VALUE[c] * w for c, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, in one sentence; None when it is valid."""
    if len(code) != LENGTH:
        return (
            f"credit code '{code}' has {len(code)} characters; a unified social credit code "
            f"has {LENGTH} ({STANDARD})."
        )
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            hint = " (letters must be capitals)" if char.upper() in _VALUE else ""
            return (
                f"credit code '{code}' has '{char}' at position {position}, which is not allowed"
                f"{hint}; only 0-9 and A-H J-N P Q R T U W X Y are ({STANDARD})."
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            f"credit code '{code}' ends in '{code[17]}' but its check character should be "
            f"'{expected}' ({STANDARD})."
        )
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def complete(body: str) -> str:
    """A full code from its first 17 characters (for examples and tests)."""
    return body + check_character(body)
