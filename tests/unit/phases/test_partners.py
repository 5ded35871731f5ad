"""Ecosystem partners (guangzhou-2024 §4.6): applied for with the four documents, reviewed,
publicised in batches for 5 working days, objected to by the public, and published; on a case
with no server."""

import pytest

from lifecycle.domain.credit_code import complete
from tests.unit.phases.desk import OFFICER, Desk, Refused

DOCUMENTS = {
    "licence": "营业执照.pdf",
    "legal_representative_id": "法人身份证.pdf",
    "audited_accounts": "2025审计报告.pdf",
    "credit_report": "信用报告.pdf",
}


def partner(n: int) -> str:
    return complete(f"91440101MA5C{n:05d}")


def applied(*numbers: int) -> Desk:
    desk = Desk("guangzhou-2024", day="2026-05-18", district="天河区")
    for n in numbers:
        desk.act(
            "apply_partner", desk.provider, partner=partner(n), name=f"生态{n}", documents=DOCUMENTS
        )
    return desk


def test_an_application_without_its_documents_is_refused_naming_them():
    desk = Desk("guangzhou-2024", day="2026-05-04")
    with pytest.raises(
        Refused, match=r"lacks audited_accounts, credit_report; .* \(guangzhou-2024 §4.6\)"
    ):
        desk.act(
            "apply_partner",
            desk.provider,
            partner=partner(1),
            name="生态1",
            documents={"licence": "x", "legal_representative_id": "y"},
        )


def test_reviewed_publicised_and_published_after_five_working_days():
    desk = applied(1, 2)
    assert "review_partner" in desk.open_actions and "publicise_partners" not in desk.open_actions
    desk.act("review_partner", OFFICER, partner=partner(1), approve=True)
    with pytest.raises(Refused, match="refusing a partner needs a reason"):
        desk.act("review_partner", OFFICER, partner=partner(2), approve=False)
    desk.act("review_partner", OFFICER, "材料不全", partner=partner(2), approve=False)
    entry = desk.act("publicise_partners", OFFICER)
    assert entry.data["deadlines"]["partner_notice"] == "2026-05-22"  # Mon 18 to Fri 22 May
    desk.on("2026-05-23", 1)
    assert desk.case.listed.partners[partner(1)].status == "published"
    assert partner(2) not in desk.case.listed.partners


def test_an_objected_partner_waits_for_the_bureau():
    desk = applied(1)
    desk.act("review_partner", OFFICER, partner=partner(1), approve=True)
    desk.act("publicise_partners", OFFICER)
    with pytest.raises(Refused, match="needs a reason"):
        desk.act("object_partner", "public:p1", partner=partner(1))
    desk.act("object_partner", "public:p1", "资质存疑", partner=partner(1))
    desk.on("2026-05-23", 1)
    assert desk.case.listed.partners[partner(1)].status == "objected"
    desk.act("decide_partner", OFFICER, "异议不成立", partner=partner(1), publish=True)
    assert desk.case.listed.partners[partner(1)].status == "published"


def test_the_same_partner_twice_is_refused():
    desk = applied(1)
    with pytest.raises(Refused, match="is already applied"):
        desk.act(
            "apply_partner", desk.provider, partner=partner(1), name="生态1", documents=DOCUMENTS
        )
