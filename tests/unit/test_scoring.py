"""The scoring engine on every programme's rubric: wuhan-2021 item by item against the seed's
scoring table (评分细则) at each boundary, the grades at theirs, bad input in one sentence, and
properties over any valid input (totals within the rubric's range, monotone in every metric)."""

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.domain import scoring
from lifecycle.policies import load_pack, pack_ids
from tests.helpers import lifecycle

WUHAN = scoring.rubric_of(load_pack("wuhan-2021"))

# A platform's year as the scoring table reads it, short of the targets everywhere.
YEAR = {
    "registered_locally": True,
    "org_elements_missing": 1,
    "local_insured_staff": 50,
    "diagnosed_enterprises": 87,
    "reports_adopted": 7,
    "projects_over_1m": 33,
    "projects_in_database": 13,
    "demo_projects": 1,
    "promotion_meetings": 3,
    "worst_reports": 2,
    "dissatisfied_enterprises": 1,
    "new_investment_cny": 600_000_000,
}


def wuhan(**change) -> scoring.Score:
    rubric = WUHAN
    return scoring.score(rubric, scoring.read_input(rubric, "wuhan-2021", YEAR | change))


def points(result: scoring.Score, item: str) -> float:
    return next(i.points for i in result.items if i.id == item)


def test_a_wuhan_year_item_by_item():
    result = wuhan()
    assert {i.id: i.points for i in result.items} == {
        "organisation": 8,  # registered, one element missing: 10 − 2
        "local_staff": 5,  # 50 is "50人以上" (以上包含本数)
        "diagnosed_enterprises": 26.1,  # 87/100 × 30
        "reports_adopted": 7,  # 7/10 × 10
        "projects_over_1m": 8.25,  # 33/40 × 10
        "projects_in_database": 3.25,  # 13/20 × 5
        "demo_projects": 2.5,
        "promotion_meetings": 6,
        "report_quality": 8,
        "enterprise_feedback": 4,
        "new_investment": 4,  # 6亿: "5亿以上"
    }
    assert (result.total, result.grade, result.reward_cap_cny, result.eliminated) == (
        82.1,
        "advanced",
        2_000_000,
        False,
    )
    assert [i.clause for i in result.items][:3] == ["第六条(一)1", "第六条(一)2", "第六条(二)1"]
    assert sum(i.max for i in result.items) == 110


@pytest.mark.parametrize(
    ("item", "change", "expected"),
    [
        ("organisation", {"registered_locally": False, "org_elements_missing": 0}, 0),
        ("organisation", {"org_elements_missing": 0}, 10),
        ("organisation", {"org_elements_missing": 4}, 2),
        ("local_staff", {"local_insured_staff": 49}, 0),
        ("local_staff", {"local_insured_staff": 50}, 5),
        ("diagnosed_enterprises", {"diagnosed_enterprises": 0}, 0),
        ("diagnosed_enterprises", {"diagnosed_enterprises": 99}, 29.7),
        ("diagnosed_enterprises", {"diagnosed_enterprises": 100}, 30),
        ("diagnosed_enterprises", {"diagnosed_enterprises": 250}, 30),
        ("reports_adopted", {"reports_adopted": 9}, 9),
        ("reports_adopted", {"reports_adopted": 11}, 10),
        ("projects_over_1m", {"projects_over_1m": 1}, 0.25),
        ("projects_over_1m", {"projects_over_1m": 39}, 9.75),
        ("projects_over_1m", {"projects_over_1m": 40}, 10),
        ("projects_in_database", {"projects_in_database": 19}, 4.75),
        ("projects_in_database", {"projects_in_database": 20}, 5),
        ("demo_projects", {"demo_projects": 0}, 0),
        ("demo_projects", {"demo_projects": 2}, 5),
        ("demo_projects", {"demo_projects": 3}, 5),
        ("promotion_meetings", {"promotion_meetings": 4}, 8),
        ("promotion_meetings", {"promotion_meetings": 5}, 10),
        ("promotion_meetings", {"promotion_meetings": 9}, 10),
        ("report_quality", {"worst_reports": 0}, 10),
        ("report_quality", {"worst_reports": 10}, 0),
        ("report_quality", {"worst_reports": 12}, 0),
        ("enterprise_feedback", {"dissatisfied_enterprises": 0}, 5),
        ("enterprise_feedback", {"dissatisfied_enterprises": 6}, 0),
        ("new_investment", {"new_investment_cny": 99_999_999}, 0),
        ("new_investment", {"new_investment_cny": 100_000_000}, 2),
        ("new_investment", {"new_investment_cny": 499_999_999}, 2),
        ("new_investment", {"new_investment_cny": 500_000_000}, 4),
        ("new_investment", {"new_investment_cny": 1_000_000_000}, 6),
        ("new_investment", {"new_investment_cny": 5_000_000_000}, 8),
        ("new_investment", {"new_investment_cny": 9_999_999_999}, 8),
        ("new_investment", {"new_investment_cny": 10_000_000_000}, 10),
    ],
)
def test_each_wuhan_item_at_its_boundaries(item, change, expected):
    assert points(wuhan(**change), item) == expected


