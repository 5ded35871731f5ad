"""What an operator can fix never fails a case: a malformed holiday file or a store that is down
is retried and shown, a person's action needing it is refused whole, and once fixed the case
goes on by itself."""

import contextlib
import datetime as dt
import shutil

import pytest
import sqlalchemy as sa
from temporalio.client import WorkflowExecutionStatus

from lifecycle.contracts import RecordInput
from lifecycle.contracts.case import STORE_BACK
from lifecycle.domain.states import CaseState
from lifecycle.errors import LifecycleError
from lifecycle.store.models import CaseRow
from tests.helpers import assert_eventually
from tests.workflows.cases import (
    DISTRICT,
    EXPERT,
    OFFICER,
    assert_audit_matches,
    at,
    holiday_file,
    qingdao,
    req,
    to_publicity,
    trail,
)
from tests.workflows.test_admission import open_round

DAY = dt.timedelta(days=1)
BROKEN = 'year = 2025\nnotice = "x"\n[[holidays]]\nname = "国庆"\nfirst = 2025-10-01\nlast = 2025-10-08\nmakeup = [2025-10-06]\n'


@pytest.fixture
def calendar_dir(tmp_path, monkeypatch):
    folder = tmp_path / "calendar"
    folder.mkdir()
    monkeypatch.setenv("LIFECYCLE_CALENDAR_DIR", str(folder))
    return folder


async def scored(service, store) -> str:
    rnd = open_round(store, "qingdao-2024")
    case_id = await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-26"))
    await service.act(case_id, req("begin_review", OFFICER))
    await service.act(case_id, req("pass_preliminary", DISTRICT))
    await service.act(case_id, req("score", EXPERT, score=86, rank=1, recommended=True))
    return case_id


async def test_publicise_with_a_malformed_holiday_file_is_refused_whole(
    service, store, calendar_dir
):
    case_id = await scored(service, store)
    bad = holiday_file(calendar_dir, 2025, BROKEN)
    first = req("publicise", OFFICER).model_copy(update={"request_id": "publicise-1"})
    with pytest.raises(LifecycleError) as refused:
        await service.act(case_id, first)
    assert str(refused.value) == (
        f"'publicise' was not applied: the working-day calendar cannot be used ({bad}, line 7: "
        "make-up day 2025-10-06 is a Monday, already a working day; make-up days (调休上班) fall "
        "on weekends); nothing was changed, so try again once it is fixed."
    )
    view = await service.view(case_id)
    assert view.case.state == CaseState.EXPERT_REVIEW and "public_notice" not in view.case.deadlines
    assert trail(store, case_id)[-1] == "score" and store.case(case_id).state == "expert_review"
    assert store.held(case_id) == []  # counted before reserving: nothing to give back
    bad.unlink()
    again = req("publicise", OFFICER).model_copy(update={"request_id": "publicise-1"})
    assert (await service.act(case_id, again)).state == CaseState.PUBLICITY  # decided afresh
    assert (await service.view(case_id)).case.deadlines["public_notice"].date == dt.date(
        2025, 10, 9
    )


async def test_a_malformed_file_arriving_while_a_case_waits_is_shown_then_recovered(
    service, env, store, calendar_dir
):
    case_id = await service.apply(
        "qingdao-2024", qingdao(), open_round(store, "qingdao-2024"), now=at("2027-09-28")
    )
    await to_publicity(service, case_id, preliminary=True)
    notice = (await service.view(case_id)).case.deadlines["public_notice"]
    assert (notice.date.isoformat(), notice.provisional) == ("2027-10-05", True)
    bad = holiday_file(calendar_dir, 2027, BROKEN.replace("2025", "2027"))
    await env.sleep(7 * DAY + dt.timedelta(hours=15))  # the provisional close passes
    view = await service.view(case_id)
    assert view.case.state == CaseState.PUBLICITY
    assert any("the working-day calendar" in t and str(bad) in t for t in view.trouble)
    handle = service.handle(case_id)
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    shown = await handle.query("__temporal_workflow_metadata")  # what the Web UI shows
    assert "⚠ Waiting: public_notice: the working-day calendar" in shown.current_details
    holiday_file(calendar_dir, 2027)  # the bureau fixes the file
    await env.sleep(dt.timedelta(hours=1))  # the case tries again by itself
    view = await service.view(case_id)
    assert view.trouble == []
    notice = view.case.deadlines["public_notice"]
    assert (notice.date.isoformat(), notice.provisional) == ("2027-10-09", False)
    assert trail(store, case_id)[-1] == "recount_deadline"
    await env.sleep(4 * DAY)
    assert (await service.view(case_id)).case.state == CaseState.LISTED


