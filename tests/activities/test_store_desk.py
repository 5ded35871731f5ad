"""The console's lists on real databases: the work waiting for a role (a district officer's
bound to its district, a provider's to its own cases), the soonest due first, counts per kind;
cases found by name, code, programme, district, state and next deadline, counts per state; a
newer projection replaces what a case waited for, an older one does not."""

import datetime as dt

from lifecycle.domain.states import Role
from lifecycle.domain.work import WorkItem
from lifecycle.store.desk import CaseFilter, Scope, WorkFilter
from tests.activities.test_store_core import T0, snapshot

DAY = dt.timedelta(days=1)


def item(kind: str, role: Role, due: dt.datetime | None = None, **extra) -> WorkItem:
    return WorkItem(
        kind=kind, role=role, actions=["x"], clause="qingdao-2024 §三(二)", due=due, **extra
    )


def put(store, case_id: str, state: str, seq: int, work: list[WorkItem], **fields) -> None:
    store.record(snapshot(case_id, state, seq, work=work, **fields), [])


def test_work_for_a_role_in_its_district_soonest_first_with_counts(real_store):
    put(
        real_store,
        "c1",
        "preliminary_review",
        1,
        [item("application", Role.DISTRICT_OFFICER, T0 + 3 * DAY)],
    )
    put(
        real_store,
        "c2",
        "preliminary_review",
        1,
        [item("application", Role.DISTRICT_OFFICER, T0 + DAY)],
    )
    put(real_store, "c3", "preliminary_review", 1, [item("application", Role.DISTRICT_OFFICER, T0)],
        district="市北区", credit_code="91370203MA3QD0002P", provider_name="乙")  # fmt: skip
    put(real_store, "c4", "publicity", 1, [item("objection", Role.BUREAU_OFFICER, T0 + DAY, ref="1"),
        item("objection", Role.BUREAU_OFFICER, T0 + DAY, ref="2")])  # fmt: skip
    desk = real_store.desk
    south = Scope("district_officer", district="市南区")
    assert [c.case_id for _, c in desk.work(south, WorkFilter())] == ["c2", "c1"]
    assert desk.work_counts(south, WorkFilter()) == {"application": 2}
    bureau = Scope("bureau_officer")
    assert [(w.ref, c.case_id) for w, c in desk.work(bureau, WorkFilter())] == [
        ("1", "c4"),
        ("2", "c4"),
    ]
    assert desk.work(bureau, WorkFilter(kind="application")) == []
    # A newer projection replaces the case's work; an older one (a retried record) does not.
    put(
        real_store,
        "c4",
        "publicity",
        2,
        [item("objection", Role.BUREAU_OFFICER, T0 + DAY, ref="2")],
    )
    put(real_store, "c4", "publicity", 1, [])
    assert [w.ref for w, _ in desk.work(bureau, WorkFilter())] == ["2"]
    provider = Scope("district_officer", credit_code="91370203MA3QD0002P")
    assert [c.case_id for _, c in desk.work(provider, WorkFilter())] == ["c3"]


def test_cases_found_by_what_staff_search_for_with_counts_per_state(real_store):
    put(real_store, "a", "listed", 1, [], next_deadline=T0 + 5 * DAY, provider_name="青岛甲科技")
    put(real_store, "b", "publicity", 1, [], next_deadline=T0 + DAY, provider_name="青岛乙_科技",
        credit_code="91370203MA3QD0002P", district="市北区")  # fmt: skip
    put(real_store, "c", "listed", 1, [], provider_name="丙", pending_decision="投诉达到3家")
    desk, everyone = real_store.desk, Scope("bureau_officer")
    assert [c.case_id for c in desk.cases(everyone, CaseFilter())] == ["b", "a", "c"]
    assert desk.state_counts(everyone, CaseFilter()) == {"listed": 2, "publicity": 1}
    assert [c.case_id for c in desk.cases(everyone, CaseFilter(text="青岛"))] == ["b", "a"]
    assert [c.case_id for c in desk.cases(everyone, CaseFilter(text="_"))] == ["b"]  # literal
    assert [c.case_id for c in desk.cases(everyone, CaseFilter(text="91370203"))] == ["b"]
    assert [c.case_id for c in desk.cases(everyone, CaseFilter(state="listed"))] == ["a", "c"]
    soon = CaseFilter(deadline_before=T0 + 2 * DAY)
    assert [c.case_id for c in desk.cases(everyone, soon)] == ["b"]
    assert [c.case_id for c in desk.cases(everyone, CaseFilter(pending=True))] == ["c"]
    assert [
        c.case_id for c in desk.cases(Scope("district_officer", district="市北区"), CaseFilter())
    ] == ["b"]
    assert desk.districts(everyone) == ["市北区", "市南区"]
