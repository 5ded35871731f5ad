"""A battery of bad inputs through the command line, as an attacker or a careless operator
would send them: each is refused in one sentence naming the field, the value (shortened) and
the limit, exits 2, and changes nothing. None needs a running system: the command refuses before
it sends anything."""

import json
from pathlib import Path

import pytest

from tests.helpers import lifecycle

EXAMPLE = json.loads(Path("examples/qingdao-2024/application.json").read_text("utf-8"))


def application(tmp_path: Path, text: str | bytes) -> str:
    path = tmp_path / "application.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


def changed(**fields) -> str:
    return json.dumps({**EXAMPLE, **fields}, ensure_ascii=False)


APPLICATIONS = {
    "NaN in facts": (
        changed(facts={"sector_cases": 3}).replace('"sector_cases": 3', '"sector_cases": NaN'),
        "facts.sector_cases is nan; numbers must be finite (engine rule).",
    ),
    "Infinity in facts": (
        changed(facts={"technical_staff": 1}).replace("1}", "Infinity}"),
        "facts.technical_staff is inf; numbers must be finite (engine rule).",
    ),
    "a 1 MB name": (changed(name="名" * 350_000), "bytes; it may be at most 65536 (engine rule)."),
    "a 300-character name": (
        changed(name="名" * 300),
        "name is '名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名名…' (300 characters); it "
        "may have at most 200 (engine rule).",
    ),
    "a NUL in the name": (
        changed(name="青岛\u0000科技"),
        "holds the control or invisible character U+0000",
    ),
    "a zero-width space in the name": (
        changed(name="青岛\u200b科技"),
        "U+200B; names and ids may not",
    ),
    "a right-to-left override in the name": (changed(name="青岛\u202e技科"), "U+202E"),
    "a 1 MB credit report": (changed(credit_report="R" * 1_000_000), "it may be at most 65536"),
    "a 500-character credit report": (
        changed(credit_report="R" * 500),
        "credit_report is 'RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR…' (500 characters); it may "
        "have at most 200 (engine rule).",
    ),
    "60,000 keys of facts": (
        changed(facts={f"k{n}": n for n in range(60_000)}),
        "it may be at most 65536",
    ),
    "100 keys of facts": (
        changed(facts={f"k{n}": n for n in range(100)}),
        "facts has 100 entries; it may have at most 64 (engine rule).",
    ),
    "facts nested 100,000 deep": (
        '{"facts": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "it may be at most 65536",
    ),
    "JSON nested 10,000 deep": (
        '{"facts": ' + "[" * 10_000 + "]" * 10_000 + "}",
        "nests too deeply to read; at most 4 levels (engine rule).",
    ),
    "a file that is not UTF-8": (b'{"name": "\xff\xfe"}', "is not UTF-8 text (byte 10)."),
}