def _break(store, path):
    """The database becomes unusable (as if its server were down), then comes back."""
    engine = store.sessions.kw["bind"]
    engine.dispose()
    aside = path.with_suffix(".aside")
    shutil.move(path, aside)
    path.write_bytes(b"this is not a database " * 64)

    def restore():
        engine.dispose()
        path.unlink()
        shutil.move(aside, path)

    return restore


async def _passed_while_down(service, store, tmp_path):
    """A case whose district pass was decided while the store was down (not yet recorded),
    and how to bring the store back."""
    rnd = open_round(store, "qingdao-2024")
    case_id = await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-26"))
    await service.act(case_id, req("begin_review", OFFICER))
    restore = _break(store, tmp_path / "store.db")
    result = await service.act(case_id, req("pass_preliminary", DISTRICT))
    assert (result.state, result.recorded) == (CaseState.EXPERT_REVIEW, False)
    return case_id, restore


async def test_a_store_that_is_down_is_waited_for_and_caught_up(service, env, store, tmp_path):
    case_id, restore = await _passed_while_down(service, store, tmp_path)
    view = await service.view(case_id)
    assert view.unrecorded == 1 and any(t.startswith("the store") for t in view.trouble)
    restore()
    await env.sleep(dt.timedelta(minutes=15))
    view = await service.view(case_id)
    assert (view.unrecorded, view.trouble) == (0, [])
    assert trail(store, case_id) == ["apply", "begin_review", "pass_preliminary"]
    assert_audit_matches(store, view.case)


async def test_the_word_that_the_store_is_back_is_not_lost_to_a_try_that_fails(
    service, env, store, tmp_path
):
    """The worker says the store is back (STORE_BACK) and the try it prompts (or one under way
    then) still fails. The word is not lost: the case tries again at the first step of its
    schedule (10 s), not at its next (minutes later by then), so it catches up as soon as the
    store takes writes. (A worker killed during a try leaves it to time out, and no store error tells
    the worker to say so again.)"""
    case_id, restore = await _passed_while_down(service, store, tmp_path)
    # Its tries 10 s and 30 s apart fail (each try is 3 s of retries); the Signal then comes
    # half-way through the minute before its next try, not as that try falls due: the
    # time-skipping server refuses to cancel a timer that fired during the workflow task that
    # cancels it, and the case would stall there (temporalio/sdk-java#2606; the real server
    # takes it).
    for wait in (11, 31, 31):
        await env.sleep(dt.timedelta(seconds=wait))
    handle = service.client.get_workflow_handle(case_id)
    tries = await _failed_tries(handle)
    await handle.signal(STORE_BACK)  # said back, but not yet so: this try fails too
    await assert_eventually(lambda: _more(_failed_tries(handle), tries), timeout=30)
    restore()
    # Caught up within a minute of business time (its next try 10 s on, wherever a loaded machine
    # put the failed one), not at the next step of the schedule, 5 minutes or more away.
    view = None
    for _ in range(12):
        await env.sleep(dt.timedelta(seconds=5))
        with contextlib.suppress(AssertionError):
            view = await assert_eventually(lambda: _caught_up(service, case_id), timeout=3)
            break
    assert view is not None, await _why_not(service, handle)
    assert trail(store, case_id) == ["apply", "begin_review", "pass_preliminary"]
    assert_audit_matches(store, view.case)


