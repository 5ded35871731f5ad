"""Rules change under running cases: a case keeps the version it was opened under until the
bureau moves it (audited), a move its new rules cannot hold is refused, and a calendar change
moves the deadlines it touches at once, recorded with the notice."""

import datetime as dt

import pytest

from lifecycle.contracts import CalendarNotice, MoveRequest
from lifecycle.domain.states import CaseState
from lifecycle.errors import LifecycleError
from lifecycle.policies import REGISTRY
from lifecycle.policies.loader import PACK_DIR, read_document
from tests.workflows.cases import (
    DISTRICT,
    EXPERT,
    OFFICER,
    at,
    holiday_file,
    qingdao,
    req,
    to_publicity,
    trail,
)
from tests.workflows.test_admission import open_round


def qingdao_version(mutate):
    doc = read_document(PACK_DIR / "qingdao-2024.toml")
    mutate(doc)
    return REGISTRY.add(doc)


def seven_day_notice(doc):
    next(d for d in doc["deadlines"] if d["name"] == "public_notice")["working_days"] = 7


def renamed_notice(doc):
    next(d for d in doc["deadlines"] if d["name"] == "public_notice")["name"] = "notice_period"


async def scored(service, store, **kwargs) -> str:
    rnd = open_round(store, "qingdao-2024")
    case_id = await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-26"), **kwargs)
    await service.act(case_id, req("begin_review", OFFICER))
    await service.act(case_id, req("pass_preliminary", DISTRICT))
    await service.act(case_id, req("score", EXPERT, score=86, rank=1, recommended=True))
    return case_id


async def test_a_running_case_keeps_its_rules_and_a_new_one_gets_the_new_version(service, store):
    old = REGISTRY.current("qingdao-2024")
    new = qingdao_version(seven_day_notice)
    kept = await scored(service, store)
    fresh = await scored(service, store, rules=new)
    for case_id in (kept, fresh):
        await service.act(case_id, req("publicise", OFFICER))
    kept_view, fresh_view = await service.view(kept), await service.view(fresh)
    assert (kept_view.rules, fresh_view.rules) == (old, new)
    assert kept_view.case.deadlines["public_notice"].date == dt.date(2025, 10, 9)  # 5 days
    assert fresh_view.case.deadlines["public_notice"].date == dt.date(
        2025, 10, 11
    )  # 7 days: Sat 11 Oct is a make-up day
    assert store.case(kept).rules_version == old.version


async def test_the_bureau_moves_a_case_to_newer_rules_with_an_audit_row(service, store):
    old = REGISTRY.current("qingdao-2024")
    new = qingdao_version(seven_day_notice)
    case_id = await scored(service, store)
    with pytest.raises(LifecycleError, match="only bureau_officer may"):
        await service.move(case_id, MoveRequest(version=new.version, actor=EXPERT, reason="x"))
    with pytest.raises(LifecycleError, match="needs a reason"):
        await service.move(case_id, MoveRequest(version=new.version, actor=OFFICER))
    with pytest.raises(LifecycleError, match="version 'abc' is not a version of qingdao-2024"):
        await service.move(case_id, MoveRequest(version="abc", actor=OFFICER, reason="x"))
    result = await service.move(
        case_id, MoveRequest(version=new.version, actor=OFFICER, reason="市局修订公示期")
    )
    assert result.state == CaseState.EXPERT_REVIEW
    [row] = [r for r in store.audit(case_id) if r.action == "move_rules"]
    assert (row.actor_role, row.actor_id, row.reason, row.clause) == (
        "bureau_officer",
        "li",
        "市局修订公示期",
        "engine rule",
    )
    assert row.data == {"from": old.version, "to": new.version}
    assert (await service.view(case_id)).rules == new
    await service.act(case_id, req("publicise", OFFICER))
    assert (await service.view(case_id)).case.deadlines["public_notice"].date == dt.date(
        2025, 10, 11
    )


async def test_a_move_the_new_rules_cannot_hold_is_refused(service, store):
    renamed = qingdao_version(renamed_notice)
    rnd = open_round(store, "qingdao-2024")
    case_id = await service.apply("qingdao-2024", qingdao(), rnd, now=at("2025-09-26"))
    await to_publicity(service, case_id, preliminary=True)
    rows = len(store.audit(case_id))
    with pytest.raises(LifecycleError) as refused:
        await service.move(case_id, MoveRequest(version=renamed.version, actor=OFFICER, reason="x"))
    assert str(refused.value) == (
        f"rules {renamed} do not declare the open deadline(s) public_notice in state "
        "'publicity'; the case cannot move there (engine rule)."
    )
    assert len(store.audit(case_id)) == rows
    assert (await service.view(case_id)).rules == REGISTRY.current("qingdao-2024")


async def test_a_calendar_loaded_for_a_year_moves_the_deadlines_it_touches_at_once(
    service, env, store, tmp_path, monkeypatch
):
    folder = tmp_path / "calendar"
    folder.mkdir()
    monkeypatch.setenv("LIFECYCLE_CALENDAR_DIR", str(folder))
    case_id = await service.apply(
        "qingdao-2024", qingdao(), open_round(store, "qingdao-2024"), now=at("2027-09-28")
    )
    await to_publicity(service, case_id, preliminary=True)
    assert store.cases_touching(2027) == [case_id]
    holiday_file(folder, 2027)
    told = await service.tell_calendar(
        CalendarNotice(year=2027, notice="国办发明电〔2026〕7号", event_id="calendar:2027:a")
    )
    assert told == [case_id]
    await service.act(case_id, req("object", "public:p", "异议"))  # orders after the signal
    notice = (await service.view(case_id)).case.deadlines["public_notice"]
    assert (notice.date.isoformat(), notice.provisional) == ("2027-10-09", False)
    [moved] = [r for r in store.audit(case_id) if r.action == "recount_deadline"]
    assert moved.reason == "公示 moved from 2027-10-05 to 2027-10-09: 国办发明电〔2026〕7号"
    assert (moved.actor_role, moved.clause) == ("system", "§三(四)")
    assert store.case(case_id).next_deadline == notice.closes_at
    await service.tell_calendar(  # told again (a retried command): nothing more happens
        CalendarNotice(year=2027, notice="国办发明电〔2026〕7号", event_id="calendar:2027:a")
    )
    await service.act(case_id, req("dismiss_objection", OFFICER, "不成立"))
    assert trail(store, case_id).count("recount_deadline") == 1
