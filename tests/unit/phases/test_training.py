"""Training events a listed provider files (wenzhou-2021 第十五条): what an event may be, the
10 working days before it, the district's review and the city's acceptance, and the
satisfaction that decides the subsidy; on a case with no server."""

import pytest

from tests.unit.phases.desk import OFFICER, Desk, Refused

DISTRICT = "district_officer:wang@鹿城区"


def filing(event: str = "2026-10-20", **change) -> dict:
    return {
        "event_date": event,
        "days": 0.5,
        "kind": "training",
        "participants": 60,
        "fee": 0,
        "industries": ["footwear"],
        **change,
    }


def provider(day: str = "2026-09-01") -> Desk:
    return Desk("wenzhou-2021", day=day, district="鹿城区", tracks=["training"])


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"fee": 100}, "training events are free for participants"),
        ({"days": 1.5}, "an event lasts at most 1 day"),
        ({"participants": 40}, "a training needs at least 50"),
        ({"kind": "lecture", "participants": 60}, "a lecture needs at least 100"),
        ({"industries": ["tea"]}, "industries"),
    ],
)
def test_an_event_outside_the_rules_is_refused_with_its_clause(change, rule):
    desk = provider()
    with pytest.raises(Refused, match=rule) as refused:
        desk.act("file_training", desk.provider, **filing(**change))
    assert "第十五条" in str(refused.value) or "industries" in rule
    assert desk.case.listed.filings == []


def test_filed_on_the_tenth_working_day_before_national_day_week_and_after():
    # The event is on Friday 16 October 2026; ten working days before it are 15, 14, 13, 12,
    # 10 (a make-up Saturday), 9 and 8 October, then 30, 29 and 28 September (the National
    # Day holiday, 1-7 October, not counted): filing on the 28th is on time.
    desk = provider("2026-09-28")
    entry = desk.act("file_training", desk.provider, **filing("2026-10-16"))
    assert entry.data["latest"] == "2026-09-28"
    late = provider("2026-09-29")
    with pytest.raises(Refused, match="after its latest on-time date 2026-09-28"):
        late.act("file_training", late.provider, **filing("2026-10-16"))


def test_review_acceptance_and_report_decide_the_subsidy():
    desk = provider()
    desk.act("file_training", desk.provider, **filing())
    [held] = desk.case.listed.filings
    assert "review_training" in desk.open_actions and "report_training" not in desk.open_actions
    with pytest.raises(Refused, match="may not act on a case of district"):
        desk.act("review_training", "district_officer:zhao@瓯海区", filing=held.id, approved=True)
    with pytest.raises(Refused, match="this step needs it reviewed"):
        desk.act("accept_training", OFFICER, filing=held.id)
    desk.act("review_training", DISTRICT, filing=held.id, approved=True)
    desk.act("accept_training", OFFICER, filing=held.id)
    with pytest.raises(Refused, match="report it after the event"):
        desk.act("report_training", desk.provider, filing=held.id, attendance=70, satisfaction=90)
    desk.on("2026-10-21")
    entry = desk.act(
        "report_training", desk.provider, filing=held.id, attendance=70, satisfaction=79.5
    )
    assert (entry.data["subsidy_payable"], desk.case.listed.filings) == (False, [])


def test_a_filing_refused_by_the_district_needs_a_reason_and_ends():
    desk = provider()
    desk.act("file_training", desk.provider, **filing())
    [held] = desk.case.listed.filings
    with pytest.raises(Refused, match="refusing a filing needs a reason"):
        desk.act("review_training", DISTRICT, filing=held.id, approved=False)
    desk.act("review_training", DISTRICT, "议程不全", filing=held.id, approved=False)
    assert desk.case.listed.filings == []


def test_the_review_and_the_acceptance_are_due_by_the_latest_on_time_date_too():
    # 第十五条(四): reviewed by the district and filed with the city 10 working days before the
    # event; a filing made on its last day and reviewed or accepted later lapses.
    desk = provider("2026-09-28")
    desk.act("file_training", desk.provider, **filing("2026-10-16"))
    [held] = desk.case.listed.filings
    desk.act("review_training", DISTRICT, filing=held.id, approved=True)
    desk.on("2026-09-29")
    with pytest.raises(
        Refused, match="accepted on 2026-09-29, after its latest on-time date"
    ) as late:
        desk.act("accept_training", OFFICER, filing=held.id)
    assert "wenzhou-2021 第十五条" in str(late.value)
    second = provider("2026-09-28")
    second.act("file_training", second.provider, **filing("2026-10-16"))
    second.on("2026-09-29")
    [held] = second.case.listed.filings
    with pytest.raises(Refused, match="reviewed on 2026-09-29, after its latest"):
        second.act("review_training", DISTRICT, filing=held.id, approved=True)
    # Refusing it stays possible; the next filing sweeps the lapsed one away.
    second.act("file_training", second.provider, **filing("2026-11-20"))
    assert [f.event_date.isoformat() for f in second.case.listed.filings] == ["2026-11-20"]


def test_training_aimed_at_service_institutions_is_exempt_from_the_participant_minimum():
    # 第十五条(二): "除面向咨询(培训)服务机构的培训外 … 50人以上".
    desk = provider()
    small = filing(participants=20, audience="service_institutions")
    entry = desk.act("file_training", desk.provider, **small)
    assert entry.data["audience"] == "service_institutions"
    with pytest.raises(Refused, match="a training needs at least 50"):
        desk.act("file_training", desk.provider, **filing(participants=20))
    with pytest.raises(Refused, match="audience"):
        desk.act("file_training", desk.provider, **filing(audience="the public"))
