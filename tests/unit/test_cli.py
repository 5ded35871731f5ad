"""The `lifecycle` command as staff run it: stdout, stderr and exit codes."""

import json

import pytest

from tests.helpers import lifecycle


@pytest.mark.parametrize(
    ("args", "out"),
    [
        (["calendar", "window", "2024-03-01", "5"], "2024-03-07"),
        (["calendar", "before", "2026-03-16", "10"], "2026-03-02"),
        (["calendar", "window", "2025-09-30", "3"], "2025-10-10"),
        (["calendar", "is-workday", "2025-09-28"], "yes"),
        (["calendar", "is-workday", "2025-10-08"], "no"),
    ],
)
def test_calendar_answers(args, out):
    result = lifecycle(*args)
    assert (result.returncode, result.stdout.strip()) == (0, out)


def test_calendar_json_carries_the_provisional_flag():
    final = json.loads(lifecycle("calendar", "window", "2024-03-01", "5", "--json").stdout)
    assert final == {"date": "2024-03-07", "provisional": False}
    later = json.loads(lifecycle("calendar", "window", "2030-09-27", "5", "--json").stdout)
    assert later["provisional"] is True
    day = json.loads(lifecycle("calendar", "is-workday", "2031-01-01", "--json").stdout)
    assert day == {"workday": False, "provisional": True}


def test_bureau_calendar_dir(tmp_path):
    (tmp_path / "2027.toml").write_text(
        'year = 2027\nnotice = "test"\n[[holidays]]\nname = "x"\nfirst = 2027-03-01\n'
        "last = 2027-03-01\n",
        encoding="utf-8",
    )
    result = lifecycle(
        "calendar",
        "is-workday",
        "2027-03-01",
        "--json",
        env={"LIFECYCLE_CALENDAR_DIR": str(tmp_path)},
    )
    assert json.loads(result.stdout) == {"workday": False, "provisional": False}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calendar", "window", "2024-02-30", "5"], "DATE is '2024-02-30'"),
        (["calendar", "window", "01/03/2024", "5"], "YYYY-MM-DD"),
        (["calendar", "before", "2024-03-01", "-1"], "N is '-1'"),
        (["calendar", "window", "2024-03-01", "five"], "N is 'five'"),
        (["calendar", "is-workday", "tomorrow"], "DATE is 'tomorrow'"),
        (["calendar", "window", "2024-03-01"], "Missing argument 'N'"),
    ],
)
def test_bad_calendar_input_is_one_sentence_and_exit_2(args, message):
    result = lifecycle(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_credit_code_check():
    ok = lifecycle("credit-code", "check", "91350100M000100Y43")
    assert (ok.returncode, ok.stdout.strip()) == (0, "valid")
    bad = lifecycle("credit-code", "check", "91350100M000100Y44")
    assert bad.returncode == 1
    assert "check character should be '3'" in bad.stderr
    short = lifecycle("credit-code", "check", "9135")
    assert short.returncode == 1 and "has 4 characters" in short.stderr
    letter = lifecycle("credit-code", "check", "91350100O000100Y43")
    assert letter.returncode == 1 and "'O' at position 9" in letter.stderr


def test_policy_commands():
    listing = lifecycle("policy", "list")
    assert listing.returncode == 0
    assert [line.split("\t")[0] for line in listing.stdout.splitlines()] == [
        "anhui-2019",
        "guangzhou-2024",
        "qingdao-2024",
        "wenzhou-2021",
        "wuhan-2021",
    ]
    assert "青民发字〔2024〕1号" in listing.stdout
    shown = json.loads(lifecycle("policy", "show", "wenzhou-2021").stdout)
    notice = next(d for d in shown["deadlines"] if d["name"] == "public_notice")
    assert (notice["working_days"], notice["on_pass"]["action"]) == (5, "list")
    assert shown["source"]["number"] == "温经信投资〔2021〕9号"
    diagram = lifecycle("policy", "diagram", "wuhan-2021").stdout
    assert "submitted --> listed: admit_directly (bureau_officer)" in diagram
    versions = lifecycle("policy", "versions", "qingdao-2024").stdout.splitlines()
    assert sum("\tcurrent\t" in line for line in versions) == 1
    assert any(line.startswith("c1a8a3de4e56f762\tkept for running cases") for line in versions)
    missing = lifecycle("policy", "show", "nowhere-2020")
    assert missing.returncode == 2 and "policy 'nowhere-2020' does not exist" in missing.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql+psycopg://u:secret@127.0.0.1:1/x",
            "LIFECYCLE_DB_URL 'postgresql+psycopg://u:***@127.0.0.1:1/x' cannot be used",
        ),
        ("nonsense://", "LIFECYCLE_DB_URL 'nonsense://' cannot be used"),
    ],
)
def test_unusable_store_is_one_sentence(url, message):
    result = lifecycle("case", "list", env={"LIFECYCLE_DB_URL": url})
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "secret" not in result.stderr


