"""The listed phase through the real command on the real dev server, with a chosen business
start and compressed days: training filings on and after the last on-time date around National
Day 2025, quota reservations under concurrent records, complaints sent twice by another system
reaching the threshold, and a guangzhou quarterly report missed (reminders, then a finding),
with the worker killed and restarted between the reminders."""

import datetime as dt
import json
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lifecycle.calendar import SHANGHAI, WorkingCalendar
from lifecycle.domain.credit_code import complete
from tests.helpers import (
    BIN,
    cli,
    lifecycle,
    show,
    wait_for_business,
    wait_for_deadline,
    wait_until,
)

pytestmark = pytest.mark.e2e
OFFICER = ("--as", "bureau_officer:li")
EX = Path("examples")


def business_day(system) -> dt.date:
    now = json.loads(cli(system, "clock", "--json").stdout)["business_now"]
    return dt.datetime.fromisoformat(now).date()


def wait_for_day(system, day: str) -> None:
    """Until business time has just entered ``day`` (so a command lands on it)."""
    target = dt.date.fromisoformat(day)
    assert business_day(system) < target, f"{day} has passed already"
    wait_for_business(system, dt.datetime.combine(target, dt.time(0), tzinfo=SHANGHAI))


def to_listed(
    system, policy: str, round_name: str, application: str | None = None
) -> tuple[str, str]:
    application = application or str(EX / policy / "application.json")
    app = json.loads(Path(application).read_text("utf-8"))
    cli(system, "round", "set", policy, round_name)
    case_id = cli(
        system,
        "case",
        "apply",
        policy,
        application,
        "--round",
        round_name,
    ).stdout.strip()
    cli(system, "case", "act", case_id, "begin_review", *OFFICER)
    if show(system, case_id)["state"] == "preliminary_review":  # qingdao-2024: the district first
        district = ("--as", f"district_officer:wang@{app['district']}")
        cli(system, "case", "act", case_id, "pass_preliminary", *district)
    score = '{"score": 90, "rank": 1, "recommended": true}'
    cli(system, "case", "act", case_id, "score", "--as", "expert:panel", "--data", score)
    cli(system, "case", "act", case_id, "publicise", *OFFICER)
    wait_for_deadline(system, case_id, "public_notice")
    wait_until(lambda: show(system, case_id)["state"] == "listed", timeout=300, interval=1)
    return case_id, f"provider:{app['credit_code']}"


def signal_event(system, case_id: str, event: dict) -> None:
    subprocess.run(
        [
            str(BIN / "temporal"),
            "workflow",
            "signal",
            "--workflow-id",
            case_id,
            "--name",
            "event",
            "--address",
            system.env.get("TEMPORAL_ADDRESS") or system.address,
            "--input",
            json.dumps(event, ensure_ascii=False),
        ],
        check=True,
        capture_output=True,
    )


