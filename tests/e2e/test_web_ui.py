"""The Temporal Web UI, looked at by a headless Chromium: with the gateway's codec endpoint
(`lifecycle up` sets it) an officer sees the case's data decrypted; the same history served by
a plain dev server without the endpoint shows only ciphertext."""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from tests.helpers import BIN, cli, free_port
from tests.helpers.browser import Browser, chromium

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (make test does)"),
]
CONTACT = "CANARY浏览器联系人"
CIPHERTEXT = re.compile(r"[A-Za-z0-9+/=]{300,}")  # the sealed input, shown as base64


def test_the_web_ui_shows_a_decrypted_case_with_the_codec_and_ciphertext_without(
    new_system, tmp_path
):
    system = new_system()
    app = json.loads(Path("examples/qingdao-2024/application.json").read_text("utf-8"))
    app["contact"]["person"] = CONTACT
    path = tmp_path / "app.json"
    path.write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
    system.start()
    cli(system, "round", "set", "qingdao-2024", "ui")
    case_id = cli(system, "case", "apply", "qingdao-2024", str(path), "--round", "ui").stdout
    page = f"/namespaces/default/workflows/{urllib.parse.quote(case_id.strip(), safe='')}"
    browser = Browser()
    try:
        browser.open(f"http://127.0.0.1:{system.ui_port}{page}")
        seen = browser.wait_for(lambda t: CONTACT in t, timeout=90)
        assert app["name"] in seen
        browser.screenshot(system.var_dir / "ui-decoded.png")
        assert system.stop() == 0

        # The same history, served without the codec endpoint: ciphertext only.
        ui_port = free_port()
        plain = subprocess.Popen(
            [
                str(BIN / "temporal"), "server", "start-dev", "--ip=127.0.0.1",
                f"--port={system.port}", f"--ui-port={ui_port}",
                f"--db-filename={system.var_dir / 'temporal.db'}", "--log-level=error",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            browser.open(f"http://127.0.0.1:{ui_port}{page}")
            shown = browser.wait_for(lambda t: CIPHERTEXT.search(t) is not None, timeout=90)
            assert case_id.strip() in shown
            assert CONTACT not in shown and app["name"] not in shown
            browser.screenshot(system.var_dir / "ui-ciphertext.png")
        finally:
            plain.terminate()
            plain.wait(30)
    finally:
        browser.close()


# The columns the README's one-time set-up adds to the Workflows list ("Configure Columns"):
# the UI keeps them in the browser's local storage, per namespace, as this value.
COLUMNS = [
    {"label": "Status", "pinned": True},
    {"label": "ProviderName", "pinned": True},
    {"label": "CaseState", "pinned": False},
    {"label": "PolicyId", "pinned": False},
    {"label": "NextDeadline", "pinned": False},
    {"label": "Workflow ID", "pinned": False},
]
SHOTS = Path("docs/screenshots")


def test_the_case_list_and_detail_show_what_an_officer_needs(new_system):
    """With the README's columns the list row tells state, provider, programme and next
    deadline; the detail page's User Metadata tells the state, deadlines and who did what. The
    screenshots in the README come from here (LIFECYCLE_SCREENSHOTS=1 writes them)."""
    system = new_system()
    system.start()
    cli(system, "round", "set", "qingdao-2024", "ui", "--preliminary-review-due", "2030-12-31")
    first = cli(system, "case", "apply", "qingdao-2024",
                "examples/qingdao-2024/application.json", "--round", "ui").stdout.strip()  # fmt: skip
    second = cli(system, "case", "apply", "qingdao-2024",
                 "examples/qingdao-2024/application-chain-leader.json", "--round", "ui").stdout.strip()  # fmt: skip
    cli(system, "case", "act", first, "begin_review", "--as", "bureau_officer:li",
        "--reason", "材料齐全，进入初审")  # fmt: skip
    name = json.loads(Path("examples/qingdao-2024/application.json").read_text("utf-8"))["name"]
    browser = Browser()
    try:
        setup = (
            "localStorage.setItem('namespace-workflow-table-columns', "
            + json.dumps(json.dumps({"default": COLUMNS}))
            + ")"
        )
        browser.call("Page.addScriptToEvaluateOnNewDocument", source=setup)
        query = urllib.parse.quote("WorkflowType='CaseWorkflow'")
        browser.open(
            f"http://127.0.0.1:{system.ui_port}/namespaces/default/workflows?query={query}"
        )
        listed = browser.wait_for(
            lambda t: name in t and "preliminary_review" in t and "submitted" in t, timeout=90
        )
        assert "qingdao-2024" in listed and second in listed
        if os.environ.get("LIFECYCLE_SCREENSHOTS") == "1":
            browser.screenshot(SHOTS / "web-ui-cases.png")

        page = f"/namespaces/default/workflows/{urllib.parse.quote(first, safe='')}"
        browser.open(f"http://127.0.0.1:{system.ui_port}{page}")
        browser.wait_for(lambda t: "User Metadata" in t, timeout=90)
        assert browser.click_text("User Metadata")
        detail = browser.wait_for(lambda t: "Next deadline" in t, timeout=60, frames=True)
        assert "**preliminary_review**" in detail and name in detail
        assert "2030-12-31 24:00" in detail
        if os.environ.get("LIFECYCLE_SCREENSHOTS") == "1":
            browser.screenshot(SHOTS / "web-ui-case.png")
        assert browser.click_text("Timeline")
        timeline = browser.wait_for(lambda t: "by bureau_officer:li" in t, timeout=60)
        assert "begin_review by bureau_officer:li → preliminary_review" in timeline
    finally:
        browser.close()
        assert system.stop() == 0