def _quota(data, policy: str = "wenzhou-2021"):
    return lifecycle("quota", policy, json.dumps(data))


def test_quota_caps_and_their_parts():
    out = _quota(
        {
            "city_diagnosis_target": 457,
            "recognition": "province",
            "served_demo_enterprise": False,
            "excellent_years_running": 1,
        }
    )
    assert out.returncode == 0, out.stderr
    caps = json.loads(out.stdout)
    assert (caps["diagnosis_cap"], caps["design_cap"]) == (65, 32)  # 45 + 10 + 10; half, down
    assert [(p["clause"], p["amount"]) for p in caps["parts"]] == [
        ("第十条(一)", 45),
        ("第十条(二)", 10),
        ("第十条(四)", 10),
    ]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"city_diagnosis_target": -1}, "city_diagnosis_target is -1"),
        ({"city_diagnosis_target": 1.5}, "city_diagnosis_target is 1.5"),
        ({"recognition": "city"}, "recognition is 'city'"),
        ({"served_demo_enterprise": "yes"}, "served_demo_enterprise is 'yes'"),
        ({"excellent_years_running": True}, "excellent_years_running is True"),
        ({"bonus": 3}, "bonus is not an input of the quota"),
    ],
)
def test_quota_refuses_bad_input_naming_the_key(change, named):
    data = {
        "city_diagnosis_target": 100,
        "recognition": None,
        "served_demo_enterprise": False,
        "excellent_years_running": 0,
        **change,
    }
    out = _quota(data)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith(named) and "(wenzhou-2021 第十条)" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_quota_of_a_programme_without_one_and_a_missing_key():
    assert "qingdao-2024 sets no yearly quota" in _quota({}, "qingdao-2024").stderr
    missing = _quota({"city_diagnosis_target": 1})
    assert missing.returncode == 2 and missing.stderr.startswith("recognition is missing")


def test_settings_are_checked_before_they_are_kept(tmp_path):
    env = {"LIFECYCLE_VAR_DIR": str(tmp_path)}
    bad = lifecycle("setting", "set", "wenzhou-2021", "target", "5", env=env)
    assert bad.returncode == 2 and "KEY 'target' is not a setting of wenzhou-2021" in bad.stderr
    assert "city_diagnosis_target.YEAR" in bad.stderr
    ok = lifecycle("setting", "set", "wenzhou-2021", "city_diagnosis_target.2026", "1200", env=env)
    assert ok.returncode == 0, ok.stderr
    listed = lifecycle("setting", "list", "wenzhou-2021", env=env)
    assert listed.stdout == "city_diagnosis_target.2026\t1200\n"
    role = lifecycle("notifications", "list", "--role", "mayor", env=env)
    assert role.returncode == 2 and "--role 'mayor' is not a role" in role.stderr


