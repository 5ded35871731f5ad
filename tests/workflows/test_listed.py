"""The listed phase on the time-skipping server: quotas, service records, training filings
around holidays, complaints and the decision they open."""

import asyncio
import datetime as dt

import pytest

from lifecycle.contracts import EVENT, ExternalEvent
from lifecycle.domain.credit_code import complete
from lifecycle.errors import LifecycleError
from tests.helpers import assert_eventually
from tests.workflows.cases import OFFICER, assert_audit_matches, req, runs, trail
from tests.workflows.listed import listed

WENZHOU = "wenzhou-2021"


def target(store, year: int, value: int, policy: str = WENZHOU) -> None:
    store.set_setting(policy, f"city_diagnosis_target.{year}", value, dt.datetime.now(dt.UTC))


def enterprise(n: int) -> str:
    return complete(f"91330302MA2J{n:05d}")


def service_record(kind: str, day: str, n: int = 1, **extra):
    return {"kind": kind, "enterprise": enterprise(n), "district": "鹿城区", "date": day, **extra}


async def test_the_year_opens_with_caps_from_the_target_and_the_record(service, env, store):
    target(store, 2026, 120)
    case = await listed(service, env, store, WENZHOU, "2026-03-02")
    view = await service.view(case.case_id)
    quota = view.case.listed.quota
    assert (quota.year, quota.diagnosis_cap, quota.design_cap) == (2026, 12, 6)
    assert [p.clause for p in quota.parts] == ["第十条(一)"]
    assert trail(store, case.case_id)[-1] == "open_year"
    # The bureau records a ministry recognition and rates the provider excellent for 2026;
    # 2027 opens from the 2027 target with both.
    await service.act(case.case_id, req("set_provider_record", OFFICER, recognition="ministry"))
    await service.act(case.case_id, req("rate_excellent", OFFICER, year=2026))
    target(store, 2027, 200)
    await case.until(env, "2027-01-04")
    quota = (await service.view(case.case_id)).case.listed.quota
    assert (quota.year, quota.diagnosis_cap, quota.design_cap) == (2027, 50, 25)
    assert [(p.clause, p.amount) for p in quota.parts] == [
        ("第十条(一)", 20),
        ("第十条(二)", 20),
        ("第十条(四)", 10),
    ]


async def test_a_year_without_its_target_waits_and_says_so(service, env, store):
    case = await listed(service, env, store, WENZHOU, "2026-03-02")
    view = await service.view(case.case_id)
    assert view.case.listed.quota is None
    assert any("city_diagnosis_target.2026" in t for t in view.trouble), view.trouble
    target(store, 2026, 100)
    await env.sleep(dt.timedelta(minutes=30))
    await assert_eventually(lambda: _quota_open(service, case.case_id), timeout=60)


async def _quota_open(service, case_id: str) -> bool:
    view = await service.view(case_id)
    return view.case.listed.quota is not None and not view.trouble


async def test_concurrent_records_never_exceed_the_cap(service, env, store):
    target(store, 2026, 30)  # diagnosis cap 3, design cap 1
    case = await listed(service, env, store, WENZHOU, "2026-03-02")
    await case.until(env, "2026-03-20")

    async def record(n: int, kind: str):
        try:
            return await service.act(
                case.case_id,
                req("record_service", case.provider, **service_record(kind, "2026-03-19", n)),
            )
        except LifecycleError as exc:
            return str(exc)

    results = await asyncio.gather(
        *(record(n, "diagnosis") for n in range(8)), *(record(100 + n, "design") for n in range(4))
    )
    refused = [r for r in results if isinstance(r, str)]
    assert len(results) - len(refused) == 4
    assert sum("diagnosis quota" in r for r in refused) == 5
    assert sum("design quota" in r for r in refused) == 3
    sample = next(r for r in refused if "diagnosis quota" in r)
    assert "3" in sample and "10% of the city's yearly diagnosis target 30: 3" in sample
    assert "第十条" in sample
    view = await service.view(case.case_id)
    assert view.case.listed.quota.used == {"diagnosis": 3, "design": 1}
    assert trail(store, case.case_id).count("record_service") == 4
    assert_audit_matches(store, view.case)


