"""Evaluations, rectification, exits and what is published, through the real command on the real
dev server with a chosen business start and compressed days: a rectification deadline missed
(found by the Web UI's query, then a decision), a wuhan-2021 round with a budget, a guangzhou-2024
quarter a provider missed (clearance proposed, confirmed, banned, its new application refused),
the programmes' Schedules visible and pausable, and the directory and exit announcement
published."""

import datetime as dt
import json
from pathlib import Path

import pytest

from lifecycle.domain.credit_code import complete
from tests.helpers import cli, show, wait_for_deadline, wait_until

pytestmark = pytest.mark.e2e
OFFICER = ("--as", "bureau_officer:li")
EX = Path("examples")


def apply(system, tmp: Path, policy: str, code: str, name: str) -> str:
    app = json.loads((EX / policy / "application.json").read_text("utf-8"))
    app.update(credit_code=complete(code), name=name)
    path = tmp / f"{app['credit_code']}.json"
    path.write_text(json.dumps(app, ensure_ascii=False), "utf-8")
    return cli(system, "case", "apply", policy, str(path), "--round", "e2e").stdout.strip()


def listed_gz(system, tmp: Path, code: str, name: str) -> str:
    case_id = apply(system, tmp, "guangzhou-2024", code, name)
    cli(system, "case", "act", case_id, "begin_review", *OFFICER)
    score = '{"score": 88, "rank": 1, "recommended": true}'
    cli(system, "case", "act", case_id, "score", "--as", "expert:panel", "--data", score)
    cli(system, "case", "act", case_id, "publicise", *OFFICER)
    return case_id


def workflow_ids(system, query: str) -> set[str]:
    out = system.temporal("workflow", "list", "--query", query, "-o", "json").stdout
    return {w["execution"]["workflowId"] for w in json.loads(out or "[]")}