@pytest.mark.long
def test_a_wenzhou_year_filings_quota_and_complaints(new_system):
    # Eight seconds a day: listing takes about eight business days, and a loaded machine's
    # commands must still leave 28 September ahead when the filing is tried.
    system = new_system(LIFECYCLE_BUSINESS_START="2025-09-15", LIFECYCLE_DAY_SECONDS="8")
    system.start()
    try:
        cli(system, "setting", "set", "wenzhou-2021", "city_diagnosis_target.2025", "30")
        bad = cli(
            system, "setting", "set", "wenzhou-2021", "city_diagnosis_target.2025", "x", ok=False
        )
        assert bad.returncode == 2 and "VALUE 'x' for city_diagnosis_target.2025" in bad.stderr
        case_id, provider = to_listed(system, "wenzhou-2021", "e2e")
        wait_until(lambda: show(system, case_id)["listed"]["quota"], timeout=60, interval=1)

        # Training for 17 October: the last on-time date is Sunday 28 September (a make-up
        # working day before National Day). Filed before the quota is tried, which takes a while
        # of business days on a slow machine.
        filing = json.dumps(
            {
                "event_date": "2025-10-17",
                "days": 0.5,
                "kind": "training",
                "participants": 60,
                "fee": 0,
                "industries": ["footwear"],
            }
        )
        file_it = ("case", "act", case_id, "file_training", "--as", provider, "--data", filing)
        wait_for_day(system, "2025-09-28")
        cli(system, *file_it)
        # From the 29th on (any later day is as late), the same filing is refused.
        wait_for_business(system, dt.datetime(2025, 9, 29, tzinfo=SHANGHAI), timeout=60)
        late = cli(system, *file_it, ok=False)
        assert late.returncode == 2
        assert "after its latest on-time date 2025-09-28" in late.stderr
        assert "wenzhou-2021 第十五条" in late.stderr

        # Quota: cap 3 (10% of 30); six records at once, three go through.
        def record(n: int) -> subprocess.CompletedProcess:
            data = {
                "kind": "diagnosis",
                "enterprise": complete(f"91330302MA2J{n:05d}"),
                "district": "鹿城区",
                "date": "2025-09-20",
            }
            return lifecycle(
                "case", "act", case_id, "record_service", "--as", provider,
                "--data", json.dumps(data), env=system.env,
            )  # fmt: skip

        # A record decided on a case changed since it was read is refused as stale: the
        # provider sends it again, as the refusal says, until it is applied or over the cap.
        applied, over, pending = [], [], list(range(6))
        for _ in range(12):
            with ThreadPoolExecutor(6) as pool:
                results = dict(zip(pending, pool.map(record, pending), strict=True))
            pending = []
            for n, r in results.items():
                if r.returncode == 0:
                    applied.append(n)
                elif "quota" in r.stderr:
                    over.append(r.stderr)
                else:
                    assert "the case changed since it was read" in r.stderr, r.stderr
                    pending.append(n)
            if not pending:
                break
        assert (len(applied), len(over), pending) == (3, 3, [])
        assert "the 2025 diagnosis quota" in over[0] and "第十条" in over[0]
        quota = show(system, case_id)["listed"]["quota"]
        assert (quota["diagnosis_cap"], quota["used"]) == (3, {"diagnosis": 3})

        # Complaints from another system, each sent twice; three distinct enterprises.
        for n in (1, 2, 3):
            event = {
                "event_id": f"hotline-{n}",
                "action": "complain",
                "actor": f"enterprise:{complete(f'91330302MA2K{n:05d}')}",
                "reason": f"SECRET-投诉-{n}",
            }
            signal_event(system, case_id, event)
            signal_event(system, case_id, event)
        wait_until(lambda: len(show(system, case_id)["listed"]["complaints"]) == 3, timeout=60)
        text = cli(system, "case", "show", case_id).stdout
        assert "SECRET-投诉" not in text and "complaint text: an officer sees it" in text
        ids = [c["id"] for c in show(system, case_id)["listed"]["complaints"]]
        for n in ids:
            data = json.dumps({"complaint": n})
            cli(system, "case", "act", case_id, "verify_complaint", *OFFICER, "--data", data)
        pending = cli(system, "case", "list", "--pending-decision").stdout
        assert case_id in pending and "verified complaints from 3 enterprise(s)" in pending
        assert (
            cli(system, "case", "list", "--pending-decision", "--policy", "qingdao-2024").stdout
            == ""
        )
        shown = cli(system, "case", "show", case_id, "--texts", *OFFICER).stdout
        assert "DECISION" in shown and "SECRET-投诉-1" in shown
        refused = cli(system, "case", "show", case_id, "--texts", "--as", provider, ok=False)
        assert refused.returncode == 2 and "officers only" in refused.stderr
        history = [e["action"] for e in show(system, case_id)["history"]]
        assert history.count("complain") == 3 and history.count("record_service") == 3
        assert show(system, case_id)["state"] == "listed"
        assert "SECRET" not in system.output(), "complaint texts are never logged"
    finally:
        assert system.stop() == 0


