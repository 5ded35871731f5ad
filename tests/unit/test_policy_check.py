"""A pack file checked whole before any case meets it: every problem named with its line, its
key path and the rule, in one pass; a sound pack summed up; the format's reference in the docs
written from the same schema the command publishes."""

import json
import re
from pathlib import Path

from click.testing import CliRunner

from lifecycle.app import packs
from lifecycle.cli import cli
from lifecycle.policies import reference
from lifecycle.policies.checking import check_text

EXAMPLE = Path("examples/example-2027/pack.toml")


def broken(*changes: tuple[str, str]) -> str:
    text = EXAMPLE.read_text("utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_every_mistake_is_named_with_its_line_and_key_path_in_one_pass():
    text = broken(
        (
            'clause = "第七条"\nlabel = "申报截止, 转区初审"',
            'clause = "第七十七条"\nlabel = "申报截止, 转区初审"',
        ),
        (
            'conditions = ["actor_in_case_district", "findings_answered"]',
            'conditions = ["actor_in_case_district", "sunny_day"]',
        ),
        ("at_least = 90\n", "at_least = 190\n"),
        ('restarted_by = ["continue_rectification"]', 'restarted_by = ["carry_on"]'),
        ('authority = "示例市经济和信息化局"', 'authority = "Example City Bureau"'),
    )
    found = check_text(text).problems
    said = [(p.path, p.line) for p in found]
    lines = text.splitlines()
    assert ("transitions[0].clause", _line(lines, 'clause = "第七十七条"')) in said
    assert ("transitions[1].conditions[1]", _line(lines, '"sunny_day"')) in said
    assert ("evaluation.rubric.grades[0].at_least", _line(lines, "at_least = 190")) in said
    assert ("deadlines[4].restarted_by[0]", _line(lines, '"carry_on"')) in said
    assert ("source.authority", _line(lines, "Example City Bureau")) in said
    messages = " ".join(p.message for p in found)
    assert "'第七十七条' is not listed under [clauses]" in messages
    assert "'sunny_day' is not a known condition" in messages
    assert "starts at 190 points, but the rubric's items give at most 100" in messages


def test_a_schema_mistake_and_a_toml_mistake_name_their_lines():
    found = check_text(broken(("max = 40\n", "max = -40\nweight = 2\n"))).problems
    assert {p.path for p in found} == {
        "evaluation.rubric.items[0].max",
        "evaluation.rubric.items[0].weight",
    }
    assert all(p.line for p in found)
    [bad] = check_text("id = \n").problems
    assert bad.line == 1 and "not valid TOML" in bad.message


def test_the_command_lists_the_problems_or_sums_the_pack_up(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        broken(('roles = ["bureau_officer",', 'roles = ["mayor", "bureau_officer",')), "utf-8"
    )
    runner = CliRunner()
    said = runner.invoke(cli, ["policy", "check", str(bad)])
    assert said.exit_code == 2
    assert re.search(r"bad.toml:\d+: roles\[0\]: Input should be", said.output)
    sound = runner.invoke(cli, ["policy", "check", str(EXAMPLE)])
    assert sound.exit_code == 0, sound.output
    assert "example-2027 version" in sound.output and "20 actions, 5 deadlines" in sound.output
    assert "rubric 4 items, 0 to 100 points" in sound.output


def test_the_docs_reference_is_written_from_the_schema_the_command_publishes():
    page = Path("docs/packs.md").read_text("utf-8")
    held = page.split(reference.BEGIN + "\n", 1)[1].split(reference.END, 1)[0]
    assert held == reference.render(), "run 'make pack-docs'"
    published = packs.schema()
    assert published["$schema"].endswith("2020-12/schema")
    assert set(published["properties"]) >= {"id", "states", "transitions", "deadlines"}
    json.dumps(published)


def _line(lines: list[str], text: str) -> int:
    return next(n for n, line in enumerate(lines, start=1) if text in line)
