"""The console as people use it, in Debian's Chromium driven by Playwright (no browser is
downloaded): a browser context per person (their own cookies), an accessibility check of each
page with axe-core (nothing serious or critical), screenshots where the docs keep them, and the
setting up of cases through the gateway's HTTP API as another system would."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
from axe_playwright_python.sync_playwright import Axe

from lifecycle.domain import credit_code
from tests.helpers import BIN

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS = {"serious", "critical"}
# Where `make console-screenshots` keeps the pages the docs show (else the test's own folder).
SHOTS = os.environ.get("LIFECYCLE_SCREENSHOTS")
AXE = Axe()


def accessible(page: Any, what: str) -> None:
    """axe-core finds nothing serious or critical on the page as it is now."""
    found = AXE.run(page).response["violations"]
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v.get("impact") in SERIOUS
    ]
    assert not bad, f"{what}: " + "; ".join(bad)


def shot(page: Any, name: str, fallback: Path) -> None:
    folder = Path(SHOTS) if SHOTS else fallback
    folder.mkdir(parents=True, exist_ok=True)
    # What the screen shows (a full-page screenshot resizes the page for a moment, and
    # Chromium then misplaces the next click).
    page.screenshot(path=str(folder / f"console-{name}.png"))


def key(system: Any, name: str, role: str, *extra: str) -> str:
    """`lifecycle api-key create`: the key it shows once."""
    made = subprocess.run(
        [str(BIN / "lifecycle"), "api-key", "create", "--name", name, "--role", role, *extra],
        env={**os.environ, **system.env},
        capture_output=True,
        text=True,
        check=True,
    )
    return re.findall(r"^lk_\S+$", made.stdout, re.M)[0]


class Api:
    """The gateway's HTTP API with one key (how other systems and scripts set cases up)."""

    def __init__(self, system: Any, token: str) -> None:
        self.http = httpx.Client(
            base_url=system.api, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    def apply(self, policy: str, example: str, code: str, round_name: str, **change: Any) -> str:
        app = json.loads(Path(f"examples/{policy}/{example}").read_text("utf-8"))
        app.update(credit_code=credit_code.complete(code), **change)
        answer = self.http.post(
            "/cases", json={"policy": policy, "round": round_name, "application": app}
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["case_id"])

    def act(self, case_id: str, action: str, reason: str = "", **data: Any) -> dict[str, Any]:
        answer = self.http.post(
            f"/cases/{case_id}/actions", json={"action": action, "reason": reason, "data": data}
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def show(self, case_id: str) -> dict[str, Any]:
        answer = self.http.get(f"/cases/{case_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def sign_in_with_key(page: Any, base: str, token: str) -> None:
    page.goto(f"{base}/console/sign-in")
    page.get_by_label("API 密钥").fill(token)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/console/$"))
