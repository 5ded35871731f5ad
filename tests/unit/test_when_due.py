"""What a deadline drives is dated when the deadline fell due (engine rule): after an outage
the change keeps its business time and says when it was applied; one that waited on a later
change (an officer's decision) is dated with it; nothing is dated after it was applied."""

import datetime as dt

from lifecycle.domain import decide
from lifecycle.domain.case import LastChange
from lifecycle.domain.days import SHANGHAI
from tests.unit.phases.desk import Desk

CLOSES = dt.datetime(2026, 12, 16, tzinfo=SHANGHAI)  # 15 December 24:00


def test_a_change_is_dated_when_due_never_before_the_last_change_nor_after_now():
    case = Desk("qingdao-2024").case
    later = CLOSES + dt.timedelta(days=6)
    case.last_change = LastChange(
        seq=3, action="publicise", actor="x", at=CLOSES - dt.timedelta(days=7)
    )
    assert decide.due_time(case, CLOSES, later) == CLOSES
    decided = CLOSES + dt.timedelta(days=2)  # an objection was decided after the close
    case.last_change = LastChange(seq=4, action="dismiss_objection", actor="x", at=decided)
    assert decide.due_time(case, CLOSES, later) == decided
    assert decide.due_time(case, CLOSES, CLOSES - dt.timedelta(hours=1)) < CLOSES


def test_the_time_it_was_applied_is_shown_only_when_it_was_late():
    desk = Desk("qingdao-2024")
    row = decide.record(
        desk.case,
        desk.action("begin_review", "bureau_officer:li"),
        desk.case.state,
        None,
        {},
        CLOSES,
    )
    assert "applied_at" not in decide.applied_late(row, CLOSES + dt.timedelta(seconds=20)).data
    late = decide.applied_late(row, CLOSES + dt.timedelta(days=6))
    assert late.data["applied_at"] == "2026-12-22T00:00:00+08:00" and late.at == CLOSES
