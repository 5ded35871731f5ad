"""A call's round as the bureau sets it: a name that can stand in a case id, and dates that
hold together (applications close, then the district review, then the expert review), none of
them already past when it is set (engine rule)."""

from __future__ import annotations

import datetime as dt

from lifecycle.domain import limits
from lifecycle.policies.schema import Round

ORDER = ("applications_close", "preliminary_review_due", "expert_review_due")


def changed(
    name: str, before: Round | None, changes: dict[str, dt.date | None], today: dt.date
) -> Round:
    """The round with ``changes`` (dates given now; the others kept), or ValueError with the
    one sentence that refuses it."""
    problem = limits.round_name("round", name)
    if problem:
        raise ValueError(problem)
    for field, date in changes.items():
        if date is not None and date < today:
            flag = "--" + field.replace("_", "-")
            raise ValueError(
                f"{flag} is {date}, already past (business today is {today}); a round's dates "
                "are set ahead (engine rule)."
            )
    merged = (before or Round()).model_copy(
        update={k: v for k, v in changes.items() if v is not None}
    )
    dates = [(field, getattr(merged, field)) for field in ORDER if getattr(merged, field)]
    for (first, early), (second, late) in zip(dates, dates[1:], strict=False):
        if late < early:
            raise ValueError(
                f"--{second.replace('_', '-')} is {late}, before --{first.replace('_', '-')} "
                f"({early}); applications close, then the district reviews, then the experts "
                "(engine rule)."
            )
    return merged
