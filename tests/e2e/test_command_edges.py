"""What a person meets at the terminal, on the real system: no library's log line before a
sentence, a terminal whose settings are not the running system's told which setting, the
business time now beside the time of the last change, and only the actions the case could take
now (with who may take each)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tests.helpers import cli, lifecycle, show, wait_until

pytestmark = pytest.mark.e2e
APPLICATION = "examples/qingdao-2024/application.json"
CODE = json.loads(Path(APPLICATION).read_text("utf-8"))["credit_code"]


def test_a_terminal_meets_sentences_not_machinery(new_system, tmp_path):
    system = new_system(LIFECYCLE_BUSINESS_START="2026-12-01", LIFECYCLE_DAY_SECONDS="20")
    system.start()
    try:
        cli(system, "round", "set", "qingdao-2024", "edge", "--applications-close", "2026-12-31")
        case_id = cli(system, "case", "apply", "qingdao-2024", APPLICATION, "--round", "edge")
        case_id = case_id.stdout.strip()
        cli(system, "case", "act", case_id, "begin_review", "--as", "bureau_officer:li")

        # Only what the case could take now, each with who may take it.
        text = cli(system, "case", "show", case_id).stdout
        offered = re.search(r"actions now: (.*)", text).group(1)
        assert "pass_preliminary (district_officer)" in offered
        assert "begin_review" not in offered and "publicise" not in offered
        shown = show(system, case_id)
        assert {a["action"]: a["roles"] for a in shown["open_actions"]}["pass_preliminary"] == [
            "district_officer"
        ]

        # The business time now runs on past the last change, and both are shown.
        last = dt.datetime.fromisoformat(shown["last_change"]["at"])
        wait_until(
            lambda: (
                dt.datetime.fromisoformat(show(system, case_id)["business_now"])
                > last + dt.timedelta(hours=2)
            ),
            timeout=20,
        )
        text = cli(system, "case", "show", case_id).stdout
        assert re.search(r"business time now: 2026-12-0\d \d\d:\d\d", text)
        assert re.search(r"last change: #2 begin_review by bureau_officer:li at 2026-12-0", text)

        # Through the gateway: the gateway's sentence, and no line of the HTTP library.
        key = cli(system, "api-key", "create", "--name", "li", "--role", "bureau_officer")
        key = key.stdout.splitlines()[1].strip()
        through = {**system.env, "LIFECYCLE_API_URL": system.api, "LIFECYCLE_TOKEN": key}
        refused = lifecycle("case", "act", case_id, "publicise", env=through)
        assert refused.returncode == 2
        assert refused.stderr.count("\n") == 1 and "HTTP Request" not in refused.stderr
        assert "'publicise' is not allowed while the case is preliminary_review" in refused.stderr
        missing = lifecycle(
            "case", "show", case_id.replace(CODE, "91370212MA3QD0002L"), env=through
        )
        assert (missing.returncode, missing.stderr.count("\n")) == (2, 1)
        assert "There is no case" in missing.stderr

        # A terminal with another var folder (another system's keys) is told which setting.
        other = {**system.env, "LIFECYCLE_VAR_DIR": str(tmp_path / "elsewhere")}
        wrong = lifecycle("case", "show", case_id, env=other)
        assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1, wrong.stderr
        assert "LIFECYCLE_CODEC_KEYS" in wrong.stderr and "LIFECYCLE_VAR_DIR" in wrong.stderr
        assert "unexpected" not in wrong.stderr
        acted = lifecycle(
            "case",
            "act",
            case_id,
            "pass_preliminary",
            "--as",
            "district_officer:w@市南区",
            env=other,
        )
        assert acted.returncode == 2 and "LIFECYCLE_CODEC_KEYS" in acted.stderr
        assert not (tmp_path / "elsewhere" / "codec-keys.json").exists()  # a command makes none
        assert show(system, case_id)["state"] == "preliminary_review"  # nothing was sent

        # What the system keeps is its owner's alone.
        var = system.var_dir
        assert var.stat().st_mode & 0o777 == 0o700
        for name in ("lifecycle.db", "lifecycle.db-wal", "temporal.db", "codec-keys.json"):
            assert (var / name).stat().st_mode & 0o777 == 0o600, name

        # Its clock settings differ: the settings are named.
        clocked = lifecycle("case", "list", env={**system.env, "LIFECYCLE_DAY_SECONDS": "60"})
        assert clocked.returncode == 2
        assert "LIFECYCLE_DAY_SECONDS is 60 here" in clocked.stderr
        assert "HTTP Request" not in clocked.stderr and clocked.stderr.count("\n") == 1
    finally:
        assert system.stop() == 0
