"""Services a listed provider records and the yearly quota they count against (wenzhou-2021
第十条, 第十四条, 第十六条(四)), on a case with no server."""

import pytest

from lifecycle.domain.credit_code import complete
from tests.unit.phases.desk import OFFICER, Desk, Refused

TARGET = "city_diagnosis_target"


def enterprise(n: int = 1) -> str:
    return complete(f"91330302MA2J{n:05d}")


def service(kind: str = "diagnosis", day: str = "2026-03-03", n: int = 1, **extra) -> dict:
    return {"kind": kind, "enterprise": enterprise(n), "district": "鹿城区", "date": day, **extra}


def opened(target: int = 120, day: str = "2026-03-02") -> Desk:
    desk = Desk("wenzhou-2021", day=day, tracks=["consulting"])
    desk.settings[f"{TARGET}.{day[:4]}"] = target
    desk.on("2026-03-03", 9)  # the listing day ended: the year opens from the bureau's target
    return desk


def test_the_year_waits_for_the_bureaus_target_then_opens_with_its_caps():
    desk = Desk("wenzhou-2021", tracks=["consulting"])
    desk.on("2026-03-03")
    assert desk.case.listed.quota is None and desk.waiting == [
        "open_year: city_diagnosis_target.2026 is not set"
    ]
    desk.settings[f"{TARGET}.2026"] = 125
    desk.on("2026-03-03", 11)
    quota = desk.case.listed.quota
    # 10% of 125, rounded down; design plans at most half of that (第十条(一), (二)).
    assert (quota.year, quota.diagnosis_cap, quota.design_cap) == (2026, 12, 6)


def test_the_cap_refuses_a_purchased_diagnosis_over_it_with_its_parts():
    desk = opened()
    desk.act("record_service", desk.provider, **service())
    assert desk.case.listed.quota.used == {"diagnosis": 1}
    with pytest.raises(Refused, match=r"the 2026 diagnosis quota \(10% of the city's yearly"):
        desk.act("record_service", desk.provider, granted=False, **service(n=2))
    assert desk.case.listed.quota.used == {"diagnosis": 1}


def test_recognition_and_excellence_raise_the_next_years_cap():
    desk = opened()
    desk.act("set_provider_record", OFFICER, recognition="ministry")
    desk.act("rate_excellent", OFFICER, year=2026)
    desk.settings[f"{TARGET}.2027"] = 120
    desk.on("2027-01-01", 1)
    quota = desk.case.listed.quota
    # 12 + 20 (a ministry recognition) + 10 (excellent last year) (第十条(一), (二), (四)).
    assert (quota.year, quota.diagnosis_cap) == (2027, 42)
    assert [p.clause for p in quota.parts] == ["第十条(一)", "第十条(二)", "第十条(四)"]


def test_a_service_dated_after_today_or_in_a_year_not_open_is_refused():
    desk = opened()
    with pytest.raises(Refused, match=r"date is 2026-03-04, after today \(2026-03-03\)"):
        desk.act("record_service", desk.provider, **service(day="2026-03-04"))
    with pytest.raises(Refused, match="the 2025 quota is not open"):
        desk.act("record_service", desk.provider, **service(day="2025-12-30"))


def test_plagiarism_bars_purchased_services_for_the_year_only():
    desk = opened()
    with pytest.raises(Refused, match="needs a reason"):
        desk.act("bar_purchase", OFFICER)
    desk.act("bar_purchase", OFFICER, "抄袭他人诊断报告")
    with pytest.raises(Refused, match="lost its eligibility for purchased services for 2026"):
        desk.act("record_service", desk.provider, **service())
    desk.act("record_service", desk.provider, **service(purchased=False))  # unpaid work: kept


def test_one_provider_may_not_both_transform_and_assess_a_pilot_enterprise():
    desk = Desk("qingdao-2024", day="2026-03-03", provider_type="product", sectors=["auto_parts"])
    desk.act("record_service", desk.provider, **service("transformation"))
    with pytest.raises(Refused, match="may not both transformation and assessment"):
        desk.act("record_service", desk.provider, held_by="transformation", **service("assessment"))


def test_another_providers_action_on_this_case_is_refused():
    desk = opened()
    other = complete("91330300MA2AW0009")
    with pytest.raises(Refused, match=f"provider '{other}' may act only on its own case"):
        desk.act("record_service", f"provider:{other}", **service())


def test_excellence_named_after_the_year_opened_raises_the_open_year():
    # 第十条(四): last year's excellent are named after 1 January; the year already open gets
    # the +10 (or +20 for two years running), and what was used stays counted.
    desk = opened()
    desk.act("rate_excellent", OFFICER, year=2025)
    desk.settings[f"{TARGET}.2027"] = 120
    desk.on("2027-01-01", 1)
    desk.act("record_service", desk.provider, **service(day="2027-01-01"))
    before = desk.case.listed.quota
    assert (before.year, before.diagnosis_cap, before.used) == (2027, 12, {"diagnosis": 1})
    entry = desk.act("rate_excellent", OFFICER, year=2026)
    after = desk.case.listed.quota
    assert (after.diagnosis_cap, after.design_cap, after.used) == (32, 16, {"diagnosis": 1})
    assert entry.data["quota"]["excellence"] == (
        "rated excellent two or more years running: +20 (wenzhou-2021 第十条(四))"
    )
    older = desk.act("rate_excellent", OFFICER, year=2020)  # not last year: the caps stay
    assert "quota" not in older.data and desk.case.listed.quota.diagnosis_cap == 32
