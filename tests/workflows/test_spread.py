"""A deadline's firing spread over the bureau's window (LIFECYCLE_DEADLINE_SPREAD), on the
time-skipping server: the case applies it at its own share of the window, dated when it fell due;
an action or event that comes in the window applies it first and is judged on the case as it
then stands (engine 5's due-first)."""

import datetime as dt

import pytest

from lifecycle.app.cases import stamped
from lifecycle.app.views.cases import case_json, case_text
from lifecycle.contracts import ACT, EVENT, ActResult, ExternalEvent
from lifecycle.domain.states import CaseState
from lifecycle.errors import Refused
from tests.helpers import sharing
from tests.workflows.cases import DISTRICT, OFFICER, at, qingdao, req, trail

WINDOW = 6 * 3600  # the widest spread a bureau may set
CLOSE = dt.date(2026, 3, 2)  # Monday: the round's applications close at 24:00 (Tue 00:00)
CLOSES_AT = dt.datetime(2026, 3, 3, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def spread(service):
    """The tests' service, its cases' deadlines spread over WINDOW seconds."""
    service.spread = WINDOW
    return service


def round_closing(store) -> str:
    store.set_round(
        "qingdao-2024",
        "s",
        applications_close=CLOSE,
        preliminary_review_due=CLOSE + dt.timedelta(days=10),
        expert_review_due=None,
    )
    return "s"


async def submitted(spread, store) -> tuple[str, dt.timedelta]:
    """A qingdao-2024 case waiting for its round's close, and its share of the window."""
    # A provider whose case's share of the window is between 1 and 5 hours: long enough to act
    # inside it, short of its end.
    code, offset = sharing("qingdao-2024", "s", WINDOW, 3600, 5 * 3600, "91370200MA3T")
    app = qingdao(credit_code=code)
    case_id = await spread.apply("qingdao-2024", app, round_closing(store), now=at("2026-03-02"))
    return case_id, offset


async def until(env, service, case_id: str, instant: dt.datetime) -> None:
    """Skips to business ``instant`` (the cases' business day is a real day here)."""
    clock = (await service.view(case_id)).clock
    await env.sleep(instant - clock.now(await env.get_current_time()))


async def test_deadline_applied_at_the_case_share_of_the_window_dated_when_due(spread, env, store):
    case_id, offset = await submitted(spread, store)
    await until(env, spread, case_id, CLOSES_AT + offset / 2)
    view = await spread.view(case_id)
    assert view.case.state == CaseState.SUBMITTED  # due, not applied yet: its share is later
    assert view.case.deadlines["applications_close"].closes_at == CLOSES_AT
    # What a person reading it is told (case show): fallen due, applied at the case's turn.
    real = await env.get_current_time()
    assert [(d["name"], d["due"]) for d in case_json(view, None, real=real)["deadlines"]] == [
        ("applications_close", True)
    ]
    assert (
        "deadline applications_close: 2026-03-02 24:00 (fell due: applied at the case's turn, "
        "or first by the next action)"
    ) in case_text(view, None, real=real)
    await until(env, spread, case_id, CLOSES_AT + offset + dt.timedelta(seconds=5))
    assert (await spread.view(case_id)).case.state == CaseState.PRELIMINARY_REVIEW
    audit = store.audit(case_id)
    assert [r.action for r in audit] == ["apply", "begin_review"]
    assert audit[-1].actor_role == "system" and audit[-1].at == CLOSES_AT  # dated when due
    # The next deadline (the district's review, 10 days on) is spread by the same share.
    review = (await spread.view(case_id)).case.deadlines["preliminary_review_due"]
    await until(env, spread, case_id, review.closes_at + offset - dt.timedelta(seconds=5))
    assert not (await spread.view(case_id)).case.deadlines["preliminary_review_due"].expired
    await until(env, spread, case_id, review.closes_at + offset + dt.timedelta(seconds=5))
    assert (await spread.view(case_id)).case.deadlines["preliminary_review_due"].expired


async def test_action_in_the_window_applies_what_fell_due_first(spread, env, store):
    """The district's pass comes after the close, before the case's share of the window: the
    close's review begins first (dated at 24:00), then the pass is judged on the case under
    review and accepted, though the case as last read was still submitted (its read number
    counts as current: nobody could read the close's change before it was applied)."""
    case_id, offset = await submitted(spread, store)
    await until(env, spread, case_id, CLOSES_AT + offset / 3)
    read = (await spread.view(case_id)).case
    assert read.state == CaseState.SUBMITTED
    action = req("pass_preliminary", DISTRICT).model_copy(update={"expected_seq": read.seq})
    result = await spread.act(case_id, action)
    assert result.state == CaseState.EXPERT_REVIEW
    assert trail(store, case_id) == ["apply", "begin_review", "pass_preliminary"]
    audit = store.audit(case_id)
    assert audit[1].at == CLOSES_AT and audit[2].at > CLOSES_AT
    # A read older than that is stale, as ever.
    stale = req("score", "expert:panel-1", score=80, rank=1, recommended=True)
    with pytest.raises(Refused, match=f"changed since it was read at #{read.seq}"):
        await spread.act(case_id, stale.model_copy(update={"expected_seq": read.seq}))


async def test_refused_action_in_the_window_still_applies_what_fell_due(spread, env, store):
    """The bureau's begin_review, sent after the close, is refused (the close began the review
    at 24:00), and the close's change is recorded even so; nothing is applied twice when the
    case's share of the window comes."""
    case_id, offset = await submitted(spread, store)
    await until(env, spread, case_id, CLOSES_AT + offset / 3)
    with pytest.raises(Refused, match="begin_review"):
        await spread.act(case_id, req("begin_review", OFFICER))
    assert (await spread.view(case_id)).case.state == CaseState.PRELIMINARY_REVIEW
    assert trail(store, case_id) == ["apply", "begin_review"]
    assert store.case(case_id).state == "preliminary_review"
    await until(env, spread, case_id, CLOSES_AT + offset + dt.timedelta(minutes=1))
    assert trail(store, case_id) == ["apply", "begin_review"]


async def test_event_in_the_window_applies_what_fell_due_first(spread, env, store):
    """Another system's event is judged the same way: the close first, then the event."""
    case_id, offset = await submitted(spread, store)
    await until(env, spread, case_id, CLOSES_AT + offset / 3)
    event = ExternalEvent(event_id="spread-e1", action="pass_preliminary", actor=DISTRICT)
    await spread.client.get_workflow_handle(case_id).signal(EVENT, event)
    await env.sleep(dt.timedelta(seconds=30))
    assert (await spread.view(case_id)).case.state == CaseState.EXPERT_REVIEW
    assert trail(store, case_id) == ["apply", "begin_review", "pass_preliminary"]


async def test_no_spread_fires_at_the_deadline(service, env, store):
    """Without a spread (a faster business clock, or the bureau's 0) the case applies the
    deadline when it falls due."""
    case_id = await service.apply(
        "qingdao-2024", qingdao(), round_closing(store), now=at("2026-03-02")
    )
    assert service.spread == 0
    await until(env, service, case_id, CLOSES_AT + dt.timedelta(seconds=5))
    assert (await service.view(case_id)).case.state == CaseState.PRELIMINARY_REVIEW


async def test_action_sent_before_the_deadline_is_judged_on_the_case_as_it_stood(
    spread, env, store
):
    """The bureau's begin_review sent at 23:50, before the close, reaches the case only in the
    window (straight through Temporal, as a request held up on its way would): it is judged on
    the case as it stood when sent (submitted) and accepted, and the close, which fell due only
    after it was sent, no longer applies (the review had begun)."""
    case_id, offset = await submitted(spread, store)
    await until(env, spread, case_id, CLOSES_AT - dt.timedelta(minutes=10))
    early = stamped(case_id, req("begin_review", OFFICER), await env.get_current_time())
    await until(env, spread, case_id, CLOSES_AT + offset / 3)
    handle = spread.client.get_workflow_handle(case_id)
    result = await handle.execute_update(ACT, early, result_type=ActResult)
    assert result.state == CaseState.PRELIMINARY_REVIEW
    await until(env, spread, case_id, CLOSES_AT + offset + dt.timedelta(minutes=1))
    audit = store.audit(case_id)
    assert [(r.action, r.actor_role) for r in audit] == [
        ("apply", "provider"),
        ("begin_review", "bureau_officer"),
    ]
