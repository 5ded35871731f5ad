"""The forms people fill in are built from the rules: each action's fields, filled as a person
would, read back into data its phase takes; a value that does not fit is refused in one
sentence naming the field, the value and the rule; on cases with no server."""

import pytest

from lifecycle.app.forms import data_of
from lifecycle.domain.phases.forms import form
from lifecycle.errors import Invalid
from tests.unit.phases.desk import OFFICER, Desk
from tests.unit.phases.test_training import provider


def filled(desk: Desk, trigger: str, **values: str | list[str]) -> dict:
    fields = form(trigger, desk.case, desk.pack)
    sent = {k: v if isinstance(v, list) else [v] for k, v in values.items()}
    return data_of(fields, sent)


def test_a_training_filing_filled_in_is_taken_and_reviewed():
    desk = provider()
    keys = [f.key for f in form("file_training", desk.case, desk.pack)]
    assert keys == ["event_date", "days", "kind", "participants", "fee", "industries", "audience"]
    data = filled(desk, "file_training", event_date="2026-10-20", days="0.5", kind="training",
                  participants="60", fee="0", industries=["footwear"])  # fmt: skip
    desk.act("file_training", desk.provider, **data)
    review = form("review_training", desk.case, desk.pack)
    assert [(c.value, c.label) for c in review[0].choices] == [(1, "#1 training 2026-10-20")]
    data = filled(desk, "review_training", filing="1", approved=["false", "true"])
    desk.act("review_training", "district_officer:wang@鹿城区", **data)
    assert desk.case.listed.filings[0].status == "reviewed"


def test_an_order_a_change_and_an_exit_take_the_packs_choices():
    desk = Desk("guangzhou-2024")
    [grounds, days] = form("order_rectification", desk.case, desk.pack)
    assert "late_report" in [c.value for c in grounds.choices] and days.default == 20
    desk.act(
        "order_rectification",
        OFFICER,
        "材料不规范",
        **filled(desk, "order_rectification", grounds="late_report"),
    )
    change = filled(desk, "report_change", changes=["name"], name="新名称", effective="2026-06-01")
    assert change == {"changes": ["name"], "name": "新名称", "effective": "2026-06-01"}
    exits = form("exit", desk.case, desk.pack)
    assert [f.key for f in exits] == ["reason", "meeting"]
    assert form("apply_partner", desk.case, desk.pack)[2].key.startswith("documents.")
    partner = filled(desk, "apply_partner", partner="91440106MA5GU0006R", name="伙伴",
                     **{f"documents.{d}": "x" for d in desk.pack.listed.partners.documents})  # fmt: skip
    assert set(partner["documents"]) == set(desk.pack.listed.partners.documents)


@pytest.mark.parametrize(
    ("values", "said"),
    [
        (
            {"event_date": "2026-13-01"},
            "event date (event_date) is '2026-13-01'; it must be a date written YYYY-MM-DD.",
        ),
        ({"participants": "-3"}, "participants (participants) is '-3'; it must be 0 or more."),
        ({"days": "3"}, "days (days) is '3'; it must be from 0.5 to 1."),
        ({"kind": "party"}, "kind of event (kind) is 'party'; it must be one of"),
        ({"industries": ["tea"]}, "industries (industries) is 'tea'; it must be one of"),
        ({"event_date": ""}, "event date (event_date) is empty; it must be filled in."),
    ],
)
def test_a_value_that_does_not_fit_is_refused_naming_the_field_the_value_and_the_rule(values, said):
    desk = provider()
    good = {"event_date": "2026-10-20", "days": "0.5", "kind": "training", "participants": "60",
            "fee": "0", "industries": ["footwear"]}  # fmt: skip
    with pytest.raises(Invalid) as refused:
        filled(desk, "file_training", **{**good, **values})
    assert said in refused.value.message


def test_a_credit_code_is_checked_as_the_standard_checks_it():
    desk = Desk("wenzhou-2021")
    with pytest.raises(Invalid, match="enterprise's credit code"):
        filled(desk, "record_service", kind="diagnosis", enterprise="91330302MA2K00001X",
               district="鹿城区", date="2026-03-10")  # fmt: skip