def test_the_ban_registry_lists_what_exits_wrote(tmp_path, monkeypatch):
    import datetime as dt

    from lifecycle.config import Settings
    from lifecycle.store.repo import Store

    env = {"LIFECYCLE_VAR_DIR": str(tmp_path)}
    empty = lifecycle("ban", "list", env=env)
    assert (empty.returncode, empty.stdout, empty.stderr) == (0, "", "No bans.\n")
    monkeypatch.setenv("LIFECYCLE_VAR_DIR", str(tmp_path))
    store = Store.from_url(Settings.from_env().db_url)
    store.add_ban("91440101MA5GU0001X", "累计两次绩效评价不达标", "guangzhou-2024 §4.4(清退)",
                  dt.date(2026, 7, 1), None, policy="guangzhou-2024", case_id="case:g")  # fmt: skip
    store.add_ban("91330300MA2H00001X", "投诉", "wenzhou-2021 第十六条(四)",
                  dt.date(2026, 3, 8), dt.date(2029, 3, 7), policy="wenzhou-2021")  # fmt: skip
    lines = lifecycle("ban", "list", env=env).stdout.splitlines()
    assert lines == [
        "91330300MA2H00001X\twenzhou-2021\tfrom 2026-03-08 until 2029-03-07\t投诉 "
        "(wenzhou-2021 第十六条(四))\t",
        "91440101MA5GU0001X\tguangzhou-2024\tfrom 2026-07-01 for good\t累计两次绩效评价不达标 "
        "(guangzhou-2024 §4.4(清退))\tcase:g",
    ]
    only = json.loads(
        lifecycle("ban", "list", "--policy", "wenzhou-2021", "--json", env=env).stdout
    )
    assert [(b["credit_code"], b["ends"]) for b in only] == [("91330300MA2H00001X", "2029-03-07")]


def test_closing_a_programme_is_checked_before_connecting():
    none = lifecycle(
        "programme", "close", "wuhan-2021", "--as", "bureau_officer:li", "--reason", "x"
    )
    assert none.returncode == 2
    assert none.stderr.strip() == (
        "wuhan-2021 has no closing clause; guangzhou-2024 closes its programme ('close_programme')."
    )
    who = lifecycle("programme", "close", "guangzhou-2024", "--as", "mayor", "--reason", "x")
    assert who.returncode == 2 and "Traceback" not in who.stderr and who.stderr.count("\n") == 1
    why = lifecycle("programme", "close", "guangzhou-2024", "--as", "bureau_officer:li")
    assert why.returncode == 2 and "needs a reason (--reason)" in why.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["round", "start", "wuhan-2021", "--period", "2026-Q1"],
            "--period is '2026-Q1'; wuhan-2021 evaluates every year, written YYYY (a year)",
        ),
        (
            ["round", "start", "guangzhou-2024", "--period", "2030-Q1"],
            "--period 2030-Q1 has not begun (business today is",
        ),
        (
            ["round", "start", "qingdao-2024", "--period", "2026", "--budget", "500"],
            "--budget is for programmes whose grades carry rewards; qingdao-2024's do not",
        ),
        (
            ["round", "start", "wuhan-2021", "--period", "2026", "--budget", "3百万"],
            "--budget is '3百万'; it must be a whole number of CNY, 0 or more.",
        ),
        (
            ["round", "start", "wuhan-2021", "--period", "2026", "--as", "expert:x"],
            "--as is 'expert:x'; a round is opened by a bureau_officer (engine rule).",
        ),
        (
            ["round", "show", "wuhan-2021:2026"],
            "ROUND is 'wuhan-2021:2026'; a round id reads evaluation:POLICY:PERIOD",
        ),
        (
            ["round", "score", "evaluation:wuhan-2021:2026", "X", "--as", "expert:a"],
            "give --data (the rubric's inputs) or --missed (it did not take part), one of them.",
        ),
        (
            ["round", "close", "evaluation:wuhan-2021:2026", "--as", "provider:x"],
            "--as is 'provider:x'; a round is closed by a bureau_officer (engine rule).",
        ),
        (["publish", "nosuch-2024"], "policy 'nosuch-2024' does not exist"),
    ],
)
def test_rounds_and_publish_refuse_before_connecting(args, message, tmp_path):
    """Checked before anything connects (no Temporal runs here): one sentence, exit 2."""
    result = lifecycle(*args, env={"LIFECYCLE_VAR_DIR": str(tmp_path), "TEMPORAL_ADDRESS": ""})
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_publish_writes_html_and_json_from_an_empty_store(tmp_path):
    out = tmp_path / "out"
    result = lifecycle(
        "publish", "wuhan-2021", "--out", str(out), env={"LIFECYCLE_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["directory.html", "directory.json"]
    directory = json.loads((out / "directory.json").read_text("utf-8"))
    assert (directory["heading"], directory["records"]) == (
        "武汉市工业智能化改造咨询诊断服务平台名单",
        [],
    )
    taken = lifecycle("publish", "wuhan-2021", "--out", str(out / "directory.json"))
    assert taken.returncode == 2 and "is a file; it must be a folder" in taken.stderr