async def test_plagiarism_bars_purchased_services_until_the_year_ends(service, env, store):
    target(store, 2026, 100)
    target(store, 2027, 100)
    case = await listed(service, env, store, WENZHOU, "2026-03-02")
    with pytest.raises(LifecycleError, match="needs a reason"):
        await service.act(case.case_id, req("bar_purchase", OFFICER))
    await service.act(case.case_id, req("bar_purchase", OFFICER, "抄袭他人诊断报告"))
    await case.until(env, "2026-12-30")
    with pytest.raises(LifecycleError, match=r"2026 \(wenzhou-2021 第十六条\(四\)\).*2027-01-01"):
        await service.act(
            case.case_id,
            req("record_service", case.provider, **service_record("diagnosis", "2026-12-29")),
        )
    await case.until(env, "2027-01-05")
    result = await service.act(
        case.case_id,
        req("record_service", case.provider, **service_record("diagnosis", "2027-01-05")),
    )
    assert result.state.value == "listed"


@pytest.mark.parametrize(
    ("start", "event", "latest", "after"),
    [
        # National Day 2025: Sunday 28 Sep is a make-up working day, 1–8 Oct are off.
        ("2025-09-01", "2025-10-17", "2025-09-28", "2025-09-29"),
        # Spring Festival 2026: Saturday 14 Feb is a make-up working day, 15–23 Feb are off.
        ("2026-01-12", "2026-03-06", "2026-02-14", "2026-02-15"),
    ],
    ids=["national-day-2025", "spring-festival-2026"],
)
async def test_training_filed_on_its_last_on_time_date_and_after(
    service, env, store, start, event, latest, after
):
    target(store, int(start[:4]), 100)
    case = await listed(service, env, store, WENZHOU, start)
    filing = {
        "event_date": event,
        "days": 0.5,
        "kind": "training",
        "participants": 60,
        "fee": 0,
        "industries": ["footwear"],
    }
    await case.until(env, latest)
    await service.act(case.case_id, req("file_training", case.provider, **filing))
    await case.until(env, after)
    with pytest.raises(LifecycleError) as refused:
        await service.act(case.case_id, req("file_training", case.provider, **filing))
    assert f"after its latest on-time date {latest}" in str(refused.value)
    assert "wenzhou-2021 第十五条" in str(refused.value)
    [held] = (await service.view(case.case_id)).case.listed.filings
    assert (held.event_date.isoformat(), held.latest.isoformat()) == (event, latest)


async def _complaints(service, store, case_id: str, n: int) -> bool:
    return trail(store, case_id).count("complain") == n


@pytest.mark.parametrize(
    "senders", [(1, 2, 3), (7, 7, 7)], ids=["three-enterprises", "three-from-one"]
)
async def test_verified_complaints_open_a_decision_never_an_exit(service, env, store, senders):
    target(store, 2026, 100)
    service.history_budget = 120  # a continue-as-new between the complaints and the late copies
    case = await listed(service, env, store, WENZHOU, "2026-03-02")
    handle = service.handle(case.case_id)
    canary = "CANARY-投诉内容-7d1e"

    def complaint(i: int, sender: int) -> ExternalEvent:
        return ExternalEvent(
            event_id=f"hotline-{i}",
            action="complain",
            actor=f"enterprise:{enterprise(sender)}",
            reason=f"{canary} {i}",
        )

    for i, sender in enumerate(senders, 1):
        await handle.signal(EVENT, complaint(i, sender))
        await handle.signal(EVENT, complaint(i, sender))  # the same event, sent twice
    await assert_eventually(lambda: _complaints(service, store, case.case_id, 3), timeout=60)
    view = await service.view(case.case_id)
    assert [c.id for c in view.case.listed.complaints] == [1, 2, 3]
    await service.act(case.case_id, req("dismiss_complaint", OFFICER, "不属实", complaint=1))
    for n in (2, 3):
        await service.act(case.case_id, req("verify_complaint", OFFICER, complaint=n))
    assert (await service.view(case.case_id)).case.listed.decisions == []
    assert store.case(case.case_id).pending_decision is None
    # A fourth complaint, then every event again, late (after a continue-as-new).
    await handle.signal(EVENT, complaint(4, senders[0]))
    await assert_eventually(lambda: _complaints(service, store, case.case_id, 4), timeout=60)
    for _ in range(40):
        await service.act(case.case_id, req("set_provider_record", OFFICER, recognition=None))
    for i, sender in enumerate(senders, 1):
        await handle.signal(EVENT, complaint(i, sender))
    await handle.signal(EVENT, complaint(4, senders[0]))
    await service.act(case.case_id, req("verify_complaint", OFFICER, complaint=4))
    view = await service.view(case.case_id)
    assert view.run >= 2
    assert trail(store, case.case_id).count("complain") == 4, "each event applied once"
    [decision] = view.case.listed.decisions
    assert decision.kind == "complaints" and decision.clause == "第十六条(四)"
    assert view.case.state.value == "listed", "the engine never exits the provider itself"
    assert store.case(case.case_id).pending_decision == decision.text
    assert [r.case_id for r in store.cases(pending=True)] == [case.case_id]
    # The text is the enterprise's business: not in the case's id, memo or search attributes.
    described = await handle.describe()
    assert canary not in case.case_id
    assert canary not in repr(described.raw_description.workflow_execution_info)
    assert canary not in (await described.static_summary() or "")
    assert canary not in (await described.static_details() or "")
    await service.act(
        case.case_id, req("close_decision", OFFICER, "经研究, 予以警告", decision=decision.id)
    )
    assert store.case(case.case_id).pending_decision is None
    view = await service.view(case.case_id)
    assert view.case.listed.verified == {}, "decided: the count starts again"
    # Complaint 1 was dismissed; 2, 3 and the fourth (from the first sender) were verified.
    assert store.audit(case.case_id)[-1].data["verified"] == {
        enterprise(s): senders.count(s) for s in senders
    }
    assert_audit_matches(store, view.case)


