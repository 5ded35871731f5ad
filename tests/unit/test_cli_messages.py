"""What the command says to people, one row per kind of mistake: one plain sentence naming the
option or field, the value and the rule; no Python reprs, no transport internals; the right exit
code. Nothing here needs Temporal running (the outage rows point at a port nobody serves)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import free_port, lifecycle

APP = json.loads(Path("examples/qingdao-2024/application.json").read_text("utf-8"))
CASE = "case:qingdao-2024:r1:91370212MA3QD0001N"


def _files(tmp_path: Path) -> dict[str, str]:
    made = {
        "list.json": [APP],
        "facts.json": {**APP, "facts": {**APP["facts"], "sector_cases": "many"}},
        "extra.json": {**APP, "mobile": "138"},
        "missing.json": {k: v for k, v in APP.items() if k != "district"},
    }
    for name, doc in made.items():
        (tmp_path / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return {name: str(tmp_path / name) for name in made}


ROWS = [
    # (args, extra env, exit code, what stderr says)
    (["case", "list", "--state", "nosuchstate"], {}, 2,
     "--state is 'nosuchstate'; states: submitted, preliminary_review"),
    (["case", "list", "--policy", "nosuch"], {}, 2, "policy 'nosuch' does not exist; the policies are"),
    (["case", "apply", "qingdao-2024", "{list.json}"], {}, 2,
     "list.json must be a JSON object; it is a list."),
    (["case", "apply", "qingdao-2024", "{facts.json}"], {}, 2,
     'facts.json: facts.sector_cases is "many"; it must be a number.'),
    (["case", "apply", "qingdao-2024", "{extra.json}"], {}, 2,
     "extra.json: mobile is not a field it takes."),
    (["case", "apply", "qingdao-2024", "{missing.json}"], {}, 2,
     "missing.json: district is required."),
    (["case", "act", CASE, "begin_review"], {}, 2, "--as is required: name yourself as ROLE:ID"),
    (["round", "set", "qingdao-2024", "x", "--applications-close", "2026-13-01"], {}, 2,
     "--applications-close is '2026-13-01'; it must be a calendar date written YYYY-MM-DD."),
    (["case", "show", CASE], {"TEMPORAL_ADDRESS": "127.0.0.1:{port}"}, 1,
     "Temporal at 127.0.0.1:{port} (namespace default) did not answer (connection refused); "
     "check that it runs and TEMPORAL_ADDRESS."),
    (["case", "show", CASE], {"LIFECYCLE_TEMPORAL_PORT": "{port}"}, 1,
     "did not answer (connection refused); start it with 'make run' (or 'lifecycle up')."),
    (["case", "act", CASE, "begin_review", "--as", "bureau_officer:li"],
     {"TEMPORAL_ADDRESS": "127.0.0.1:{port}"}, 2,
     "--as is taken on its word only in the embedded development set-up; against 127.0.0.1:"),
    (["case", "list"], {"LIFECYCLE_API_URL": "http://127.0.0.1:{port}"}, 2,
     "LIFECYCLE_API_URL and LIFECYCLE_TOKEN must be set together"),
    (["case", "list"], {"LIFECYCLE_API_URL": "http://127.0.0.1:{port}", "LIFECYCLE_TOKEN": "t"}, 1,
     "The gateway at http://127.0.0.1:{port} did not answer (ConnectError); start it"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "env", "code", "message"), ROWS)
def test_each_mistake_is_one_sentence(args, env, code, message, tmp_path):
    files, port = _files(tmp_path), str(free_port())
    args = [files[a[1:-1]] if a.startswith("{") else a for a in args]
    env = {k: v.replace("{port}", port) for k, v in env.items()}
    result = lifecycle(
        *args, env={"LIFECYCLE_VAR_DIR": str(tmp_path), "TEMPORAL_ADDRESS": "", **env}
    )
    assert result.returncode == code, result.stderr
    assert message.replace("{port}", port) in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    for internal in ("Traceback", "tonic", "{'", "Input should be", "(top level)"):
        assert internal not in result.stderr


def test_bare_commands_print_their_help_and_succeed():
    for args in ([], ["case"], ["round"]):
        result = lifecycle(*args)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Usage: lifecycle") and "(see " not in result.stdout


def test_act_help_lists_actions_by_role():
    shown = lifecycle("case", "act", "--help").stdout
    assert "Actions by role" in shown
    lines = {line.split()[0]: line for line in shown.splitlines() if line.startswith("  ")}
    assert "pass_preliminary" in lines["district_officer"] and "object" in lines["public"]
    assert "system" not in lines
