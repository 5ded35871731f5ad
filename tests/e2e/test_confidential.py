"""Case data is encrypted in Temporal: canary strings planted in an application's contact and in
a complaint's text are found in no raw history, search attribute, memo, workflow id, log, in
neither Temporal's database file nor the store's non-personal columns, while an officer still
reads them; a plaintext control planted the same way is found, so the scan can fail. After a key
rotation and a restart, the old history still opens and new data is sealed with the new key."""

from __future__ import annotations

import base64
import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.api.common.v1 import Payload

from lifecycle.domain.credit_code import complete
from lifecycle.temporal.codec import key_of
from tests.e2e.test_gateway import bearer, made_key, send_event
from tests.e2e.test_listed_cli import signal_event, to_listed
from tests.helpers import cli, show, wait_until

pytestmark = pytest.mark.e2e
CONTACT, PHONE = "CANARY联系人Q7", "0577-99990417"
COMPLAINT = "CANARY投诉正文Z9"
CONTROL = "CONTROL明文K4"  # sent in the clear on purpose: the scan must find it
# Columns that hold people's words by design (what an officer reads back, masked for others).
PERSONAL = {("audit_log", "reason"), ("audit_log", "data"), ("rejected_events", "reason")}


def strings_in(value: Any) -> list[str]:
    """Every string in a JSON document, with base64 payload data decoded as well."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += strings_in(v)
            if k == "data" and isinstance(v, str):
                with contextlib.suppress(ValueError):
                    found.append(base64.b64decode(v).decode("utf-8", "replace"))
    elif isinstance(value, list):
        for v in value:
            found += strings_in(v)
    elif isinstance(value, str):
        found.append(value)
    return found


def temporal_json(system, *args: str) -> Any:
    done = system.temporal(*args, "-o", "json")
    assert done.returncode == 0, done.stderr
    return (
        json.loads(done.stdout)
        if done.stdout.strip().startswith(("{", "["))
        else [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    )


def raw_texts(system) -> dict[str, str]:
    """What Temporal holds, without the codec: histories, descriptions (search attributes,
    memos), ids, schedules; its database file; the logs."""
    texts: dict[str, str] = {}
    runs = temporal_json(system, "workflow", "list", "--limit", "200")
    texts["workflow ids"] = json.dumps(runs, ensure_ascii=False)
    for run in runs:
        wid = run["execution"]["workflowId"]
        history = temporal_json(system, "workflow", "show", "-w", wid)
        texts[f"history {wid}"] = "\n".join(strings_in(history))
        described = temporal_json(system, "workflow", "describe", "-w", wid)
        texts[f"describe {wid}"] = "\n".join(strings_in(described))
    for name in ("temporal.db", "temporal.db-wal", "up.log", "temporal-server.log"):
        path = system.var_dir / name
        if path.exists():
            texts[name] = path.read_bytes().decode("utf-8", "replace")
    return texts


def store_texts(system) -> dict[str, str]:
    db = sqlite3.connect(system.var_dir / "lifecycle.db")
    texts = {}
    tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
    for table in tables:
        columns = [r[1] for r in db.execute(f"pragma table_info({table})")]
        for column in columns:
            if (table, column) in PERSONAL:
                continue
            values = db.execute(f"select {column} from {table}").fetchall()
            texts[f"{table}.{column}"] = " ".join(str(v[0]) for v in values)
    db.close()
    return texts


def test_canaries_are_sealed_everywhere_and_a_rotated_key_still_opens_old_cases(
    new_system, tmp_path
):
    system = new_system(LIFECYCLE_BUSINESS_START="2025-09-15", LIFECYCLE_DAY_SECONDS="3")
    app = json.loads(Path("examples/wenzhou-2021/application.json").read_text("utf-8"))
    app["contact"] = {"person": CONTACT, "phone": PHONE}
    canary_app = tmp_path / "canary.json"
    canary_app.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
    system.start()
    try:
        case_id, _ = to_listed(system, "wenzhou-2021", "cy", application=str(canary_app))
        key, secret = made_key(system, "--name", "hotline", "--role", "system")
        [officer_key] = made_key(system, "--name", "li", "--role", "bureau_officer")
        event = {
            "event_id": "call-77",
            "case_id": case_id,
            "action": "complain",
            "actor": f"enterprise:{complete('91330302MA2K00077')}",
            "reason": COMPLAINT,
        }
        assert send_event(system.api, key, secret, event).status_code == 202
        wait_until(lambda: show(system, case_id)["listed"]["complaints"], timeout=60)
        control = {"event_id": "control-1", "action": "fly", "actor": "public:x", "reason": CONTROL}
        signal_event(system, case_id, control)  # plaintext, outside the codec: a control
        wait_until(lambda: "control-1" in cli(system, "events", "rejected").stdout, timeout=60)

        # An officer reads the complaint and the contact (the codec opens them).
        officer = bearer(officer_key)
        seen = httpx.get(
            f"{system.api}/cases/{case_id}?texts=true", headers=officer, timeout=30
        ).json()
        assert COMPLAINT in json.dumps(seen, ensure_ascii=False)
        history = temporal_json(system, "workflow", "show", "-w", case_id)
        started = history["events"][0]["workflowExecutionStartedEventAttributes"]["input"]
        opened = httpx.post(f"{system.api}/codec/decode", json=started, headers=officer)
        assert opened.status_code == 200
        assert CONTACT in base64.b64decode(opened.json()["payloads"][0]["data"]).decode()
        assert httpx.post(f"{system.api}/codec/decode", json=started).status_code == 401
        # A local process that sends the Web UI's own Origin is no one: refused.
        ui = {"Origin": f"http://127.0.0.1:{system.ui_port}"}
        forged = httpx.post(f"{system.api}/codec/decode", json=started, headers=ui)
        assert forged.status_code == 401, forged.text
        guessed = httpx.post(f"{system.api}/codec/ui/guess/decode", json=started, headers=ui)
        assert guessed.status_code == 401 and "made anew at each start" in guessed.json()["error"]
        # The Web UI's link for this run opens it (the Web UI test sees it do so in a browser).
        link = httpx.get(f"http://127.0.0.1:{system.ui_port}/api/v1/settings").json()
        endpoint = link["Codec"]["Endpoint"]
        assert "/codec/ui/" in endpoint and len(endpoint.rsplit("/", 1)[1]) >= 40
        assert httpx.post(f"{endpoint}/decode", json=started, headers=ui).status_code == 200

        texts = {**raw_texts(system), **store_texts(system)}
        assert any(CONTROL in t for t in texts.values()), "the scan finds a plaintext control"
        for canary in (CONTACT, PHONE, COMPLAINT):
            leaks = [where for where, text in texts.items() if canary in text]
            assert leaks == [], f"{canary} found in {leaks}"
    finally:
        assert system.stop() == 0

    # Rotation: a new current key; the old case still opens after a restart, new data uses it.
    rotated = cli(system, "codec", "rotate").stdout
    new_key = rotated.split("new current key ")[1].split(" ")[0]
    system.start()
    try:
        assert show(system, case_id)["state"] == "listed"
        cli(system, "case", "act", case_id, "verify_complaint", "--as", "bureau_officer:li",
            "--data", json.dumps({"complaint": show(system, case_id)["listed"]["complaints"][0]["id"]}))  # fmt: skip
        history = temporal_json(system, "workflow", "show", "-w", case_id)
        ids = {key_of(_payload(p)) for p in _payloads(history)} - {None}
        assert ids == {"k1", new_key}
    finally:
        assert system.stop() == 0


def _payload(shown: dict) -> Payload:
    """A payload as ``temporal workflow show -o json`` prints it (base64 inside)."""
    metadata = {k: base64.b64decode(v) for k, v in shown.get("metadata", {}).items()}
    return Payload(metadata=metadata, data=base64.b64decode(shown.get("data", "")))


def _payloads(value: Any) -> list[dict]:
    found = []
    if isinstance(value, dict):
        if "metadata" in value and "data" in value:
            found.append(value)
        for v in value.values():
            found += _payloads(v)
    elif isinstance(value, list):
        for v in value:
            found += _payloads(v)
    return found