@pytest.mark.long
def test_a_guangzhou_quarter_reminders_and_a_missed_report_across_a_worker_restart(split):
    system = split(LIFECYCLE_BUSINESS_START="2026-03-16", LIFECYCLE_DAY_SECONDS="3")
    case_id, provider = to_listed(system, "guangzhou-2024", "e2e")
    due = next(
        d for d in show(system, case_id)["deadlines"] if d["name"] == "quarterly_self_report"
    )
    assert (due["period"], due["date"]) == ("2026-Q1", "2026-04-15")

    def reminders() -> list[dict]:
        return json.loads(cli(system, "notifications", "list", "--json").stdout)

    wait_until(lambda: reminders(), timeout=200, interval=1)
    assert [(r["role"], r["due"]) for r in reminders()] == [("provider", "2026-04-15")]
    system.kill_worker(signal.SIGKILL)
    system.start_worker()
    # until the Q1 report's due date has passed (on a loaded machine it may have already)
    wait_for_business(system, dt.datetime.fromisoformat(due["closes_at"]), timeout=200)
    wait_until(lambda: show(system, case_id)["findings"], timeout=200, interval=1)
    [finding] = show(system, case_id)["findings"]
    assert (finding["id"], finding["clause"]) == ("late_report", "§4.4.2")
    wait_until(lambda: len(reminders()) == 2, timeout=60, interval=1)
    assert [(r["role"], r["due"]) for r in reminders()] == [
        ("provider", "2026-04-15"),
        ("bureau_officer", "2026-04-15"),
    ]
    officer = cli(system, "notifications", "list", "--role", "bureau_officer").stdout
    assert officer.startswith("2026-04-15\tbureau_officer\t" + case_id)
    late = json.dumps({"period": "2026-Q1"})
    cli(system, "case", "act", case_id, "submit_report", "--as", provider, "--data", late)
    text = cli(system, "case", "show", case_id).stdout
    assert "quarterly_self_report [2026-Q1] submitted LATE" in text
    assert "finding late_report (§4.4.2)" in text


