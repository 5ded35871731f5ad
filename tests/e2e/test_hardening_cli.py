"""Hardening through the real command on the real dev server: a worker killed while actions and
timers are pending, objections sent before and after the notice closed while no worker runs, a
command retried after it timed out, refused events kept for their sender, and audit rows edited
behind the engine's back."""

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from lifecycle.domain.credit_code import complete
from lifecycle.store import chain
from tests.helpers import BIN, business_now, cli, show, wait_for_business, wait_until

pytestmark = pytest.mark.e2e
OFFICER = ("--as", "bureau_officer:li")


def chain_leader(tmp_path: Path, n: int) -> str:
    app = json.loads(Path("examples/qingdao-2024/application-chain-leader.json").read_text("utf-8"))
    app["credit_code"] = complete(f"91370281MA3H{n:05d}")
    path = tmp_path / f"chain-{n}.json"
    path.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
    return str(path)


def publicised(system, tmp_path: Path, n: int) -> str:
    case_id = cli(
        system, "case", "apply", "qingdao-2024", chain_leader(tmp_path, n), "--round", "h"
    )
    case_id = case_id.stdout.strip()
    cli(system, "case", "act", case_id, "begin_review", *OFFICER)
    cli(system, "case", "act", case_id, "pass_preliminary", "--as", "district_officer:w@城阳区")
    data = '{"score": 90, "rank": 1, "recommended": true}'
    cli(system, "case", "act", case_id, "score", "--as", "expert:panel", "--data", data)
    cli(system, "case", "act", case_id, "publicise", *OFFICER)
    return case_id


def closes(system, case_id: str) -> dt.datetime:
    notice = next(d for d in show(system, case_id)["deadlines"] if d["name"] == "public_notice")
    return dt.datetime.fromisoformat(notice["closes_at"])


@pytest.mark.long
def test_objections_while_no_worker_runs_are_judged_when_sent_and_applied_once(split, tmp_path):
    system = split(
        LIFECYCLE_BUSINESS_START="2025-09-26",
        LIFECYCLE_DAY_SECONDS="5",  # the early notice's window outlasts a loaded machine's commands
        LIFECYCLE_ACT_TIMEOUT="3",
    )
    cli(system, "round", "set", "qingdao-2024", "h")
    early_case, late_case = publicised(system, tmp_path, 1), publicised(system, tmp_path, 2)
    # The two were publicised a few business days apart (5 s days): wait for the later close.
    early_close = closes(system, early_case)
    close = max(early_close, closes(system, late_case))
    system.kill_worker(signal.SIGKILL)  # timers pending, the store and server still up

    objection = ("case", "act", early_case, "object", "--as", "public:a", "--reason", "材料不实")
    first = cli(system, *objection, ok=False)
    assert first.returncode == 3, first.stderr
    assert f"{early_case} did not answer within 3 s (is the worker running?)" in first.stderr
    again = cli(system, *objection, ok=False)  # the operator runs it again
    assert again.returncode == 3 and again.stderr == first.stderr  # the same request id
    assert business_now(system) < early_close

    wait_for_business(system, close, timeout=120)
    late = cli(
        system, "case", "act", late_case, "object", "--as", "public:b", "--reason", "迟到", ok=False
    )
    assert late.returncode == 3
    subprocess.run(  # another system's event, straight through Temporal, also after the close
        [
            str(BIN / "temporal"),
            "workflow",
            "signal",
            "--workflow-id",
            late_case,
            "--name",
            "event",
            "--address",
            system.env["TEMPORAL_ADDRESS"],
            "--input",
            json.dumps(
                {
                    "event_id": "platform-7",
                    "action": "object",
                    "actor": "public:c",
                    "reason": "迟到的平台异议",
                }
            ),
        ],
        check=True,
        capture_output=True,
    )
    system.start_worker()  # the worker is back, days later in business time

    wait_until(lambda: show(system, late_case)["state"] == "listed", timeout=60, interval=1)
    held = show(system, early_case)
    assert held["state"] == "publicity"  # the objection sent in time holds it
    assert [(o["by"], o["status"]) for o in held["objections"]] == [("public:a", "open")]
    assert [e["action"] for e in held["history"]].count("object") == 1  # sent twice, applied once
    listed = show(system, late_case)
    assert "object" not in [e["action"] for e in listed["history"]]
    rejected = json.loads(cli(system, "events", "rejected", "--json").stdout)
    assert [(r["case_id"], r["event_id"]) for r in rejected] == [(late_case, "platform-7")]
    assert rejected[0]["reason"].startswith("'object' refused: the 公示 closed at ")
    assert "迟到" not in rejected[0]["reason"]
    third = cli(system, *objection, ok=False)  # sent again now: never a second objection
    assert third.returncode == 2 and "'object' refused: the 公示 closed at" in third.stderr
    verified = cli(system, "audit", "verify").stdout.strip()
    assert verified.endswith("every chain holds and is sealed with the audit key."), verified