async def _why_not(service, handle) -> str:
    """What the case waits on and the timeline of its tries, for a failure's message."""
    view = await service.view(handle.id)
    steps, kind = [], ""
    for e in (await handle.fetch_history()).events:
        kind = e.WhichOneof("attributes").removesuffix("_event_attributes")
        if kind.startswith(("timer_started", "activity_task_failed", "activity_task_completed",
                            "workflow_execution_signaled", "workflow_task_failed")):  # fmt: skip
            when = e.event_time.ToDatetime().strftime("%H:%M:%S")
            timer = e.timer_started_event_attributes.start_to_fire_timeout.ToSeconds()
            steps.append(f"{when} {kind}" + (f" {timer} s" if kind == "timer_started" else ""))
    # A history that ends at a workflow task started and never completed: the server refused
    # the worker's answer (the worker's log says why), not the case.
    return (
        f"not caught up within a minute of business time: waiting on {view.trouble}, "
        f"{view.unrecorded} unrecorded; " + "; ".join(steps) + f"; the history ends at {kind}"
    )


async def _failed_tries(handle) -> int:
    history = await handle.fetch_history()
    return sum(e.HasField("activity_task_failed_event_attributes") for e in history.events)


async def _more(value, than: int) -> bool:
    return await value > than


async def _caught_up(service, case_id):
    view = await service.view(case_id)
    return view if (view.unrecorded, view.trouble) == (0, []) else None


async def test_a_reservation_needs_the_store(service, env, store, tmp_path):
    case_id = await scored(service, store)
    restore = _break(store, tmp_path / "store.db")
    with pytest.raises(
        LifecycleError, match=r"^'publicise' was not applied: the store cannot be used"
    ):
        await service.act(case_id, req("publicise", OFFICER))
    restore()
    assert (await service.view(case_id)).case.state == CaseState.EXPERT_REVIEW
    assert (await service.act(case_id, req("publicise", OFFICER))).state == CaseState.PUBLICITY


async def test_a_store_that_lost_a_case_is_sent_it_whole(service, store):
    """Each record after a run's first sends only the case's change; a store restored from a
    copy taken before the case existed does not hold it, says so, and is sent the whole
    projection: the case goes on and the store holds it again."""
    rnd = open_round(store, "qingdao-2024")
    case_id = await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-26"))
    await service.act(case_id, req("begin_review", OFFICER))
    with store.sessions.begin() as s:  # the case's row lost (its audit rows are append-only)
        s.execute(sa.delete(CaseRow).where(CaseRow.case_id == case_id))
    result = await service.act(case_id, req("pass_preliminary", DISTRICT))
    assert result.recorded and result.state == CaseState.EXPERT_REVIEW
    row = store.case(case_id)
    assert (row.state, row.provider_name, row.policy) == (
        "expert_review",
        qingdao().name,
        "qingdao-2024",
    )
    history = await service.client.get_workflow_handle(case_id).fetch_history()
    records = [
        e
        for e in history.events
        if e.activity_task_scheduled_event_attributes.activity_type.name == "record_case"
    ]
    assert len(records) == 4  # apply (whole), begin_review (its change), the change, then whole
    assert [r.seq for r in store.audit(case_id)] == [1, 2, 3]
    sent = [
        (await service.client.data_converter.decode(
            e.activity_task_scheduled_event_attributes.input.payloads, [RecordInput]
        ))[0]
        for e in records
    ]  # fmt: skip
    # a change leaves the case's id out (its run's id names it); the whole projection names it
    assert [(r.snapshot or r.change).case_id for r in sent] == [case_id, "", "", case_id]
