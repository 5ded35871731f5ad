"""The case rules as pure functions: no Temporal, no store, no clock."""

import datetime as dt

import pytest

from lifecycle.calendar import SHANGHAI
from lifecycle.domain import decide, registry
from lifecycle.domain.actors import SYSTEM, Actor
from lifecycle.domain.application import Application, findings
from lifecycle.domain.case import Action, Case
from lifecycle.domain.credit_code import complete
from lifecycle.domain.plan import Counted, Obtained, SlotResult
from lifecycle.domain.states import CaseState
from lifecycle.policies import load_pack
from lifecycle.policies.schema import Round

AT = dt.datetime(2025, 9, 26, 10, tzinfo=SHANGHAI)
QINGDAO = load_pack("qingdao-2024")
CODE = complete("91370212MA3QD0001")
ROUND = Round()
NOTICE = Counted(
    date=dt.date(2025, 10, 9),
    provisional=False,
    closes_at=dt.datetime(2025, 10, 10, tzinfo=SHANGHAI),
)


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


def apply(c: Case, action: Action, obtained: Obtained | None = None):
    return decide.apply(c, QINGDAO, action, obtained or Obtained(), AT, ROUND)


def publicised(c: Case) -> None:
    c.expert_review = None
    apply(c, act("score", "expert:p", score=90, rank=1, recommended=True))
    slot = SlotResult(granted=True, capacity=20, clause="§一")
    publicise = act("publicise", "bureau_officer:li").model_copy(update={"slot": slot})
    apply(c, publicise, Obtained(counted={"public_notice": NOTICE}, slot=slot))


def test_apply_moves_the_machine_and_numbers_the_entry():
    c = case()
    entry = apply(c, act("begin_review", "bureau_officer:li"))
    assert (entry.seq, entry.from_state, entry.to_state, entry.clause) == (
        1,
        CaseState.SUBMITTED,
        CaseState.PRELIMINARY_REVIEW,
        "§三(二)",
    )
    assert c.state == CaseState.PRELIMINARY_REVIEW and c.seq == 1
    assert c.entered_on == AT.date()


def test_a_refused_action_is_not_applied():
    c = case()
    with pytest.raises(ValueError, match="not allowed while the case is submitted"):
        apply(c, act("publicise", "bureau_officer:li"))
    assert c.state == CaseState.SUBMITTED and c.seq == 0


def test_publicise_needs_the_notice_counted_and_a_place_reserved_first():
    c = case(CaseState.EXPERT_REVIEW)
    apply(c, act("score", "expert:p", score=90, rank=1, recommended=True))
    plan = decide.plan(c, QINGDAO, act("publicise", "bureau_officer:li"), AT, ROUND)
    [notice] = plan.deadlines
    assert (notice.name, notice.rule, notice.date, notice.working_days) == (
        "public_notice",
        "window",
        AT.date(),
        5,
    )
    assert plan.reservation is not None
    assert plan.reservation.pools == {
        "qingdao-2024:r:selection:product:auto_parts": "the product selection in sector auto_parts"
    }
    assert (plan.reservation.capacity, plan.reservation.clause) == (20, "qingdao-2024 §一")


def test_a_full_pool_refuses_naming_the_cap_and_its_clause():
    c = case(CaseState.EXPERT_REVIEW)
    apply(c, act("score", "expert:p", score=90, rank=1, recommended=True))
    full = SlotResult(
        granted=False,
        held=20,
        capacity=20,
        what="the product selection in sector auto_parts",
        clause="qingdao-2024 §一",
    )
    refused = act("publicise", "bureau_officer:li").model_copy(update={"slot": full})
    assert decide.refusal(c, QINGDAO, refused) == (
        "'publicise' refused: the product selection in sector auto_parts already holds 20 of at "
        "most 20 (qingdao-2024 §一)."
    )


def test_objection_lifecycle_and_the_window():
    c = case(CaseState.EXPERT_REVIEW)
    publicised(c)
    assert c.state == CaseState.PUBLICITY and c.holds_slot
    assert c.deadlines["public_notice"].date == dt.date(2025, 10, 9)
    apply(c, act("object", "public:a", "材料不实"))
    decide.pass_deadline(c, QINGDAO, c.deadlines["public_notice"], AT)
    [listing] = decide.follow_ups(c, AT)
    assert listing.trigger == "list"
    assert "1 objection(s) are still undecided" in decide.refusal(c, QINGDAO, listing)
    apply(c, act("dismiss_objection", "bureau_officer:li", "不成立"))
    assert decide.refusal(c, QINGDAO, listing) is None
    apply(c, listing)
    assert c.state == CaseState.LISTED
    assert c.deadlines == {}  # the notice ran in publicity only; its trail is in the store


def test_which_objection_must_be_named_when_several_are_open():
    c = case(CaseState.EXPERT_REVIEW)
    publicised(c)
    apply(c, act("object", "public:a", "一"))
    apply(c, act("object", "public:b", "二"))
    reason = decide.refusal(c, QINGDAO, act("uphold_objection", "bureau_officer:li", "属实"))
    assert "several objections are undecided (1, 2); name the one decided with --data" in reason
    apply(c, act("uphold_objection", "bureau_officer:li", "属实", objection=2))
    assert c.state == CaseState.REJECTED
    assert [o.status for o in c.objections] == ["open", "upheld"]


def test_round_dates_start_as_deadlines_of_their_state():
    rnd = Round(
        applications_close=dt.date(2025, 9, 30), preliminary_review_due=dt.date(2025, 10, 10)
    )
    c = case()
    [close] = decide.deadlines.starting(QINGDAO, c, c.state, AT.date(), rnd)
    held = close.instance(None)
    assert (held.name, held.fires, held.closes_at.isoformat()) == (
        "applications_close",
        "begin_review",
        "2025-10-01T00:00:00+08:00",
    )
    c.deadlines[held.name] = held
    by_clock = Action(trigger="begin_review", actor=SYSTEM, reason="applications_close passed")
    decide.apply(c, QINGDAO, by_clock, Obtained(), AT, rnd)
    assert list(c.deadlines) == ["preliminary_review_due"]
    due = c.deadlines["preliminary_review_due"]
    assert (due.fires, due.overdue_mark) == (None, True)  # overdue, never decided by the clock


def test_wenzhou_has_no_selection_cap():
    c = case(CaseState.EXPERT_REVIEW)
    wenzhou = load_pack("wenzhou-2021")
    c.expert_review = None
    decide.apply(
        c,
        wenzhou,
        act("score", "expert:p", score=90, rank=1, recommended=True),
        Obtained(),
        AT,
        ROUND,
    )
    plan = decide.plan(c, wenzhou, act("publicise", "bureau_officer:li"), AT, ROUND)
    assert plan.reservation is None and [d.name for d in plan.deadlines] == ["public_notice"]


def test_findings_come_from_the_pack_requirements():
    c = case(own_ip=False, sector_cases=1, technical_staff=0)
    assert [(f.id, f.clause) for f in c.findings] == [
        ("technical_team", "§二(一)3"),
        ("own_ip", "§二(三)"),
        ("product_cases", "§二(三)"),
    ]


def test_every_handler_names_an_action_some_pack_has():
    triggers = {
        t.trigger
        for p in ("qingdao-2024", "wenzhou-2021", "guangzhou-2024", "wuhan-2021", "anhui-2019")
        for t in load_pack(p).transitions
    }
    assert set(registry.handlers()) <= triggers
    assert {h.phase for h in registry.handlers().values()} == {
        "admission",
        "listed",
        "evaluation",
        "rectification",
        "exit",
    }
