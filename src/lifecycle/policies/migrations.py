"""Upgrades a pack document written in an older format to the current one, before validation.

A running case names the version of the rules it was opened under; that version stays in the
archive as it was written. When the schema changes, a step here carries older documents forward,
so every archived version (and every pack carried inline by a case started before versions
existed) still loads. A step never changes what a rule means, only how it is written.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from lifecycle.policies.schema import FORMAT

Doc = dict[str, Any]

# The round dates every format-1 pack had, the state each ran in, and a label for staff.
_ROUND_DEADLINES = (
    ("applications_close", "submitted", "申报截止"),
    ("preliminary_review_due", "preliminary_review", "区市初审截止"),
    ("expert_review_due", "expert_review", "专家评审截止"),
)


class FormatError(ValueError):
    pass


def upgrade(doc: Doc) -> Doc:
    """A copy of ``doc`` in the current format."""
    doc = copy.deepcopy(doc)
    found = doc.get("pack_format", 1)
    if not isinstance(found, int) or not 1 <= found <= FORMAT:
        raise FormatError(
            f"pack_format: {found!r} is not a format this engine reads (1 to {FORMAT})"
        )
    for step in _STEPS[found - 1 :]:
        doc = step(doc)
    return doc


def _format_1_to_2(doc: Doc) -> Doc:
    """Format 2 declares deadlines in the pack: the round's dates and the public notice, which
    format 1 implied from fixed names, become ``deadlines``; ``window_closed`` becomes the
    general ``deadline_passed`` guard."""
    admission = doc.setdefault("admission", {})
    notice = admission.pop("public_notice", None)
    on_close = admission.pop("on_round_close", None)
    transitions = doc.get("transitions", [])
    for t in transitions:
        t["conditions"] = [
            "deadline_passed" if c == "window_closed" else c for c in t.get("conditions", [])
        ]
    states = set(doc.get("states", []))
    deadlines = []
    for name, state, label in _ROUND_DEADLINES:
        if state not in states:
            continue
        fires = on_close if name == "applications_close" else None
        deadlines.append(
            {
                "name": name,
                "label": label,
                "rule": "date",
                "anchor": f"round.{name}",
                "states": [state],
                "on_pass": {"action": fires} if fires else {"overdue": True},
                "clause": _clause_of(doc, state, name),
            }
        )
    if notice:
        deadlines.append(
            {
                "name": "public_notice",
                "label": "公示",
                "rule": "window",
                "working_days": notice["working_days"],
                "opening_day_counts": notice.get("opening_day_counts", True),
                "anchor": "entered",
                "states": ["publicity"],
                "on_pass": {"action": notice.get("closes_with", "list")},
                "clause": notice["clause"],
            }
        )
    doc["deadlines"] = deadlines
    doc["pack_format"] = 2
    return doc


def _clause_of(doc: Doc, state: str, name: str) -> str:
    admission = doc.get("admission", {})
    if name == "applications_close":
        return str(admission.get("required_fields_clause", ""))
    leaving = (
        t["clause"] for t in doc.get("transitions", []) if state in t["source"] and t.get("dest")
    )
    return next(leaving, str(admission.get("required_fields_clause", "")))


_STEPS: list[Callable[[Doc], Doc]] = [_format_1_to_2]
assert len(_STEPS) == FORMAT - 1, "one step per format"