@pytest.mark.parametrize(
    ("total", "grade", "reward", "eliminated"),
    [
        ("110", "excellent", 3_000_000, False),
        ("90", "excellent", 3_000_000, False),
        ("89.99", "advanced", 2_000_000, False),
        ("80", "advanced", 2_000_000, False),
        ("79.99", "good", 1_000_000, False),
        ("70", "good", 1_000_000, False),
        ("69.99", "pass", None, False),
        ("60", "pass", None, False),
        ("59.99", "fail", None, True),
        ("0", "fail", None, True),
    ],
)
def test_wuhan_grades_at_their_boundaries(total, grade, reward, eliminated):
    found = scoring.grade_of(WUHAN, Decimal(total))
    assert (found.grade, found.reward_cap_cny, found.eliminated) == (grade, reward, eliminated)


def test_proportional_points_round_half_up_to_two_decimals():
    item = WUHAN.items[2].model_copy(update={"target": 7, "max": 10})
    assert scoring.points(item, 1) == Decimal("1.43")  # 1.428571…
    item = WUHAN.items[2].model_copy(update={"target": 8, "max": 1})
    assert scoring.points(item, 1) == Decimal("0.13")  # 0.125 rounds up, not to even


def test_a_whole_year_at_the_top_and_the_bottom():
    top = wuhan(
        org_elements_missing=0,
        diagnosed_enterprises=100,
        reports_adopted=10,
        projects_over_1m=40,
        projects_in_database=20,
        demo_projects=2,
        promotion_meetings=5,
        worst_reports=0,
        dissatisfied_enterprises=0,
        new_investment_cny=10_000_000_000,
    )
    assert (top.total, top.grade) == (110, "excellent")
    bottom = wuhan(
        registered_locally=False,
        local_insured_staff=0,
        diagnosed_enterprises=0,
        reports_adopted=0,
        projects_over_1m=0,
        projects_in_database=0,
        demo_projects=0,
        promotion_meetings=0,
        worst_reports=10,
        dissatisfied_enterprises=5,
        new_investment_cny=0,
    )
    assert (bottom.total, bottom.grade, bottom.eliminated) == (0, "fail", True)


counts = st.integers(min_value=0, max_value=500)
inputs = st.fixed_dictionaries(
    {
        "registered_locally": st.booleans(),
        "org_elements_missing": st.integers(0, 4),
        "local_insured_staff": counts,
        "diagnosed_enterprises": counts,
        "reports_adopted": counts,
        "projects_over_1m": counts,
        "projects_in_database": counts,
        "demo_projects": counts,
        "promotion_meetings": counts,
        "worst_reports": counts,
        "dissatisfied_enterprises": counts,
        "new_investment_cny": st.integers(0, 20_000_000_000),
    }
)
POSITIVE = [
    "local_insured_staff",
    "diagnosed_enterprises",
    "reports_adopted",
    "projects_over_1m",
    "projects_in_database",
    "demo_projects",
    "promotion_meetings",
    "new_investment_cny",
]
NEGATIVE = ["org_elements_missing", "worst_reports", "dissatisfied_enterprises"]


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_any_year_totals_between_0_and_110_as_the_sum_of_its_items(data):
    result = scoring.score(WUHAN, scoring.read_input(WUHAN, "wuhan-2021", data))
    assert 0 <= result.total <= 110
    assert all(0 <= i.points <= i.max for i in result.items)
    assert Decimal(str(result.total)) == sum(Decimal(str(i.points)) for i in result.items)
    assert result.eliminated == (result.total < 60)


