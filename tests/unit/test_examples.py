"""The shipped example applications are valid as shipped."""

import json
from pathlib import Path

import pytest

from lifecycle.domain.application import Application, findings, intake_refusal
from lifecycle.policies import load_pack, pack_ids

EXAMPLES = Path(__file__).parents[2] / "examples"
OWN = EXAMPLES / "example-2027"  # a programme of a bureau's own, as files (not shipped)
FILES = sorted(f for f in EXAMPLES.glob("*/application*.json") if f.parent != OWN)


def test_every_pack_has_an_example_and_qingdao_one_per_type():
    assert {f.parent.name for f in FILES} == set(pack_ids())
    qingdao = [
        Application.model_validate_json(f.read_text("utf-8"))
        for f in FILES
        if f.parent.name == "qingdao-2024"
    ]
    assert sorted(a.provider_type for a in qingdao) == ["chain_leader", "integrated", "product"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_passes_intake_without_findings(path):
    pack = load_pack(path.parent.name)
    app = Application.model_validate(json.loads(path.read_text("utf-8")))
    assert intake_refusal(pack, app) is None
    assert findings(pack, app) == []


def test_the_bureaus_own_example_passes_intake_of_its_own_pack():
    from lifecycle.policies.loader import read_document, validate_document

    pack = validate_document(read_document(OWN / "pack.toml"), "example")
    app = Application.model_validate(json.loads((OWN / "application.json").read_text("utf-8")))
    assert pack.id == "example-2027" and "示例" in pack.title
    assert intake_refusal(pack, app) is None
    assert findings(pack, app) == []


EVALUATIONS = sorted(EXAMPLES.glob("*/evaluation.json"))


def test_every_programme_has_an_example_evaluation_that_scores():
    from lifecycle.domain.evaluations import score_input

    assert {f.parent.name for f in EVALUATIONS} == set(pack_ids())
    totals = {}
    for path in EVALUATIONS:
        _, score = score_input(load_pack(path.parent.name), json.loads(path.read_text("utf-8")))
        totals[path.parent.name] = (score.total, score.grade)
    assert totals == {
        "anhui-2019": (87.0, "pass"),
        "guangzhou-2024": (79.0, "pass"),
        "qingdao-2024": (86.0, "pass"),
        "wenzhou-2021": (87.5, "ranked"),
        "wuhan-2021": (82.1, "advanced"),
    }