@pytest.mark.parametrize("what", APPLICATIONS)
def test_bad_applications_are_refused_in_one_sentence(tmp_path, what):
    text, message = APPLICATIONS[what]
    result = lifecycle(
        "case",
        "apply",
        "qingdao-2024",
        application(tmp_path, text),
        env={"LIFECYCLE_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "temporal.db").exists()


ACTS = {
    "the engine's role": (
        ["--as", "system:lifecycle"],
        "'system' is the engine's own role and no person acts as it",
    ),
    "an invisible character in the actor": (
        ["--as", "public:p\u200b"],
        "--as is 'public:p\\u200b', which holds the control or invisible character U+200B",
    ),
    "data 100,000 deep, from a file": (
        ["--as", "expert:x", "--data", "DEEP_FILE"],
        "bytes; it may be at most 65536 (engine rule).",
    ),
    "data nested 10,000 deep": (
        ["--as", "expert:x", "--data", '{"a": ' + "[" * 10_000 + "]" * 10_000 + "}"],
        "nests too deeply to read",
    ),
    "data 6 levels deep": (
        ["--as", "expert:x", "--data", '{"a": {"b": {"c": {"d": {"e": 1}}}}}'],
        "--data.a.b.c.d nests deeper than 4 levels (engine rule).",
    ),
    "NaN in data": (
        ["--as", "expert:x", "--data", '{"score": NaN, "rank": 1}'],
        "--data.score is nan; numbers must be finite (engine rule).",
    ),
    "a 3,000-character reason": (
        ["--as", "public:p", "--reason", "异" * 3000],
        "(3000 characters); it may have at most 2000 (engine rule).",
    ),
    "a request id with a slash": (
        ["--as", "public:p", "--request-id", "a/../b"],
        "--request-id is 'a/../b'; it must be 1 to 128 letters, digits",
    ),
}


@pytest.mark.parametrize("what", ACTS)
def test_bad_actions_are_refused_before_they_are_sent(tmp_path, what):
    args, message = ACTS[what]
    deep = tmp_path / "deep.json"
    deep.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    args = [str(deep) if a == "DEEP_FILE" else a for a in args]
    case_id = "case:qingdao-2024:r:91370212MA3QD0001N"
    result = lifecycle(
        "case", "act", case_id, "object", *args, env={"LIFECYCLE_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


ROUNDS = {
    "closing in 2020": (
        ["qingdao-2024", "r1", "--applications-close", "2020-01-31"],
        "--applications-close is 2020-01-31, already past (business today is",
    ),
    "the review due before applications close": (
        [
            "qingdao-2024",
            "r2",
            "--applications-close",
            "2099-03-01",
            "--preliminary-review-due",
            "2099-02-01",
        ],
        "--preliminary-review-due is 2099-02-01, before --applications-close (2099-03-01)",
    ),
    "a name that would break the case id": (
        ["qingdao-2024", "a:b/../c", "--applications-close", "2099-03-01"],
        "round is 'a:b/../c'; it must be 1 to 32 letters, digits, '.', '_' or '-'",
    ),
    "a 100 KB name": (
        ["qingdao-2024", "r" * 100_000],
        "round is 'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr…'; it must be 1 to 32",
    ),
    "a date that is not one": (
        ["qingdao-2024", "r3", "--applications-close", "2099-02-30"],
        "--applications-close is '2099-02-30'; it must be a calendar date written YYYY-MM-DD.",
    ),
}


@pytest.mark.parametrize("what", ROUNDS)
def test_bad_rounds_are_refused_and_nothing_is_set(tmp_path, what):
    args, message = ROUNDS[what]
    env = {"LIFECYCLE_VAR_DIR": str(tmp_path)}
    result = lifecycle("round", "set", *args, env=env)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert lifecycle("case", "list", env=env).stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calendar", "window", "9999-12-31", "5"], "runs past the calendar's range"),
        (["calendar", "before", "0001-01-01", "5"], "runs past the calendar's range"),
        (["calendar", "window", "2025-13-01", "5"], "DATE is '2025-13-01'"),
    ],
)
def test_calendar_questions_past_its_range_are_one_sentence(args, message):
    result = lifecycle(*args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_out_of_range_are_one_sentence(tmp_path):
    result = lifecycle("case", "list", env={"LIFECYCLE_DAY_SECONDS": "100000"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "LIFECYCLE_DAY_SECONDS is '100000'; it must be a whole number from 1 to 86400."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["case", "show", "x" * 200],
            "CASE_ID is 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (200 characters)",
        ),
        (
            ["case", "history", "case:a:b"],
            "CASE_ID is 'case:a:b'; a case id reads case:POLICY:ROUND:CREDIT_CODE",
        ),
        (["case", "act", "nope", "begin_review", "--as", "bureau_officer:li"], "CASE_ID is 'nope'"),
    ],
)
def test_case_ids_are_checked_before_anything_is_asked(tmp_path, args, message):
    result = lifecycle(*args, env={"LIFECYCLE_VAR_DIR": str(tmp_path)})
    assert result.returncode == 2 and message in result.stderr


def test_a_huge_holiday_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "2027.toml"
    big.write_text("# " + "x" * 100_000 + "\nyear = 2027\n", encoding="utf-8")
    result = lifecycle("calendar", "load", str(big), env={"LIFECYCLE_VAR_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().endswith("a year's holiday file is at most 65536 (engine rule).")
