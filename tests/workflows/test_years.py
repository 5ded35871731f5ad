"""A case lives for years: its runs stay small, what it carries across continue-as-new does not
grow, its trail is whole in the store, and duplicates older than its memory are still caught."""

import datetime as dt

import pytest

from lifecycle.contracts import EVENT, ExternalEvent
from lifecycle.contracts.case import HISTORY_EVENTS
from lifecycle.domain.states import CaseState
from lifecycle.errors import LifecycleError
from tests.helpers import assert_eventually
from tests.workflows.cases import (
    OFFICER,
    assert_audit_matches,
    at,
    qingdao,
    req,
    rules_of_testland,
    runs,
    simple,
    to_publicity,
    trail,
)
from tests.workflows.test_admission import open_round

WEEK = dt.timedelta(days=7)


async def listed_testland(service, store, day: str = "2026-01-05") -> tuple[str, str]:
    rules = rules_of_testland()
    app = simple("testland-2026")
    case_id = await service.apply("testland-2026", app, "2026", now=at(day), rules=rules)
    await service.act(case_id, req("admit_directly", OFFICER))
    return case_id, f"provider:{app.credit_code}"


async def test_continue_as_new_forced_early_keeps_the_case(service, env, store):
    service.history_budget = 40
    rnd = open_round(store, "qingdao-2024")
    case_id = await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-26"))
    await to_publicity(service, case_id, preliminary=True)
    for n in range(1, 7):
        await service.act(case_id, req("object", f"public:p{n}", f"异议{n}"))
        await service.act(case_id, req("dismiss_objection", OFFICER, "不成立", objection=n))
    view = await service.view(case_id)
    assert view.run >= 3, "the runs continued as new"
    assert [o.status for o in view.case.objections] == ["dismissed"] * 6
    await env.sleep(dt.timedelta(days=14))  # the notice closes in a later run than it opened
    case = (await service.view(case_id)).case
    assert case.state == CaseState.LISTED
    assert_audit_matches(store, case)
    chain = await runs(service.client, case_id)
    assert len(chain) >= 3 and all(events < 4096 for events, _ in chain)


@pytest.mark.parametrize("budget", [HISTORY_EVENTS, 700], ids=["default budget", "small budget"])
async def test_three_years_of_weekly_reports(service, env, store, budget):
    service.history_budget = budget
    case_id, provider = await listed_testland(service, store)
    for _ in range(156):
        await service.act(case_id, req("submit_report", provider))
        await env.sleep(WEEK)
    view = await service.view(case_id)
    assert view.case.state == CaseState.LISTED and view.case.findings == []
    report = view.case.deadlines["weekly_report"]
    assert (report.open, report.period) == (True, "2029-W01")  # 156 weeks from 5 Jan 2026
    assert trail(store, case_id).count("submit_report") == 156
    assert_audit_matches(store, view.case)
    chain = await runs(service.client, case_id)
    # Three years of weekly reports fit in one run of the default budget (a change costs a
    # handful of events); the small budget continues as new several times.
    assert len(chain) >= (1 if budget == HISTORY_EVENTS else 3), chain
    assert all(events < 4096 for events, _ in chain), chain
    # The first run starts from the application alone; the next ones carry the case and the
    # last 64 request keys, a window that is full after the first continue-as-new.
    carried = [size for _, size in chain[1:]]
    assert max(carried, default=0) < 8192, carried
    if len(carried) >= 3:
        settled = carried[1:]
        assert max(settled) - min(settled) < 128, f"continue-as-new input grew: {carried}"
    assert len((await service.view(case_id)).model_dump_json()) < 6000


async def test_missed_reports_are_findings_that_count_up(service, env, store):
    case_id, provider = await listed_testland(service, store, "2026-03-02")
    await env.sleep(4 * WEEK)  # four weekly reports missed
    view = await service.view(case_id)
    [finding] = view.case.findings
    assert (finding.id, finding.times, finding.clause) == ("late_weekly_report", 3, "§2")
    assert trail(store, case_id).count("record_finding") == 3


async def test_duplicate_events_are_applied_once_however_old(service, env, store):
    case_id, provider = await listed_testland(service, store)
    handle = service.handle(case_id)

    def event(n: int) -> ExternalEvent:
        return ExternalEvent(event_id=f"platform-{n}", action="submit_report", actor=provider)

    for n in range(70):  # more than the case remembers
        await handle.signal(EVENT, event(n))
    await assert_eventually(lambda: _count(store, case_id, 70), timeout=60)
    for n in (0, 1, 69):  # two forgotten by the case, one it still remembers
        await handle.signal(EVENT, event(n))
    await service.act(case_id, req("submit_report", provider))  # orders after the signals
    assert trail(store, case_id).count("submit_report") == 71
    rows = {r.event_id for r in store.audit(case_id)}
    assert {f"platform-{n}" for n in range(70)} <= rows


async def test_a_refused_or_failing_event_never_fails_the_case(
    service, env, store, tmp_path, monkeypatch
):
    case_id, provider = await listed_testland(service, store)
    handle = service.handle(case_id)
    await handle.signal(EVENT, ExternalEvent(event_id="e1", action="exit", actor=provider))
    await handle.signal(EVENT, ExternalEvent(event_id="e2", action="fly", actor=provider))
    await handle.signal(EVENT, ExternalEvent(event_id="e3", action="x", actor="nobody"))
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "2026.toml").write_text("year = 2026\nnotice = \n", encoding="utf-8")
    monkeypatch.setenv("LIFECYCLE_CALENDAR_DIR", str(folder))
    # Meeting the weekly report starts next week's, which needs the (broken) calendar.
    await handle.signal(EVENT, ExternalEvent(event_id="e4", action="submit_report", actor=provider))
    with pytest.raises(LifecycleError, match="the working-day calendar cannot be used"):
        await service.act(case_id, req("submit_report", provider))  # waits for e4's handler
    monkeypatch.delenv("LIFECYCLE_CALENDAR_DIR")
    result = await service.act(case_id, req("submit_report", provider))
    assert result.state == CaseState.LISTED
    assert trail(store, case_id) == ["apply", "admit_directly", "submit_report"]


async def _count(store, case_id: str, n: int) -> bool:
    return trail(store, case_id).count("submit_report") == n