@settings(max_examples=300, deadline=None)
@given(inputs, st.sampled_from(POSITIVE + NEGATIVE), st.integers(1, 50))
def test_more_of_a_good_thing_never_lowers_the_total(data, key, more):
    before = scoring.score(WUHAN, data).total
    raised = data | {key: data[key] + (more * 10_000_000 if key == "new_investment_cny" else more)}
    if key == "org_elements_missing":
        raised[key] = min(4, raised[key])
    after = scoring.score(WUHAN, scoring.read_input(WUHAN, "wuhan-2021", raised)).total
    assert after >= before if key in POSITIVE else after <= before
    registered = scoring.score(WUHAN, data | {"registered_locally": True}).total
    assert registered >= scoring.score(WUHAN, data | {"registered_locally": False}).total


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (
            {"org_elements_missing": 5},
            "org_elements_missing is 5; it must be a whole number from 0 to 4 "
            "(wuhan-2021 第六条(一)1).",
        ),
        (
            {"registered_locally": "yes"},
            "registered_locally is 'yes'; it must be true or false (wuhan-2021 第六条(一)1).",
        ),
        (
            {"diagnosed_enterprises": -1},
            "diagnosed_enterprises is -1; it must be a whole number, 0 or more (wuhan-2021 第六条(二)1).",
        ),
        (
            {"demo_projects": 1.5},
            "demo_projects is 1.5; it must be a whole number, 0 or more (wuhan-2021 第六条(四)1).",
        ),
        (
            {"worst_reports": True},
            "worst_reports is True; it must be a whole number, 0 or more (wuhan-2021 第六条(五)1).",
        ),
        (
            {"new_investment_cny": -5},
            "new_investment_cny is -5; it must be an amount, 0 or more (wuhan-2021 第七条).",
        ),
        ({"bonus": 3}, "'bonus' is not an input of wuhan-2021's rubric; its keys are"),
    ],
)
def test_bad_input_is_refused_naming_the_key(change, sentence):
    with pytest.raises(ValueError) as refused:
        scoring.read_input(WUHAN, "wuhan-2021", YEAR | change)
    assert str(refused.value).startswith(sentence)
    missing = dict(YEAR)
    del missing["promotion_meetings"]
    with pytest.raises(ValueError, match="^promotion_meetings is missing; the rubric reads"):
        scoring.read_input(WUHAN, "wuhan-2021", missing)


@pytest.mark.parametrize(
    ("policy", "data", "total", "grade"),
    [
        (
            "wenzhou-2021",
            {"business_performance": 42.5, "enterprise_rating": 18, "topic_defence": 26},
            86.5,
            "ranked",
        ),
        (
            "anhui-2019",
            {
                "service_effect": 36,
                "resource_aggregation": 18,
                "coordination": 14,
                "self_construction": 13,
                "deductions": 1,
                "bonus_items": 0,
            },
            90,
            "excellent",
        ),
        (  # 评价 第四条: a bonus item lifts 89 to 优良
            "anhui-2019",
            {
                "service_effect": 35,
                "resource_aggregation": 18,
                "coordination": 14,
                "self_construction": 13,
                "deductions": 1,
                "bonus_items": 1,
            },
            90,
            "excellent",
        ),
        (
            "guangzhou-2024",
            {
                "enterprises_transformed": 15,
                "transformation_results": 15,
                "satisfaction": 14,
                "capability": 6,
                "task_book": 9.99,
            },
            59.99,
            "fail",
        ),
        (
            "qingdao-2024",
            {"service_quality": 30, "enterprise_satisfaction": 20, "results": 10},
            60,
            "pass",
        ),
    ],
)
def test_the_other_programmes_through_the_command(policy, data, total, grade):
    result = lifecycle("score", policy, json.dumps(data))
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert set(printed) == {"total", "items", "grade", "reward_cap_cny", "eliminated"}
    assert (printed["total"], printed["grade"]) == (total, grade)
    bureau = policy != "wenzhou-2021"
    assert all(i["clause"].endswith("(bureau setting)") == bureau for i in printed["items"])


def test_the_command_reads_a_file_and_refuses_in_one_sentence(tmp_path):
    path = tmp_path / "year.json"
    path.write_text(json.dumps(YEAR))
    printed = json.loads(lifecycle("score", "wuhan-2021", str(path)).stdout)
    assert (printed["total"], printed["grade"], printed["reward_cap_cny"]) == (
        82.1,
        "advanced",
        2_000_000,
    )
    bad = lifecycle("score", "wenzhou-2021", '{"business_performance": 51}')
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip() == (
        "business_performance is 51; it must be a number from 0 to 50 (wenzhou-2021 第十三条(一))."
    )


def test_every_programme_has_a_rubric_in_range():
    for policy in pack_ids():
        rubric = scoring.rubric_of(load_pack(policy))
        # Bonus items above 100: wuhan-2021 第七条's, anhui-2019 评价 第四条's (bureau setting).
        above = {"wuhan-2021": 110, "anhui-2019": 105}
        assert rubric.max_total == above.get(policy, 100)
        assert rubric.grades[-1].at_least == 0