@pytest.mark.long
def test_rounds_rectification_clearance_and_publication_through_the_command(new_system, tmp_path):
    # 4 s a day: the three guangzhou units are listed well before 1 April, when guangzhou's
    # Schedule opens the 2026-Q1 round with the directory as it stands then.
    system = new_system(LIFECYCLE_BUSINESS_START="2026-03-02", LIFECYCLE_DAY_SECONDS="4")
    system.start()
    try:
        # The Schedules the worker made: one per programme, visible and pausable.
        schedules = system.temporal("schedule", "list", "-o", "json")
        ids = {s["scheduleId"] for s in json.loads(schedules.stdout or "[]")}
        assert ids >= {f"evaluation-schedule:{p}" for p in ("guangzhou-2024", "wuhan-2021")}
        paused = system.temporal(
            "schedule", "toggle", "--schedule-id", "evaluation-schedule:wuhan-2021", "--pause",
            "--reason", "局里另行安排",
        )  # fmt: skip
        assert paused.returncode == 0, paused.stderr
        described = system.temporal(
            "schedule", "describe", "--schedule-id", "evaluation-schedule:wuhan-2021", "-o", "json"
        )
        assert json.loads(described.stdout)["schedule"]["state"]["paused"] is True

        for policy in ("guangzhou-2024", "wuhan-2021"):
            cli(system, "round", "set", policy, "e2e")
        stays = listed_gz(system, tmp_path, "91440101MA5E00001", "广州留任科技有限公司")
        misses = listed_gz(system, tmp_path, "91440101MA5E00002", "广州缺评科技有限公司")
        ordered = listed_gz(system, tmp_path, "91440101MA5E00003", "广州整改科技有限公司")
        wuhan = []
        for n in range(3):
            case_id = apply(system, tmp_path, "wuhan-2021", f"91420100MA4E0000{n}", f"武汉平台{n}")
            cli(system, "case", "act", case_id, "admit_directly", *OFFICER)
            wuhan.append(case_id)
        for case_id in (stays, misses, ordered):
            wait_for_deadline(system, case_id, "public_notice", timeout=200)
            wait_until(lambda c=case_id: show(system, c)["state"] == "listed", timeout=200)

        # A rectification order of 2 working days: found by the Web UI's query, then it lapses.
        order = json.dumps({"grounds": "late_report", "working_days": 2})
        cli(system, "case", "act", ordered, "order_rectification", *OFFICER,
            "--reason", "季度材料不规范", "--data", order)  # fmt: skip
        due = dt.date.fromisoformat(show(system, ordered)["listed"]["rectification_order"]["due"])
        # Orders falling due before a day D: NextDeadline < 'D 00:00' (24:00 of ``due`` is
        # 00:00 of the day after, so D is two days on).
        query = (
            "CaseState='rectification' AND "
            f"NextDeadline < '{due + dt.timedelta(days=2)}T00:00:00+08:00'"
        )
        wait_until(lambda: workflow_ids(system, query) == {ordered}, timeout=30)
        early = cli(system, "case", "act", ordered, "exit", *OFFICER, "--reason", "未整改",
                    "--data", '{"reason": "rectification_failed"}', ok=False)  # fmt: skip
        assert early.returncode == 2 and "guangzhou-2024 §4.3" in early.stderr
        wait_until(
            lambda: "rectification order" in (
                cli(system, "case", "list", "--pending-decision").stdout
            ),
            timeout=120,
        )  # fmt: skip
        cli(system, "case", "act", ordered, "continue_rectification", *OFFICER,
            "--reason", "情节较轻", "--data", '{"working_days": 10}')  # fmt: skip
        cli(system, "case", "act", ordered, "submit_rectification", "--as",
            f"provider:{ordered.split(':')[-1]}", "--reason", "已补交")  # fmt: skip
        cli(system, "case", "act", ordered, "accept_rectification", *OFFICER)
        assert show(system, ordered)["state"] == "listed"

        # A wuhan-2021 round with a budget: ranked, paid in order within it, the last eliminated.
        rid = cli(system, "round", "start", "wuhan-2021", "--period", "2026",
                  "--budget", "4000000", *OFFICER).stdout.strip()  # fmt: skip
        assert rid == "evaluation:wuhan-2021:2026"
        full = json.loads((EX / "wuhan-2021" / "evaluation.json").read_text("utf-8"))
        inputs = [
            {**full, "org_elements_missing": 0, "diagnosed_enterprises": 100,
             "reports_adopted": 10, "projects_over_1m": 40, "projects_in_database": 20,
             "demo_projects": 2, "promotion_meetings": 5},  # 98 + 4 bonus: excellent
            full,  # 82.1: advanced
            {**full, "registered_locally": False, "local_insured_staff": 0,
             "diagnosed_enterprises": 20},  # fail
        ]  # fmt: skip
        bad = cli(system, "round", "score", rid, wuhan[0], "--as", "expert:wu",
                  "--data", json.dumps({**full, "worst_reports": "two"}), ok=False)  # fmt: skip
        assert bad.returncode == 2 and "worst_reports is 'two'" in bad.stderr
        for case_id, data in zip(wuhan, inputs, strict=True):
            out = cli(system, "round", "score", rid, case_id, "--as", "expert:wu",
                      "--data", json.dumps(data)).stdout  # fmt: skip
            assert "points" in out
        closed = cli(system, "round", "close", rid, *OFFICER).stdout
        assert "3,000,000" in closed and "1,000,000" in closed, closed
        view = json.loads(cli(system, "round", "show", rid, "--json").stdout)
        assert view["status"] == "closed" and view["spent_cny"] == 4_000_000
        assert [(r["grade"], r["reward_cny"]) for r in view["results"]] == [
            ("excellent", 3_000_000),
            ("advanced", 1_000_000),
            ("fail", None),
        ]
        assert show(system, wuhan[2])["state"] == "exited"
        rounds = json.loads(cli(system, "round", "list", "--policy", "wuhan-2021", "--json").stdout)
        assert [(r["round_id"], r["status"]) for r in rounds] == [(rid, "closed")]

        # guangzhou-2024's Schedule opens the 2026-Q1 round as Q2 begins (1 April, 09:00).
        gz = "evaluation:guangzhou-2024:2026-Q1"

        def opened() -> list[dict]:
            out = cli(system, "round", "list", "--policy", "guangzhou-2024", "--json").stdout
            return [r for r in json.loads(out) if r["round_id"] == gz]

        [scheduled] = wait_until(opened, timeout=300, interval=1)
        assert (scheduled["opened_by"], scheduled["providers"]) == ("schedule", 3)
        twice = cli(system, "round", "start", "guangzhou-2024", "--period", "2026-Q1", ok=False)
        assert twice.returncode == 2 and "already has a round for 2026-Q1" in twice.stderr

        # One provider missed the quarter: clearance proposed, confirmed, banned.
        for case_id in (stays, ordered):
            cli(system, "round", "score", gz, case_id.split(":")[-1], "--as", "bureau_officer:wg",
                "--data", str(EX / "guangzhou-2024" / "evaluation.json"))  # fmt: skip
        cli(system, "round", "close", gz, *OFFICER)
        decisions = show(system, misses)["listed"]["decisions"]
        assert [d["reason"] for d in decisions] == ["missed_evaluation"]
        confirm = json.dumps({"reason": "missed_evaluation", "meeting": "2026年第4次局务会"})
        cli(system, "case", "act", misses, "exit", *OFFICER, "--reason", "局务会审议确认",
            "--data", confirm)  # fmt: skip
        cli(system, "round", "set", "guangzhou-2024", "later")
        again = tmp_path / "again.json"
        app = json.loads((EX / "guangzhou-2024" / "application.json").read_text("utf-8"))
        app["credit_code"] = misses.split(":")[-1]
        again.write_text(json.dumps(app, ensure_ascii=False), "utf-8")
        refused = cli(system, "case", "apply", "guangzhou-2024", str(again), "--round", "later",
                      ok=False)  # fmt: skip
        assert refused.returncode == 2
        assert "banned from applying permanently: 未参加绩效评价" in refused.stderr

        # What is published, generated from the records.
        out = tmp_path / "published"
        cli(system, "publish", "guangzhou-2024", "--out", str(out))
        directory = json.loads((out / "directory.json").read_text("utf-8"))
        assert {r["case_id"] for r in directory["records"]} == {stays, ordered}
        [announcement] = sorted(out.glob("exit-*.html"))
        page = announcement.read_text("utf-8")
        assert "广州缺评科技有限公司" in page and "2026年第4次局务会" in page
        assert "不得重新申请纳入" in page and "§4.5" in page
        assert (out / "evaluation-2026-Q1.html").exists()
    finally:
        assert system.stop() == 0
