"""A headless Chromium (Debian's package) driven over the DevTools protocol: open a page, wait
until its text says what is expected (the Temporal Web UI polls, so no fixed wait), read the
text, take a screenshot. Outside the project, like the browser an officer uses."""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

from tests.helpers import free_port, wait_until


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    def __init__(self, width: int = 1440, height: int = 900) -> None:
        binary = chromium()
        assert binary, "Chromium is not installed (apt-get install chromium)"
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="lifecycle-chromium-")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                f"--remote-debugging-port={self.port}",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        targets = wait_until(self._targets, timeout=30, interval=0.2)
        page = next(t for t in targets if t["type"] == "page")
        self._connection = connect(page["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024)
        self.ws = self._connection.__enter__()
        self.ids = itertools.count(1)
        self.call("Page.enable")
        self.call("Runtime.enable")

    def _targets(self) -> list[dict[str, Any]] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=2) as r:
                found = json.loads(r.read())
        except OSError:
            return None
        return found if any(t["type"] == "page" for t in found) else None

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def text(self) -> str:
        result = self.call(
            "Runtime.evaluate", expression="document.body ? document.body.innerText : ''"
        )
        return str(result.get("result", {}).get("value", ""))

    def all_text(self) -> str:
        """Every text of the page, frames included (the UI renders markdown in iframes)."""
        snapshot = self.call("DOMSnapshot.captureSnapshot", computedStyles=[])
        return "\n".join(snapshot["strings"])

    def wait_for(
        self, check: Callable[[str], bool], timeout: float = 60.0, frames: bool = False
    ) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.all_text() if frames else self.text()
            if check(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"the page never showed what was expected:\n{text[:3000]}")
            time.sleep(0.5)

    def click_text(self, label: str) -> bool:
        """Clicks the first button, link or tab whose text is ``label``."""
        script = (
            "(() => { const l = " + json.dumps(label) + ";"
            " const e = [...document.querySelectorAll('button,a,[role=tab]')]"
            ".find(x => x.innerText.trim() === l); if (e) { e.click(); return true; }"
            " return false; })()"
        )
        return bool(self.call("Runtime.evaluate", expression=script)["result"].get("value"))

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self._connection.__exit__(None, None, None)
        finally:
            self.process.terminate()
            self.process.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)