async def test_one_provider_may_not_both_transform_and_assess_one_enterprise(service, env, store):
    first = await listed(service, env, store, "qingdao-2024", "2026-03-02")
    other = await listed(service, env, store, "qingdao-2024", "2026-03-02")

    def record(case, kind: str, n: int):
        return req("record_service", case.provider, **service_record(kind, "2026-03-03", n))

    for kind, then in (("transformation", "assessment"), ("assessment", "transformation")):
        n = 1 if kind == "transformation" else 2
        await service.act(first.case_id, record(first, kind, n))
        await service.act(first.case_id, record(first, kind, n))  # the same kind again: fine
        with pytest.raises(LifecycleError) as refused:
            await service.act(first.case_id, record(first, then, n))
        assert f"has recorded {kind} for enterprise {enterprise(n)}" in str(refused.value)
        assert "qingdao-2024 §二(一)7" in str(refused.value)
        await service.act(other.case_id, record(other, then, n))  # another provider may
    assert trail(store, first.case_id).count("record_service") == 4


GUANGZHOU = "guangzhou-2024"


async def test_a_missed_quarterly_report_is_a_finding_and_a_late_one_is_recorded_late(
    service, env, store
):
    case = await listed(service, env, store, GUANGZHOU, "2026-03-02")
    report = (await service.view(case.case_id)).case.deadlines["quarterly_self_report"]
    # 10 working days after 31 March 2026, Qingming (4–6 April) off: Wednesday 15 April.
    assert (report.period, report.date.isoformat()) == ("2026-Q1", "2026-04-15")
    await case.until(env, "2026-04-15", hour=23)
    assert store.notifications() != [] and (await service.view(case.case_id)).case.findings == []
    await case.until(env, "2026-04-16")
    view = await service.view(case.case_id)
    [finding] = view.case.findings
    assert (finding.id, finding.clause, finding.last_period) == ("late_report", "§4.4.2", "2026-Q1")
    assert view.case.deadlines["quarterly_self_report"].period == "2026-Q2"
    late = await service.act(case.case_id, req("submit_report", case.provider, period="2026-Q1"))
    assert late.state.value == "listed"
    row = store.audit(case.case_id)[-1]
    assert (row.action, row.data["period"], row.data["late"]) == ("submit_report", "2026-Q1", True)
    held = (await service.view(case.case_id)).case.deadlines["quarterly_self_report"]
    assert (held.period, held.met) == ("2026-Q2", False), "a late Q1 report does not meet Q2's"
    with pytest.raises(LifecycleError, match="owed for 2026-Q2 now"):
        await service.act(case.case_id, req("submit_report", case.provider, period="2026-Q3"))
    await case.until(env, "2026-07-06")
    await service.act(case.case_id, req("submit_report", case.provider))
    row = store.audit(case.case_id)[-1]
    assert (row.data["period"], row.data["late"]) == ("2026-Q2", False)
    view = await service.view(case.case_id)
    assert view.case.deadlines["quarterly_self_report"].period == "2026-Q3"
    assert [f.times for f in view.case.findings] == [1]