def test_audit_rows_cannot_be_changed_and_an_edit_behind_the_guard_is_named(new_system, tmp_path):
    system = new_system()
    system.start()
    case_id = cli(
        system, "case", "apply", "anhui-2019", "examples/anhui-2019/application.json"
    ).stdout.strip()
    cli(system, "case", "act", case_id, "begin_review", *OFFICER)
    data = '{"score": 77.5, "rank": 2, "recommended": true}'
    cli(system, "case", "act", case_id, "score", "--as", "expert:panel", "--data", data)
    assert cli(system, "audit", "verify", case_id).stdout.strip() == (
        "1 case(s), 3 row(s): every chain holds and is sealed with the audit key."
    )
    db = sqlite3.connect(system.var_dir / "lifecycle.db")
    with pytest.raises(sqlite3.DatabaseError, match="audit_log is append-only"):
        db.execute("UPDATE audit_log SET reason = '伪造' WHERE seq = 3")
    with pytest.raises(sqlite3.DatabaseError, match="audit_log is append-only"):
        db.execute("DELETE FROM audit_log WHERE seq = 2")
    db.execute("DROP TRIGGER audit_log_no_update")  # someone with the database's keys
    db.execute(
        'UPDATE audit_log SET data = \'{"score": 95, "rank": 1, "recommended": true}\' WHERE seq = 3'
    )
    db.commit()
    db.close()
    verified = cli(system, "audit", "verify", ok=False)
    assert verified.returncode == 1
    assert (
        verified.stdout.strip()
        == f"case {case_id}: row #3 (score) was changed after it was written."
    )
    assert "1 of 1 case(s) have an audit trail that does not hold." in verified.stderr
    history = cli(system, "case", "show", case_id, "--json").stdout
    assert json.loads(history)["history"][2]["data"]["score"] == 95  # what the forger wrote

    # The forger recomputes the row's hash: the chain holds again, the audit key's seal does not.
    db = sqlite3.connect(system.var_dir / "lifecycle.db")
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM audit_log WHERE seq = 3").fetchone())
    row["data"] = json.loads(row["data"])
    row["at"] = dt.datetime.fromisoformat(row["at"])
    new_hash = chain.digest(row["prev_hash"], row)
    db.execute("UPDATE audit_log SET hash = ? WHERE seq = 3", (new_hash,))
    db.commit()
    db.close()
    verified = cli(system, "audit", "verify", ok=False)
    assert verified.returncode == 1
    assert verified.stdout.strip() == (
        f"case {case_id}: row #3 (score) was changed after it was written: its seal does not "
        "match (its hashes were recomputed without the audit key)."
    )
    assert system.stop() == 0
    elsewhere = {**system.env, "LIFECYCLE_AUDIT_KEYS": str(tmp_path / "none.json")}
    fooled = subprocess.run(
        [str(BIN / "lifecycle"), "audit", "verify"], env={**os.environ, **elsewhere},
        capture_output=True, text=True,
    )  # fmt: skip
    assert fooled.returncode == 0 and "the seals were not checked" in fooled.stdout
