"""The case rules as pure functions: no Temporal, no store, no clock."""

import datetime as dt

import pytest

from lifecycle.calendar import SHANGHAI
from lifecycle.domain import decide
from lifecycle.domain.application import Application, findings
from lifecycle.domain.case import Action, Actor, Case, CaseDeadline
from lifecycle.domain.credit_code import complete
from lifecycle.domain.states import CaseState
from lifecycle.policies import load_pack
from lifecycle.policies.schema import Round

AT = dt.datetime(2025, 9, 26, 10, tzinfo=SHANGHAI)
QINGDAO = load_pack("qingdao-2024")
CODE = complete("91370212MA3QD0001")


def case(state: CaseState = CaseState.SUBMITTED, **facts) -> Case:
    app = Application(
        name="甲",
        credit_code=CODE,
        district="市南区",
        provider_type="product",
        sectors=["auto_parts"],
        credit_report="r",
        facts=facts or {"own_ip": True, "sector_cases": 3, "technical_staff": 3},
    )
    return Case(
        case_id="c",
        policy=QINGDAO.id,
        round="r",
        credit_code=CODE,
        name=app.name,
        district=app.district,
        provider_type="product",
        sectors=app.sectors,
        state=state,
        findings=findings(QINGDAO, app),
    )


def act(trigger: str, actor: str, reason: str = "", **data) -> Action:
    return Action(trigger=trigger, actor=Actor.parse(actor), reason=reason, data=data)


def test_apply_moves_the_machine_and_writes_one_entry():
    c = case()
    entry = decide.apply(c, QINGDAO, act("begin_review", "bureau_officer:li"), AT)
    assert (entry.seq, entry.from_state, entry.to_state, entry.clause) == (
        1,
        CaseState.SUBMITTED,
        CaseState.PRELIMINARY_REVIEW,
        "§三(二)",
    )
    assert c.state == CaseState.PRELIMINARY_REVIEW and c.history == [entry]


def test_a_refused_action_is_not_applied():
    c = case()
    with pytest.raises(ValueError, match="not allowed while the case is submitted"):
        decide.apply(c, QINGDAO, act("publicise", "bureau_officer:li"), AT)
    assert c.state == CaseState.SUBMITTED and c.history == []


def test_objection_lifecycle_and_the_window():
    c = case(CaseState.PUBLICITY)
    decide.apply(c, QINGDAO, act("object", "public:a", "材料不实"), AT)
    c.deadlines["public_notice"] = CaseDeadline(
        name="public_notice",
        state=CaseState.PUBLICITY,
        date=dt.date(2025, 10, 9),
        closes_at=AT,
        provisional=False,
        fires="list",
    )
    decide.expire(c, "public_notice")
    assert c.window_closed and decide.follow_up(c, QINGDAO, AT) == []  # held: objection open
    decide.apply(c, QINGDAO, act("dismiss_objection", "bureau_officer:li", "不成立"), AT)
    listed = decide.follow_up(c, QINGDAO, AT)
    assert [e.action for e in listed] == ["list"] and c.state == CaseState.LISTED


def test_which_objection_must_be_named_when_several_are_open():
    c = case(CaseState.PUBLICITY)
    decide.apply(c, QINGDAO, act("object", "public:a", "一"), AT)
    decide.apply(c, QINGDAO, act("object", "public:b", "二"), AT)
    reason = decide.refusal(c, QINGDAO, act("uphold_objection", "bureau_officer:li", "属实"))
    assert "several objections are undecided ([1, 2])" in reason
    decide.apply(c, QINGDAO, act("uphold_objection", "bureau_officer:li", "属实", objection=2), AT)
    assert c.state == CaseState.REJECTED
    assert [o.status for o in c.objections] == ["open", "upheld"]


def test_round_deadlines_follow_the_state():
    rnd = Round(
        applications_close=dt.date(2025, 9, 30), preliminary_review_due=dt.date(2025, 10, 10)
    )
    c = case()
    [close] = decide.round_deadlines(c, QINGDAO, rnd)
    assert (close.name, close.fires, close.closes_at.isoformat()) == (
        "applications_close",
        "begin_review",
        "2025-10-01T00:00:00+08:00",
    )
    c.state = CaseState.PRELIMINARY_REVIEW
    [due] = decide.round_deadlines(c, QINGDAO, rnd)
    assert (due.name, due.fires) == ("preliminary_review_due", None)  # overdue, never decided


def test_selection_query_only_where_the_pack_limits_selection():
    c = case(CaseState.EXPERT_REVIEW)
    query = decide.selection_query(c, QINGDAO, act("publicise", "bureau_officer:li"))
    assert (query.provider_type, query.sectors, query.maximum) == ("product", ["auto_parts"], 20)
    wenzhou = load_pack("wenzhou-2021")
    assert decide.selection_query(c, wenzhou, act("publicise", "bureau_officer:li")) is None


def test_findings_come_from_the_pack_requirements():
    c = case(own_ip=False, sector_cases=1, technical_staff=0)
    assert [(f.id, f.clause) for f in c.findings] == [
        ("technical_team", "§二(一)3"),
        ("own_ip", "§二(三)"),
        ("product_cases", "§二(三)"),
    ]