@pytest.mark.long
def test_a_rename_partners_the_transform_assess_rule_and_a_clearance_through_the_command(
    new_system,
):
    """guangzhou-2024 §4.8 and §4.6, qingdao-2024 §二(一)7, on one dev server: a new name shows
    in the Web UI's details, its ProviderName search and the read model from its effective
    date; partners are published after their 5-working-day notice, an objected one after the
    officer's decision; a provider that transformed an enterprise may not assess it; clearance
    proposed and confirmed by the bureau's meeting bans the provider, whose new application is
    refused (§4.4)."""
    system = new_system(LIFECYCLE_BUSINESS_START="2026-03-02", LIFECYCLE_DAY_SECONDS="3")
    system.start()
    try:
        gz, gz_provider = to_listed(system, "guangzhou-2024", "e2e")
        qd, qd_provider = to_listed(system, "qingdao-2024", "e2e")
        old_name = json.loads((EX / "guangzhou-2024" / "application.json").read_text())["name"]
        new_name = "广州新名称数字科技有限公司"

        # A rename reported more than 10 working days ahead: no finding.
        today = business_day(system)
        effective = WorkingCalendar.from_env().after(today, 12).date.isoformat()
        change = {"changes": ["name"], "name": new_name, "effective": effective}
        cli(system, "case", "act", gz, "report_change", "--as", gz_provider,
            "--data", json.dumps(change, ensure_ascii=False))  # fmt: skip
        assert show(system, gz)["findings"] == []
        assert f"change: name to '{new_name}'" in cli(system, "case", "show", gz).stdout

        def named(name: str) -> set[str]:
            query = f"ProviderName='{name}'"
            out = system.temporal("workflow", "list", "--query", query, "-o", "json").stdout
            return {w["execution"]["workflowId"] for w in json.loads(out or "[]")}

        # Not before its effective date (twelve working days off: asked at once, it has not come).
        assert named(new_name) == set()
        assert show(system, gz)["name"] == old_name

        # Partners: one lacks a document; two are reviewed, noticed as one batch, one objected.
        documents = {
            "licence": "营业执照.pdf",
            "legal_representative_id": "身份证.pdf",
            "audited_accounts": "2025审计报告.pdf",
        }
        one, two = complete("91440101MA5P00501"), complete("91440101MA5P00502")
        lacking = {"partner": one, "name": "生态一", "documents": documents}
        refused = cli(system, "case", "act", gz, "apply_partner", "--as", gz_provider,
                      "--data", json.dumps(lacking, ensure_ascii=False), ok=False)  # fmt: skip
        assert refused.returncode == 2
        assert "credit_report" in refused.stderr and "guangzhou-2024 §4.6" in refused.stderr
        documents["credit_report"] = "信用报告.pdf"
        for code, name in ((one, "生态一"), (two, "生态二")):
            partner = {"partner": code, "name": name, "documents": documents}
            cli(system, "case", "act", gz, "apply_partner", "--as", gz_provider,
                "--data", json.dumps(partner, ensure_ascii=False))  # fmt: skip
            review = json.dumps({"partner": code, "approve": True})
            cli(system, "case", "act", gz, "review_partner", *OFFICER, "--data", review)
        cli(system, "case", "act", gz, "publicise_partners", *OFFICER)
        cli(system, "case", "act", gz, "object_partner", "--as", "public:p1",
            "--reason", "资质存疑", "--data", json.dumps({"partner": two}))  # fmt: skip

        # qingdao-2024 §二(一)7 while the notices run.
        record = {"kind": "transformation", "enterprise": complete("91370212MA3QE0001"),
                  "district": "市南区", "date": business_day(system).isoformat()}  # fmt: skip
        cli(system, "case", "act", qd, "record_service", "--as", qd_provider,
            "--data", json.dumps(record, ensure_ascii=False))  # fmt: skip
        assess = json.dumps({**record, "kind": "assessment"}, ensure_ascii=False)
        conflict = cli(system, "case", "act", qd, "record_service", "--as", qd_provider,
                       "--data", assess, ok=False)  # fmt: skip
        assert conflict.returncode == 2 and "qingdao-2024 §二(一)7" in conflict.stderr
        assert f"has recorded transformation for enterprise {record['enterprise']}" in (
            conflict.stderr
        )
        other = json.dumps({**record, "kind": "assessment",
                            "enterprise": complete("91370212MA3QE0002")}, ensure_ascii=False)  # fmt: skip
        cli(system, "case", "act", qd, "record_service", "--as", qd_provider, "--data", other)
        services = [e["action"] for e in show(system, qd)["history"]]
        assert services.count("record_service") == 2

        def partners() -> dict[str, str]:
            return {p["code"]: p["status"] for p in show(system, gz)["listed"]["partners"]}

        wait_until(lambda: partners()[one] == "published", timeout=200, interval=1)
        assert partners()[two] == "objected"
        decide = json.dumps({"partner": two, "publish": True})
        cli(system, "case", "act", gz, "decide_partner", *OFFICER, "--reason", "异议不成立",
            "--data", decide)  # fmt: skip
        assert {c: s for c, s in partners().items() if c in (one, two)} == {
            one: "published",
            two: "published",
        }

        # The new name from its effective date: details, search attribute, read model.
        wait_until(lambda: show(system, gz)["name"] == new_name, timeout=200, interval=1)
        # (a later finding may follow it on a slow machine: the quarter's report falls due)
        took = [e for e in show(system, gz)["history"] if e["action"] == "take_effect"]
        assert took and took[-1]["data"]["name"] == new_name
        wait_until(lambda: named(new_name) == {gz}, timeout=30)
        details = system.temporal_decoded("workflow", "metadata", "-w", gz).stdout
        assert f"**{new_name}** (formerly {old_name})" in details, details
        listed = cli(system, "case", "list", "--policy", "guangzhou-2024").stdout
        assert new_name in listed and old_name not in listed
        # Reported in time: no late-change finding (a slow run may have passed the Q1 report's
        # day meanwhile, which is a finding of its own).
        assert "late_change_notice" not in [f["id"] for f in show(system, gz)["findings"]]

        # guangzhou-2024 §4.4 clearance: proposed, confirmed by the meeting, banned for good.
        propose = json.dumps({"reason": "falsified"})
        cli(system, "case", "act", gz, "propose_exit", *OFFICER, "--data", propose)
        pending = cli(system, "case", "list", "--pending-decision").stdout
        assert gz in pending and "clearance proposed" in pending
        confirm = json.dumps({"reason": "falsified", "meeting": "2026年第9次局务会"})
        cli(system, "case", "act", gz, "exit", *OFFICER, "--reason", "局务会审议确认",
            "--data", confirm)  # fmt: skip
        assert show(system, gz)["state"] == "exited"
        bans = json.loads(cli(system, "ban", "list", "--json").stdout)
        assert [(b["case_id"], b["ends"]) for b in bans] == [(gz, None)]
        cli(system, "round", "set", "guangzhou-2024", "again")
        again = cli(system, "case", "apply", "guangzhou-2024",
                    str(EX / "guangzhou-2024" / "application.json"), "--round", "again",
                    ok=False)  # fmt: skip
        assert again.returncode == 2
        assert "is banned from applying permanently: 伪造资料、弄虚作假" in again.stderr
        assert "guangzhou-2024 §4.4(清退)" in again.stderr
    finally:
        assert system.stop() == 0
