"""Cases on the real dev server through the real `lifecycle` command, with compressed days."""

import datetime as dt
import json

import pytest

from lifecycle.calendar import SHANGHAI
from tests.helpers import cli, show, wait_for_deadline, wait_until

pytestmark = pytest.mark.e2e
EX = "examples"


@pytest.fixture
def system(new_system):
    system = new_system(LIFECYCLE_DAY_SECONDS="2")
    system.start()
    yield system
    assert system.stop() == 0


def listed_ids(system, query: str) -> set[str]:
    out = system.temporal("workflow", "list", "--query", query, "-o", "json").stdout
    return {w["execution"]["workflowId"] for w in json.loads(out or "[]")}


def test_qingdao_case_from_application_to_listing(system):
    cli(system, "round", "set", "qingdao-2024", "e2e", "--applications-close", "2099-12-31")
    apply = (
        "case",
        "apply",
        "qingdao-2024",
        f"{EX}/qingdao-2024/application.json",
        "--round",
        "e2e",
    )
    case_id = cli(system, *apply).stdout.strip()
    assert case_id == "case:qingdao-2024:e2e:91370212MA3QD0001N"
    dup = cli(
        system,
        *apply,
        ok=False,
    )
    assert dup.returncode == 2 and "a second application is refused" in dup.stderr

    cli(system, "case", "act", case_id, "begin_review", "--as", "bureau_officer:li")
    before = show(system, case_id)
    wrong = cli(
        system,
        "case",
        "act",
        case_id,
        "pass_preliminary",
        "--as",
        "district_officer:zhao@黄岛区",
        ok=False,
    )
    assert wrong.returncode == 2
    assert wrong.stderr.strip().startswith(
        "'pass_preliminary' refused: a district officer of '黄岛区'"
    )
    early = cli(system, "case", "act", case_id, "publicise", "--as", "bureau_officer:li", ok=False)
    assert "'publicise' is not allowed while the case is preliminary_review" in early.stderr
    assert show(system, case_id)["history"] == before["history"]

    cli(system, "case", "act", case_id, "pass_preliminary", "--as", "district_officer:wang@市南区")
    cli(
        system,
        "case",
        "act",
        case_id,
        "score",
        "--as",
        "expert:panel",
        "--data",
        '{"score": 90, "rank": 1, "recommended": true}',
    )
    cli(system, "case", "act", case_id, "publicise", "--as", "bureau_officer:li")
    shown = show(system, case_id)
    assert shown["state"] == "publicity"
    notice = next(d for d in shown["deadlines"] if d["name"] == "public_notice")
    published = dt.datetime.fromisoformat(shown["history"][-1]["at"])
    opened = published.astimezone(SHANGHAI).date().isoformat()
    expected = cli(system, "calendar", "window", opened, "5").stdout.strip()
    assert notice["date"] == expected
    assert listed_ids(system, "CaseState='publicity' AND PolicyId='qingdao-2024'") == {case_id}
    described = json.loads(
        system.temporal_decoded("workflow", "describe", "-w", case_id, "-o", "json").stdout
    )
    summary = described["executionConfig"]["userMetadata"]["summary"]
    assert summary.startswith("青岛海智集成科技有限公司 · 青岛市中小企业数字化转型")
    details = system.temporal_decoded("workflow", "metadata", "-w", case_id).stdout
    assert "**publicity** · qingdao-2024 round e2e" in details
    assert f"Next deadline: public_notice {expected} 24:00" in details

    wait_for_deadline(system, case_id, "public_notice", timeout=60)
    wait_until(lambda: show(system, case_id)["state"] == "listed", timeout=60, interval=1)
    assert listed_ids(system, "CaseState='publicity' AND PolicyId='qingdao-2024'") == set()
    assert case_id in listed_ids(system, "CaseState='listed'")
    history = cli(system, "case", "history", case_id).stdout.splitlines()
    assert [line.split()[4] for line in history] == [
        "apply",
        "begin_review",
        "pass_preliminary",
        "score",
        "publicise",
        "list",
    ]
    assert len(history) == len(show(system, case_id)["history"])
    logged = [json.loads(line) for line in system.output().splitlines() if line.startswith("{")]
    computed = [e for e in logged if e["event"] == "deadline computed"]
    assert computed and all(e["case_id"] == case_id for e in computed)
    # The worker `lifecycle up` started kept what it loaded out of the collector's passes.
    steady = [e for e in logged if e["event"] == "worker steady"]
    assert len(steady) == 1 and steady[0]["objects_frozen"] > 100_000, steady


@pytest.mark.parametrize("policy", ["wenzhou-2021", "wuhan-2021"])
def test_other_packs_to_rejection_and_listing(system, policy):
    case_id = cli(system, "case", "apply", policy, f"{EX}/{policy}/application.json").stdout.strip()
    cli(system, "case", "act", case_id, "begin_review", "--as", "bureau_officer:li")
    no_reason = cli(
        system, "case", "act", case_id, "not_select", "--as", "bureau_officer:li", ok=False
    )
    assert "needs a reason" in no_reason.stderr
    cli(
        system,
        "case",
        "act",
        case_id,
        "not_select",
        "--as",
        "bureau_officer:li",
        "--reason",
        "评分排名靠后",
    )
    assert show(system, case_id)["state"] == "rejected"
    assert listed_ids(system, f"CaseState='rejected' AND PolicyId='{policy}'") == {case_id}
    closed = cli(
        system, "case", "act", case_id, "begin_review", "--as", "bureau_officer:li", ok=False
    )
    assert "is closed (rejected)" in closed.stderr
    rows = json.loads(cli(system, "case", "list", "--policy", policy, "--json").stdout)
    assert [(r["case_id"], r["state"]) for r in rows] == [(case_id, "rejected")]


def test_demo_moves_every_pack(system):
    out = cli(system, "demo", "--pause", "0").stdout
    applied = [line.split()[1] for line in out.splitlines() if line.startswith("applied")]
    assert len(applied) == 7
    wait_until(
        lambda: all(show(system, c)["state"] == "listed" for c in applied), timeout=90, interval=2
    )
