"""The case core through the real `lifecycle` command on the real dev server: one business clock
for the command, the worker and every case; holiday files loaded while windows wait; caps that
hold when officers act at the same moment; rules versions and audited moves."""

import datetime as dt
import json
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from lifecycle.domain.credit_code import complete
from tests.helpers import BIN, cli, lifecycle, sharing, show, wait_for_deadline, wait_until
from tests.helpers.console import ARGS, CHROMIUM, accessible

pytestmark = pytest.mark.e2e
CHAIN_LEADER = "examples/qingdao-2024/application-chain-leader.json"
OFFICER = ("--as", "bureau_officer:li")


def notice(shown: dict) -> dict:
    return next(d for d in shown["deadlines"] if d["name"] == "public_notice")


def code(n: int) -> str:
    return complete(f"91370281MA3E2E{n:03d}")


def chain_leader(tmp_path, n: int) -> str:
    """The example chain leader with a credit code of its own."""
    app = json.loads(Path(CHAIN_LEADER).read_text("utf-8"))
    app["credit_code"] = code(n)
    path = tmp_path / f"chain-{n}.json"
    path.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
    return str(path)


def scored(system, application: str, round_name: str) -> str:
    case_id = cli(system, "case", "apply", "qingdao-2024", application, "--round", round_name)
    case_id = case_id.stdout.strip()
    cli(system, "case", "act", case_id, "begin_review", *OFFICER)
    cli(system, "case", "act", case_id, "pass_preliminary", "--as", "district_officer:w@城阳区")
    data = '{"score": 90, "rank": 1, "recommended": true}'
    cli(system, "case", "act", case_id, "score", "--as", "expert:panel", "--data", data)
    return case_id


def test_one_business_clock_for_command_worker_and_cases(new_system, tmp_path):
    system = new_system(LIFECYCLE_BUSINESS_START="2025-09-26", LIFECYCLE_DAY_SECONDS="600")
    system.start()
    assert "business time from 2025-09-26 00:00 Asia/Shanghai, 600 s per day" in system.output()
    cli(system, "round", "set", "qingdao-2024", "nd", "--applications-close", "2025-09-30")
    past = cli(
        system,
        "round",
        "set",
        "qingdao-2024",
        "late",
        "--applications-close",
        "2025-09-25",
        ok=False,
    )
    assert (
        past.returncode == 2 and "already past (business today is 2025-09-26)" in past.stderr
    )  # business, not UTC
    late = cli(system, "case", "apply", "qingdao-2024", CHAIN_LEADER, "--round", "2024-1", ok=False)
    assert late.returncode == 2
    assert "closed at 2024-01-31 24:00 (Asia/Shanghai) (§三(一)); this one arrived 2025-09-26" in (
        late.stderr
    )
    case_id = scored(system, CHAIN_LEADER, "nd")
    cli(system, "case", "act", case_id, "publicise", *OFFICER)
    shown = show(system, case_id)
    assert shown["business_now"].startswith("2025-09-26")
    assert (notice(shown)["date"], notice(shown)["provisional"]) == ("2025-10-09", False)
    assert shown["rules"]["id"] == "qingdao-2024" and len(shown["rules"]["version"]) == 16
    assert [e["action"] for e in shown["history"]][-1] == "publicise"
    restarted = lifecycle(
        "case", "show", case_id, env={**system.env, "LIFECYCLE_DAY_SECONDS": "60"}
    )
    assert restarted.returncode == 2
    assert "This system runs on business time from 2025-09-26" in restarted.stderr
    assert system.stop() == 0