async def test_reminders_are_written_once_each_and_never_change_the_case(service, env, store):
    """(Across a worker restart: tests/e2e, the time-skipping server cannot stop a worker.)"""
    case = await listed(service, env, store, GUANGZHOU, "2026-03-02")
    seq = (await service.view(case.case_id)).case.seq
    await case.until(env, "2026-04-10")  # 3 working days before 15 April
    assert (await service.view(case.case_id)).case.seq == seq, "a reminder is not a change"
    rows = store.notifications()
    assert [(r.role, r.due.isoformat()) for r in rows] == [("provider", "2026-04-15")]
    assert rows[0].text == "季度绩效材料 (2026-Q1) due 2026-04-15 24:00: 请报送本季度绩效材料"
    await case.until(env, "2026-04-17")
    view = await service.view(case.case_id)
    assert view.case.seq == seq + 1  # the finding, nothing else
    roles = [(r.role, r.due.isoformat()) for r in store.notifications()]
    assert roles == [("provider", "2026-04-15"), ("bureau_officer", "2026-04-15")]
    assert [r.role for r in store.notifications(role="bureau_officer")] == ["bureau_officer"]
    assert store.notifications(due_from=dt.date(2026, 4, 16)) == []


async def test_a_change_reported_late_is_a_finding_and_a_new_name_shows_from_its_date(
    service, env, store
):
    case = await listed(service, env, store, GUANGZHOU, "2026-03-02")
    # 9 working days before Monday 23 March: one short of guangzhou-2024 §4.8's ten.
    await case.until(env, "2026-03-11")
    await service.act(
        case.case_id,
        req(
            "report_change",
            case.provider,
            changes=["name", "address"],
            name="广州新名称数字科技有限公司",
            effective="2026-03-23",
        ),
    )
    view = await service.view(case.case_id)
    [finding] = view.case.findings
    assert (finding.id, finding.clause) == ("late_change_notice", "§4.4.4")
    row = store.audit(case.case_id)[-1]
    assert row.data["latest"] == "2026-03-09"
    with pytest.raises(
        LifecycleError, match="takes effect on 2026-03-23; report the next one after"
    ):
        await service.act(
            case.case_id,
            req("report_change", case.provider, changes=["capital"], effective="2026-06-01"),
        )
    await case.until(env, "2026-03-23")
    assert (await service.view(case.case_id)).case.name != "广州新名称数字科技有限公司"
    await case.until(env, "2026-03-24")
    view = await service.view(case.case_id)
    assert view.case.name == "广州新名称数字科技有限公司" and view.case.listed.change is None
    assert store.case(case.case_id).provider_name == "广州新名称数字科技有限公司"
    assert trail(store, case.case_id)[-1] == "take_effect"
    # Reported in time (ten working days ahead): no finding.
    await service.act(
        case.case_id,
        req(
            "report_change", case.provider, changes=["legal_representative"], effective="2026-04-08"
        ),
    )
    assert [f.times for f in (await service.view(case.case_id)).case.findings] == [1]


