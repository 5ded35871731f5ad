"""Activities on a real store: SQLite always, PostgreSQL when LIFECYCLE_TEST_PG_URL is set."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.calendar import CalendarActivities
from activities.obtain import ObtainActivities
from activities.store import StoreActivities
from lifecycle.calendar import SHANGHAI, WorkingCalendar
from lifecycle.contracts import (
    WHOLE_WANTED,
    CaseSnapshot,
    ClaimRequest,
    ObtainRequest,
    RecordInput,
    ReservationRequest,
    SelectionQuery,
)
from lifecycle.contracts.activities import change_of
from lifecycle.domain.case import AuditEntry
from lifecycle.domain.plan import DeadlineRequest as DeadlineInput
from lifecycle.domain.plan import Plan
from lifecycle.domain.states import CaseState

T0 = dt.datetime(2025, 9, 26, 10, tzinfo=SHANGHAI)


def snapshot(case_id: str, state: str, seq: int, **extra) -> CaseSnapshot:
    fields = dict(
        case_id=case_id,
        policy="qingdao-2024",
        round="r",
        credit_code=case_id[-18:],
        provider_name="甲",
        district="市南区",
        provider_type="product",
        sectors=["auto_parts"],
        state=state,
        last_seq=seq,
        updated_at=T0,
    )
    fields.update(extra)
    return CaseSnapshot(**fields)


def entry(seq: int, action: str, to_state: str) -> AuditEntry:
    return AuditEntry(
        seq=seq,
        at=T0,
        actor_role="bureau_officer",
        actor_id="li",
        action=action,
        from_state=CaseState.SUBMITTED,
        to_state=CaseState(to_state),
        reason="",
        clause="§三(二)",
    )


CASE = "case:qingdao-2024:r:91370212MA3QD0001N"


async def test_record_is_idempotent(real_store):
    acts = StoreActivities(lambda: real_store)
    env = ActivityEnvironment()
    data = RecordInput(
        snapshot=snapshot(CASE, "submitted", 1), entries=[entry(1, "apply", "submitted")]
    )
    assert await env.run(acts.record_case, data) is None  # nothing returned: nothing to say
    [written] = real_store.audit(CASE)
    await env.run(acts.record_case, data)  # an at-least-once retry
    assert [(r.seq, r.hash) for r in real_store.audit(CASE)] == [(1, written.hash)]


async def test_a_change_keeps_what_the_store_holds_and_one_it_does_not_hold_asks_for_the_whole(
    real_store,
):
    """After a run's first record (the whole projection), a record sends only its change: the
    programme, round, provider and rules version stay as the store has them. A change of a case
    the store does not hold is refused at once, not retried: the case sends it whole."""
    acts = StoreActivities(lambda: real_store)
    env = ActivityEnvironment()
    whole = snapshot(CASE, "submitted", 1, rules_version="v1")
    await env.run(acts.record_case, RecordInput(snapshot=whole, entries=[entry(1, "apply", "submitted")]))  # fmt: skip
    moved = snapshot(CASE, "preliminary_review", 2, rules_version="v1")
    change = RecordInput(change=change_of(moved), entries=[entry(2, "begin_review", "preliminary_review")])  # fmt: skip
    assert "provider_name" not in change.model_dump_json()
    await env.run(acts.record_case, change)
    row = real_store.case(CASE)
    assert (row.state, row.last_seq, row.provider_name, row.rules_version) == (
        "preliminary_review", 2, "甲", "v1",
    )  # fmt: skip
    other = "case:qingdao-2024:r:91370212MA3QD0002L"
    unknown = RecordInput(change=change_of(snapshot(other, "submitted", 1)), entries=[])
    with pytest.raises(ApplicationError) as refused:
        await env.run(acts.record_case, unknown)
    assert refused.value.type == WHOLE_WANTED and refused.value.non_retryable
    assert real_store.case(other) is None
    with pytest.raises(ValueError, match="either the whole snapshot or a change"):
        RecordInput(snapshot=whole, change=change_of(whole), entries=[])


async def test_a_change_that_leaves_its_case_id_out_is_recorded_on_the_runs_own_case(real_store):
    """A case's run sends its changes without its own id (the workflow's id is the case id);
    the record activity names the case by its workflow. A change naming its case is recorded on
    that case whatever run sends it."""
    acts = StoreActivities(lambda: real_store)
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id=CASE)
    whole = snapshot(CASE, "submitted", 1)
    await env.run(acts.record_case, RecordInput(snapshot=whole, entries=[entry(1, "apply", "submitted")]))  # fmt: skip
    moved = change_of(snapshot(CASE, "preliminary_review", 2), run_id=CASE)
    assert moved.case_id == "" and '"case_id":""' in moved.model_dump_json()
    await env.run(
        acts.record_case,
        RecordInput(change=moved, entries=[entry(2, "begin_review", "preliminary_review")]),
    )
    assert (real_store.case(CASE).state, [r.seq for r in real_store.audit(CASE)]) == (
        "preliminary_review", [1, 2],
    )  # fmt: skip
    assert real_store.case("") is None and real_store.audit("") == []
    # another run's change names its case, and is recorded there
    other = "case:qingdao-2024:r:91370212MA3QD0002L"
    await env.run(acts.record_case, RecordInput(snapshot=snapshot(other, "submitted", 1), entries=[]))  # fmt: skip
    named = change_of(snapshot(other, "preliminary_review", 2), run_id=CASE)
    assert named.case_id == other
    await env.run(acts.record_case, RecordInput(change=named, entries=[]))
    assert (real_store.case(other).state, real_store.case(CASE).last_seq) == (
        "preliminary_review",
        2,
    )


async def test_an_older_snapshot_never_overwrites_a_newer_one(real_store):
    acts = StoreActivities(lambda: real_store)
    env = ActivityEnvironment()
    await env.run(
        acts.record_case,
        RecordInput(
            snapshot=snapshot(CASE, "preliminary_review", 2),
            entries=[entry(2, "begin_review", "preliminary_review")],
        ),
    )
    await env.run(
        acts.record_case,
        RecordInput(
            snapshot=snapshot(CASE, "submitted", 1), entries=[entry(1, "apply", "submitted")]
        ),
    )
    row = real_store.case(CASE)
    assert row.state == "preliminary_review"
    assert row.updated_at == T0 and row.updated_at.tzinfo is not None
    assert [r.seq for r in real_store.audit(CASE)] == [1, 2]


async def test_count_selected_per_sector(real_store):
    acts = StoreActivities(lambda: real_store)
    env = ActivityEnvironment()
    for n, (state, sectors) in enumerate(
        [
            ("publicity", ["auto_parts"]),
            ("listed", ["auto_parts", "appliances"]),
            ("expert_review", ["auto_parts"]),
        ]
    ):
        cid = f"case:qingdao-2024:r:9137021200000000{n}X"
        await env.run(
            acts.record_case,
            RecordInput(snapshot=snapshot(cid, state, 1, sectors=sectors), entries=[]),
        )
    counted = await env.run(
        acts.count_selected,
        SelectionQuery(
            policy="qingdao-2024",
            round="r",
            provider_type="product",
            sectors=["auto_parts", "appliances"],
            case_id=CASE,
            maximum=20,
        ),
    )
    assert counted.counts == {"auto_parts": 2, "appliances": 1}


def test_claims_and_bans(real_store):
    assert real_store.claim("qingdao-2024", "r", "P", "case-a") is None
    assert real_store.claim("qingdao-2024", "r", "P", "case-a") is None  # same claimant: retry
    assert real_store.claim("qingdao-2024", "r", "P", "case-b") == "case-a"
    real_store.add_ban(
        "X", "投诉", "第十六条", dt.date(2025, 1, 1), dt.date(2027, 12, 31), policy="wenzhou-2021"
    )
    assert real_store.active_ban(["X"], "wenzhou-2021", dt.date(2026, 1, 1)).reason == "投诉"
    assert real_store.active_ban(["X"], "qingdao-2024", dt.date(2026, 1, 1)) is None
    assert real_store.active_ban(["X"], "wenzhou-2021", dt.date(2028, 1, 1)) is None


async def test_deadline_activity_reads_bureau_files_on_each_call(tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    acts = CalendarActivities(lambda: WorkingCalendar.from_dir(folder))
    env = ActivityEnvironment()
    ask = DeadlineInput(rule="window", date=dt.date(2027, 9, 28), working_days=5)
    provisional = await env.run(acts.compute_deadline, ask)
    assert (provisional.date.isoformat(), provisional.provisional) == ("2027-10-05", True)
    (folder / "2027.toml").write_text(
        'year = 2027\nnotice = "t"\n[[holidays]]\nname = "国庆"\nfirst = 2027-10-01\n'
        "last = 2027-10-07\n",
        encoding="utf-8",
    )
    published = await env.run(acts.compute_deadline, ask)
    assert (published.date.isoformat(), published.provisional) == ("2027-10-11", False)
    assert published.closes_at.isoformat() == "2027-10-12T00:00:00+08:00"


async def test_one_call_obtains_what_a_decision_needs_and_names_what_failed(real_store, tmp_path):
    """``obtain``: the counts, the bureau's settings, the claims and the place, in one call,
    each as its own call would give it (a retried call changes nothing more); a failure names
    the part that failed, as the separate calls did by their names."""
    folder = tmp_path / "cal"
    folder.mkdir()
    records = StoreActivities(lambda: real_store)
    acts = ObtainActivities(CalendarActivities(lambda: WorkingCalendar.from_dir(folder)), records)
    env = ActivityEnvironment()
    real_store.set_setting("wenzhou-2021", "year_target", 12, T0)
    plan = Plan(
        deadlines=[DeadlineInput(name="public_notice", rule="window", date=dt.date(2026, 3, 3), working_days=5)],
        settings=["year_target"],
        claims=[ClaimRequest(key="enterprise:E1", holder=CASE, what="pilot E1", clause="§X")],
        reservation=ReservationRequest(holder=CASE, pools={"p": "the places"}, capacity=1, clause="§一"),
    )  # fmt: skip
    ask = ObtainRequest(policy="wenzhou-2021", plan=plan)
    got = await env.run(acts.obtain, ask)
    assert got.counted["public_notice"].date == dt.date(2026, 3, 9)
    assert got.settings == {"year_target": 12}
    assert got.claims["enterprise:E1"].granted and got.slot is not None and got.slot.granted
    assert await env.run(acts.obtain, ask) == got  # retried: granted again, no second place
    assert real_store.held(CASE) == ["p"]
    other = ObtainRequest(policy="wenzhou-2021", plan=plan.model_copy(update={"claims": [
        ClaimRequest(key="enterprise:E1", holder="case-b", what="pilot E1", clause="§X")
    ]}))  # fmt: skip
    refused = await env.run(acts.obtain, other)
    assert not refused.claims["enterprise:E1"].granted and refused.slot is None  # no place asked
    (folder / "2026.toml").write_text("year = 2026\nnotice = \n", encoding="utf-8")
    with pytest.raises(ApplicationError) as failed:
        await env.run(acts.obtain, ask)
    assert failed.value.details == ("the working-day calendar",)