@pytest.mark.long
def test_a_spring_festival_window_closes_on_business_time_and_lists(new_system):
    # Five commands before the notice; on a slow machine each takes a few seconds. The notice
    # counts its opening day: published on any day from 11 February (Wednesday) to the
    # holiday's end (22 February), its fifth working day falls after the holiday (15-23
    # February; 14 February is a make-up working day). From the 10th it would be the 14th.
    system = new_system(LIFECYCLE_BUSINESS_START="2026-02-11", LIFECYCLE_DAY_SECONDS="5")
    system.start()
    cli(system, "round", "set", "qingdao-2024", "sf")
    case_id = scored(system, CHAIN_LEADER, "sf")
    cli(system, "case", "act", case_id, "publicise", *OFFICER)
    shown = show(system, case_id)
    published = dt.datetime.fromisoformat(shown["history"][-1]["at"]).astimezone(
        dt.timezone(dt.timedelta(hours=8))
    )
    assert dt.date(2026, 2, 11) <= published.date() <= dt.date(2026, 2, 22)
    expected = cli(system, "calendar", "window", published.date().isoformat(), "5").stdout
    assert notice(shown)["date"] == expected.strip() >= "2026-02-24"  # after the holiday
    wait_for_deadline(system, case_id, "public_notice", timeout=180)
    wait_until(lambda: show(system, case_id)["state"] == "listed", timeout=180, interval=1)
    listed = show(system, case_id)
    assert listed["business_now"] >= f"{expected.strip()}T"
    assert [e["action"] for e in listed["history"]][-1] == "list"
    assert system.stop() == 0


def test_a_holiday_file_loaded_while_provisional_windows_wait(new_system, tmp_path):
    system = new_system(LIFECYCLE_BUSINESS_START="2027-09-28", LIFECYCLE_DAY_SECONDS="600")
    system.start()
    cli(system, "round", "set", "qingdao-2024", "p")
    waiting = scored(system, CHAIN_LEADER, "p")
    cli(system, "case", "act", waiting, "publicise", *OFFICER)
    assert (
        notice(show(system, waiting))["date"],
        notice(show(system, waiting))["provisional"],
    ) == (
        "2027-10-05",
        True,
    )
    broken = tmp_path / "broken.toml"
    broken.write_text(
        Path("examples/calendar/2027.toml")
        .read_text("utf-8")
        .replace("makeup = [2027-09-26, 2027-10-09]", "makeup = [2027-10-06]"),
        encoding="utf-8",
    )
    refused = cli(system, "calendar", "load", str(broken), ok=False)
    assert refused.returncode == 2
    assert refused.stderr.strip().endswith(
        "line 48: make-up day 2027-10-06 is a Wednesday, already a working day; make-up days "
        "(调休上班) fall on weekends."
    )
    assert not (system.var_dir / "calendar" / "2027.toml").exists()
    loaded = cli(system, "calendar", "load", "examples/calendar/2027.toml").stdout
    assert "Told 1 open case(s) whose deadlines touch 2027" in loaded and waiting in loaded
    wait_until(lambda: not notice(show(system, waiting))["provisional"], timeout=30)
    moved = show(system, waiting)
    assert notice(moved)["date"] == "2027-10-09"
    [row] = [e for e in moved["history"] if e["action"] == "recount_deadline"]
    assert row["reason"] == (
        "公示 moved from 2027-10-05 to 2027-10-09: Example for 2027 (replace with "
        "国办发明电〔2026〕号 when published)"
    )
    # A file broken in place (not through load) refuses the next publication whole.
    second = scored(system, chain_leader(tmp_path, 1), "p")
    (system.var_dir / "calendar" / "2027.toml").write_text("year = 2027\n", encoding="utf-8")
    nope = cli(system, "case", "act", second, "publicise", *OFFICER, ok=False)
    assert nope.returncode == 2 and "'publicise' was not applied: the working-day calendar" in (
        nope.stderr
    )
    assert show(system, second)["state"] == "expert_review"
    cli(system, "calendar", "load", "examples/calendar/2027.toml")
    cli(system, "case", "act", second, "publicise", *OFFICER)
    assert notice(show(system, second))["provisional"] is False
    assert system.stop() == 0


