"""The Temporal Web UI, looked at by a headless Chromium: with the gateway's codec endpoint
(`lifecycle up` sets it) an officer sees the case's data decrypted; the same history served by
a plain dev server without the endpoint shows only ciphertext."""

from __future__ import annotations

import json
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
