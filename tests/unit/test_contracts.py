"""What running cases wrote into their histories still decodes, and stays the same size."""

import base64
import datetime as dt
import json
from pathlib import Path

from lifecycle.calendar import SHANGHAI
from lifecycle.clock import BusinessClock, configured
from lifecycle.contracts import Carried, CaseStart
from lifecycle.domain.case import Case, CaseDeadline
from lifecycle.domain.states import CaseState

REPLAY = Path(__file__).parents[1] / "replay"


def start_input(name: str) -> dict:
    history = json.loads((REPLAY / f"{name}.json").read_text("utf-8"))
    attributes = history["events"][0]["workflowExecutionStartedEventAttributes"]
    return json.loads(base64.b64decode(attributes["input"]["payloads"][0]["data"]))


def test_an_unversioned_start_input_decodes():
    raw = start_input("qingdao_listed_after_undecided_objection")
    assert {"pack", "day_seconds", "business_origin"} <= set(raw)
    start = CaseStart.model_validate(raw)
    assert start.rules is None and start.pack is not None
    assert start.clock.day_seconds == 86400
    assert start.clock.business_origin == dt.datetime(2025, 9, 26, 10, tzinfo=SHANGHAI)
    assert start.clock.real_origin is None  # anchored at the run's start, as it was


def test_a_case_continued_with_its_whole_trail_keeps_only_its_sequence():
    old = {
        "case_id": "c",
        "policy": "qingdao-2024",
        "round": "r",
        "credit_code": "x",
        "name": "甲",
        "district": "市南区",
        "state": "publicity",
        "window_closed": True,
        "history": [{"seq": n} for n in range(1, 6)],
        "seen_events": ["e1", "e2"],
        "deadlines": {
            "public_notice": {
                "name": "public_notice",
                "state": "publicity",
                "date": "2025-10-09",
                "closes_at": "2025-10-10T00:00:00+08:00",
                "provisional": False,
                "fires": "list",
                "expired": True,
                "opens": "2025-09-26",
                "working_days": 5,
            }
        },
    }
    start = CaseStart.model_validate(
        {**start_input("qingdao_failed_preliminary"), "case": old, "clock_origin": None}
    )
    case = start.carried.case
    assert case.seq == 5 and start.carried.remembered == {"e1": 0, "e2": 0}
    notice = case.deadlines["public_notice"]
    assert (notice.states, notice.rule, notice.overdue_mark) == (
        [CaseState.PUBLICITY],
        "window",
        False,
    )
    assert case.deadline_passed_for("list")


def test_the_carried_state_does_not_grow_with_the_trail():
    case = Case(case_id="c", policy="p", round="r", credit_code="x", name="甲", district="d")
    small = len(Carried(case=case).model_dump_json())
    case.seq = 1_000_000
    assert len(Carried(case=case).model_dump_json()) - small < 10


def test_format_1_deadline_without_a_firing_action_was_an_overdue_mark():
    due = CaseDeadline.model_validate(
        {
            "name": "preliminary_review_due",
            "state": "preliminary_review",
            "date": "2025-10-10",
            "closes_at": "2025-10-11T00:00:00+08:00",
            "provisional": False,
        }
    )
    assert (due.overdue_mark, due.rule, due.counts_working_days) == (True, "date", False)


def test_business_clock_runs_from_its_start_date():
    real = dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC)
    clock = configured(dt.date(2025, 9, 26), 10, real)
    assert clock.now(real) == dt.datetime(2025, 9, 26, tzinfo=SHANGHAI)
    assert clock.now(real + dt.timedelta(seconds=25)) == dt.datetime(
        2025, 9, 28, 12, tzinfo=SHANGHAI
    )
    assert clock.real_delay(dt.datetime(2025, 9, 27, tzinfo=SHANGHAI), real) == dt.timedelta(
        seconds=10
    )
    assert "from 2025-09-26 00:00 Asia/Shanghai, 10 s per day" in clock.describe()


def test_an_unanchored_clock_is_real_time_from_the_cases_start():
    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    clock = BusinessClock().anchored(start)
    assert clock.now(start + dt.timedelta(hours=3)) == start + dt.timedelta(hours=3)


def _contracts():
    """Every start input, record and person's action the saved histories hold, beside the
    contract it was written as."""
    from lifecycle.contracts.activities import RecordInput
    from lifecycle.contracts.case import ActRequest, MoveRequest
    from lifecycle.contracts.rounds import CloseRequest, RoundStart, ScoreRequest

    starts = {"CaseWorkflow": CaseStart, "EvaluationRound": RoundStart}
    updates = {"act": ActRequest, "move_rules": MoveRequest, "score": ScoreRequest}
    updates["close"] = CloseRequest
    for path in sorted(REPLAY.glob("*.json")):
        for event in json.loads(path.read_text("utf-8"))["events"]:
            started = event.get("workflowExecutionStartedEventAttributes")
            if started:
                yield starts[started["workflowType"]["name"]], started["input"]["payloads"][0]
            scheduled = event.get("activityTaskScheduledEventAttributes")
            if scheduled and scheduled["activityType"]["name"] == "record_case":
                yield RecordInput, scheduled["input"]["payloads"][0]
            accepted = event.get("workflowExecutionUpdateAcceptedEventAttributes")
            if accepted:
                sent = accepted["acceptedRequest"]["input"]
                yield updates[sent["name"]], sent["args"]["payloads"][0]


def test_a_payload_leaves_out_what_is_at_its_default_and_reads_back_the_same():
    from lifecycle.temporal.client import LEAN

    converter = LEAN.payload_converter
    count = full = lean = 0
    for contract, payload in _contracts():
        value = contract.model_validate_json(base64.b64decode(payload["data"]))
        [written] = converter.to_payloads([value])
        assert converter.from_payloads([written], [contract]) == [value]
        assert written.data == value.model_dump_json(exclude_defaults=True).encode()
        count, full, lean = count + 1, full + len(value.model_dump_json()), lean + len(written.data)
    assert count > 400  # every kind above is there
    assert lean < 0.8 * full, (lean, full)