@pytest.mark.long
def test_officers_publicising_at_the_same_moment_select_at_most_the_cap(new_system, tmp_path):
    system = new_system()
    system.start()
    cli(system, "round", "set", "qingdao-2024", "cap")
    ids = [scored(system, chain_leader(tmp_path, n), "cap") for n in range(5)]
    acts = [
        subprocess.Popen(
            [str(BIN / "lifecycle"), "case", "act", c, "publicise", *OFFICER],
            env={**os.environ, **system.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for c in ids
    ]
    outcomes = [(p.wait(60), p.stderr.read()) for p in acts]
    assert sorted(code for code, _ in outcomes) == [0, 0, 0, 2, 2]
    for code, err in outcomes:
        if code:
            assert err.strip() == (
                "'publicise' refused: the chain_leader selection in sector rail_transit already "
                "holds 3 of at most 3 (qingdao-2024 §一)."
            )
    listed = json.loads(cli(system, "case", "list", "--state", "publicity", "--json").stdout)
    assert len(listed) == 3

    versions = cli(system, "policy", "versions", "qingdao-2024").stdout.splitlines()
    older = next(line.split("\t")[0] for line in versions if "kept for running cases" in line)
    moved = ids[0]
    refused = cli(system, "case", "move", moved, "--to", older, *OFFICER, ok=False)
    assert refused.returncode == 2 and "needs a reason" in refused.stderr
    cli(system, "case", "move", moved, "--to", older, *OFFICER, "--reason", "复核旧规则")
    assert show(system, moved)["rules"]["version"] == older
    cli(system, "case", "move", moved, "--to", "current", *OFFICER, "--reason", "恢复现行规则")
    rows = [e for e in show(system, moved)["history"] if e["action"] == "move_rules"]
    assert [r["data"]["to"] for r in rows] == [older, rows[0]["data"]["from"]]
    assert system.stop() == 0


def test_a_close_spread_over_the_bureau_window_is_applied_first_by_an_action(new_system, tmp_path):
    """LIFECYCLE_DEADLINE_SPREAD through the real command: the round's close falls at 24:00; the
    case's share of the bureau's hour has not come, so `case show` says the close fell due and
    is being applied; the district's pass sent then applies the close first (dated 24:00) and is
    accepted on the case under review."""
    # A provider whose share of the hour is past this test's end (10 minutes on).
    shared, _ = sharing("qingdao-2024", "sp", 3600, 600, 3600, "91370281MA3E2E")
    n = int(shared[14:17])
    system = new_system(
        LIFECYCLE_BUSINESS_START="2025-09-29",
        LIFECYCLE_DAY_SECONDS="20",
        LIFECYCLE_DEADLINE_SPREAD="3600",
    )
    system.start()
    cli(system, "round", "set", "qingdao-2024", "sp", "--applications-close", "2025-09-29")
    case_id = cli(
        system, "case", "apply", "qingdao-2024", chain_leader(tmp_path, n), "--round", "sp"
    )
    case_id = case_id.stdout.strip()
    assert case_id == f"case:qingdao-2024:sp:{code(n)}"
    wait_for_deadline(system, case_id, "applications_close", timeout=120)
    shown = show(system, case_id)
    assert shown["state"] == "submitted"
    assert [(d["name"], d["due"]) for d in shown["deadlines"]] == [("applications_close", True)]
    text = cli(system, "case", "show", case_id).stdout
    assert (
        "deadline applications_close: 2025-09-29 24:00 (fell due: applied at the case's turn"
        in text
    )
    _console_says_due(system, case_id)
    cli(system, "case", "act", case_id, "pass_preliminary", "--as", "district_officer:w@城阳区")
    shown = show(system, case_id)
    assert shown["state"] == "expert_review"
    trail = [(e["action"], e["actor_role"], e["at"]) for e in shown["history"]]
    assert trail[1:] == [
        ("begin_review", "system", "2025-09-30T00:00:00+08:00"),
        ("pass_preliminary", "district_officer", trail[2][2]),
    ]
    assert system.stop() == 0


def _console_says_due(system, case_id: str) -> None:
    """The console's case page tells the officer the same, in Chinese, with what it means on
    hover; axe-core finds nothing serious on it."""
    if not Path(CHROMIUM).exists():
        return  # make test installs it; the command's part above stands alone
    from playwright.sync_api import expect, sync_playwright

    once = re.search(r"(http://\S+/console/sign-in/once/\S+)", system.output())
    assert once, system.output()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.goto(once.group(1))  # the demonstration officer, as `make run` prints
            page.goto(f"{system.api}/console/cases/{quote(case_id, safe='')}")
            due = page.locator("span.due")
            expect(due).to_have_text("已到期，处理中")
            assert "24:00" in (due.get_attribute("title") or "")
            accessible(page, "a case with a deadline due")
        finally:
            browser.close()