async def test_partners_apply_with_documents_and_are_published_after_a_notice(service, env, store):
    case = await listed(service, env, store, GUANGZHOU, "2026-03-02")
    documents = {
        "licence": "营业执照.pdf",
        "legal_representative_id": "身份证.pdf",
        "audited_accounts": "2025审计报告.pdf",
    }
    one, two = enterprise(501), enterprise(502)
    with pytest.raises(LifecycleError, match="lacks credit_report.*guangzhou-2024 §4.6"):
        await service.act(
            case.case_id,
            req("apply_partner", case.provider, partner=one, name="生态一", documents=documents),
        )
    documents["credit_report"] = "信用报告.pdf"
    for code, name in ((one, "生态一"), (two, "生态二")):
        await service.act(
            case.case_id,
            req("apply_partner", case.provider, partner=code, name=name, documents=documents),
        )
        await service.act(case.case_id, req("review_partner", OFFICER, partner=code, approve=True))
    await service.act(case.case_id, req("publicise_partners", OFFICER))
    await service.act(case.case_id, req("object_partner", "public:p1", "资质存疑", partner=two))
    notice = (await service.view(case.case_id)).case.deadlines["partner_notice"]
    assert notice.date.isoformat() == "2026-03-13"  # 5 working days from Sunday 8 March
    await case.until(env, "2026-03-14")
    partners = (await service.view(case.case_id)).case.listed.partners
    assert partners[one].status == "published" and partners[two].status == "objected"
    await service.act(
        case.case_id, req("decide_partner", OFFICER, "异议不成立", partner=two, publish=True)
    )
    partners = (await service.view(case.case_id)).case.listed.partners
    assert {c: p.status for c, p in partners.items() if c in (one, two)} == {
        one: "published",
        two: "published",
    }


async def test_three_years_of_a_guangzhou_case_with_weekly_activity(service, env, store):
    case = await listed(service, env, store, GUANGZHOU, "2026-01-05")
    kinds = ("diagnosis", "transformation")
    for week in range(156):
        now = (await case.today(env)).date()
        record = service_record(kinds[week % 2], now.isoformat(), week)
        await service.act(case.case_id, req("record_service", case.provider, **record))
        if now.month in (1, 4, 7, 10) and now.day <= 7 and week:
            await service.act(case.case_id, req("submit_report", case.provider))
        await env.sleep(dt.timedelta(days=7))
    view = await service.view(case.case_id)
    assert view.case.state.value == "listed" and view.case.findings == []
    assert trail(store, case.case_id).count("record_service") == 156
    assert trail(store, case.case_id).count("submit_report") == 11  # Q1 2026 … Q3 2028
    assert_audit_matches(store, view.case)
    chain = await runs(service.client, case.case_id)
    print(f"runs (history events, start input bytes): {chain}")  # the README's figures (-s)
    assert len(chain) >= 12, "a run per quarter at least"
    assert all(events < 512 for events, _ in chain), chain  # far under Temporal's 4,096
    assert len(view.model_dump_json()) < 8000


async def test_a_training_filing_refused_by_its_rules_then_reviewed_held_and_reported(
    service, env, store
):
    target(store, 2026, 100)
    case = await listed(service, env, store, WENZHOU, "2026-03-02")
    good = {
        "event_date": "2026-04-24",
        "days": 1,
        "kind": "lecture",
        "participants": 120,
        "fee": 0,
        "industries": ["pumps_valves", "new_materials"],
    }
    for change, says in (
        ({"fee": 50}, "data fee is 50; training events are free"),
        ({"days": 1.5}, "data days is 1.5; an event lasts at most 1 day"),
        ({"participants": 99}, "data participants is 99; a lecture needs at least 100"),
        ({"industries": ["textiles"]}, "industries"),
    ):
        with pytest.raises(LifecycleError, match=says):
            await service.act(case.case_id, req("file_training", case.provider, **(good | change)))
    await service.act(case.case_id, req("file_training", case.provider, **good))
    [filing] = (await service.view(case.case_id)).case.listed.filings
    district = "district_officer:wang@鹿城区"
    with pytest.raises(LifecycleError, match="this step needs it reviewed"):
        await service.act(case.case_id, req("accept_training", OFFICER, filing=filing.id))
    await service.act(
        case.case_id, req("review_training", district, filing=filing.id, approved=True)
    )
    await service.act(case.case_id, req("accept_training", OFFICER, filing=filing.id))
    report = {"filing": filing.id, "attendance": 110, "satisfaction": 79.5}
    with pytest.raises(LifecycleError, match="report it after the event"):
        await service.act(case.case_id, req("report_training", case.provider, **report))
    await case.until(env, "2026-04-27")
    await service.act(case.case_id, req("report_training", case.provider, **report))
    row = store.audit(case.case_id)[-1]
    assert (row.action, row.data["subsidy_payable"]) == ("report_training", False)
    assert (await service.view(case.case_id)).case.listed.filings == []
