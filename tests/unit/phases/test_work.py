"""What a case waits for from people now (the inbox's rows): who is asked, the actions that
answer, the clause and when it is due; on a case with no server."""

from lifecycle.domain import work
from lifecycle.domain.states import CaseState, Role
from tests.unit.phases.desk import OFFICER, Desk
from tests.unit.phases.test_training import DISTRICT, filing, provider


def kinds(desk: Desk) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(i.kind, i.role.value, tuple(i.actions)) for i in work.items(desk.case, desk.pack)]


def test_an_application_waits_for_the_bureau_then_the_district_then_the_expert():
    desk = Desk("qingdao-2024", CaseState.SUBMITTED, district="市南区")
    assert kinds(desk) == [("application", "bureau_officer", ("begin_review",))]
    desk.act("begin_review", OFFICER)
    desk.start_deadlines()
    [review] = work.items(desk.case, desk.pack)
    assert (review.kind, review.role, review.actions) == (
        "application",
        Role.DISTRICT_OFFICER,
        ["pass_preliminary", "fail_preliminary"],
    )
    assert review.clause == "qingdao-2024 §三(二)"
    desk.act("pass_preliminary", "district_officer:wang@市南区", "核实无误")
    # Not scored: the expert is asked; the officer's selection waits for the score.
    assert kinds(desk) == [("expert_review", "expert", ("score",))]
    desk.act("score", "expert:p", score=90, rank=1, recommended=True)
    assert kinds(desk) == [("application", "bureau_officer", ("publicise", "not_select"))]


def test_each_open_objection_waits_for_the_bureau_by_the_notice_close():
    desk = Desk("wenzhou-2021", CaseState.EXPERT_REVIEW)
    desk.act("score", "expert:p", score=90, rank=1, recommended=True)
    desk.act("publicise", OFFICER, "材料已核实")
    desk.start_deadlines()
    assert kinds(desk) == []  # a notice with no objection asks no one anything
    desk.act("object", "public:a", "材料不实")
    desk.act("object", "public:b", "业绩造假")
    found = work.items(desk.case, desk.pack)
    assert [(i.kind, i.ref) for i in found] == [("objection", "1"), ("objection", "2")]
    notice = desk.case.next_deadline()
    assert notice is not None and {i.due for i in found} == {notice.closes_at}
    desk.act("dismiss_objection", OFFICER, "不成立", objection=1)
    assert [i.ref for i in work.items(desk.case, desk.pack)] == ["2"]


def test_a_training_filing_waits_for_the_district_then_the_city_by_its_latest_date():
    desk = provider()
    assert kinds(desk) == []
    desk.act("file_training", desk.provider, **filing())
    [review] = work.items(desk.case, desk.pack)
    latest = desk.case.listed.filings[0].latest
    assert (review.kind, review.role, review.actions, review.ref) == (
        "training",
        Role.DISTRICT_OFFICER,
        ["review_training"],
        "1",
    )
    assert review.due_date == latest
    desk.act("review_training", DISTRICT, filing=1, approved=True)
    assert kinds(desk) == [("training", "bureau_officer", ("accept_training",))]


def test_a_rectification_order_waits_for_the_provider_then_the_bureau():
    desk = Desk("guangzhou-2024")
    desk.act("order_rectification", OFFICER, "季度材料不规范", grounds="late_report")
    desk.start_deadlines()
    [owed] = [i for i in work.items(desk.case, desk.pack) if i.kind == "rectification"]
    assert (owed.role, owed.actions) == (Role.PROVIDER, ["submit_rectification"])
    assert owed.due_date == desk.case.listed.order.due
    desk.act("submit_rectification", desk.provider, "已整改")
    [decide] = [i for i in work.items(desk.case, desk.pack) if i.kind == "rectification"]
    assert (decide.role, decide.actions) == (
        Role.BUREAU_OFFICER,
        ["accept_rectification", "reject_rectification"],
    )


def test_a_report_owed_waits_for_the_provider_and_an_ended_case_for_no_one():
    desk = Desk("wuhan-2021")
    owed = [i for i in work.items(desk.case, desk.pack) if i.kind == "report"]
    assert owed and all(i.role == Role.PROVIDER and i.actions == ["submit_report"] for i in owed)
    assert owed[0].due is not None and "bureau setting" not in owed[0].clause
    desk.act("exit", OFFICER, "自愿退出", reason="voluntary")
    assert work.items(desk.case, desk.pack) == []
