"""Major changes a listed provider reports (guangzhou-2024 §4.8, §4.4.4): reported at least 10
working days before the formalities, or it is a finding; a new name is the provider's from the
day the change takes effect; on a case with no server."""

import pytest

from tests.unit.phases.desk import Desk, Refused


def test_a_change_reported_in_time_takes_effect_on_its_day():
    desk = Desk("guangzhou-2024", day="2026-05-04")
    entry = desk.act(
        "report_change", desk.provider, changes=["name"], name="乙科技", effective="2026-06-01"
    )
    # Ten working days before 1 June 2026 (a Monday): 18 May.
    assert (entry.data["latest"], desk.case.findings) == ("2026-05-18", [])
    assert desk.case.name == "甲科技"
    desk.on("2026-06-02")
    assert (desk.case.name, desk.case.listed.change) == ("乙科技", None)


def test_a_change_reported_late_is_a_finding_with_its_clause():
    desk = Desk("guangzhou-2024", day="2026-05-25")
    entry = desk.act("report_change", desk.provider, changes=["capital"], effective="2026-06-01")
    [finding] = desk.case.findings
    assert (entry.data["finding"], finding.clause) == ("late_change_notice", "§4.4.4")


def test_one_change_at_a_time_and_only_the_kinds_the_programme_lists():
    desk = Desk("guangzhou-2024", day="2026-05-04")
    with pytest.raises(Refused, match="changes"):
        desk.act("report_change", desk.provider, changes=["colour"], effective="2026-06-01")
    desk.act("report_change", desk.provider, changes=["address"], effective="2026-06-01")
    with pytest.raises(Refused, match="report the next one after it"):
        desk.act("report_change", desk.provider, changes=["scope"], effective="2026-06-10")
    assert "take_effect" not in desk.open_actions  # the engine's own, when the day comes


def test_anhui_files_a_change_with_no_notice_period():
    desk = Desk("anhui-2019", day="2026-05-04")
    entry = desk.act("report_change", desk.provider, changes=["address"], effective="2026-05-05")
    assert "latest" not in entry.data
    assert not any(f.id == "late_change_notice" for f in desk.case.findings)


def test_a_partners_rename_is_reported_the_same_way_and_renames_the_partner():
    # guangzhou-2024 §4.8: "牵引单位或其合作伙伴发生更名、重组等重大调整".
    from lifecycle.domain.credit_code import complete
    from lifecycle.domain.listed import Partner

    desk = Desk("guangzhou-2024", day="2026-05-04")
    code = complete("91440101MA5P00501")
    report = {"changes": ["name"], "name": "生态新名", "effective": "2026-06-01", "partner": code}
    with pytest.raises(Refused, match=f"data partner {code} is not a published partner"):
        desk.act("report_change", desk.provider, **report)
    desk.case.listed.partners[code] = Partner(code=code, name="生态一", status="published")
    entry = desk.act("report_change", desk.provider, **report)
    assert (entry.data["partner"], entry.data["latest"], desk.case.findings) == (
        code,
        "2026-05-18",
        [],
    )
    desk.on("2026-06-02")
    assert desk.case.listed.partners[code].name == "生态新名" and desk.case.name == "甲科技"
    anhui = Desk("anhui-2019", day="2026-05-04")
    with pytest.raises(Refused, match="takes change reports of the provider only"):
        anhui.act("report_change", anhui.provider, **report)
