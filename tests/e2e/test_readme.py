"""The README's first-case walkthrough, run as written: its settings, its commands in order (a
line whose comment says 'refused' must be refused), and its stated timing for the listing."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import BIN, lifecycle, show, wait_until

pytestmark = pytest.mark.e2e


def walkthrough() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The second terminal's settings and its (command, comment) lines."""
    text = Path("README.md").read_text("utf-8")
    section = text.split("## Your first case, from application to listing", 1)[1]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    second = blocks[1]
    settings: dict[str, str] = {}
    lines: list[tuple[str, str]] = []
    for raw in second.splitlines():
        code, _, comment = raw.partition("#")
        code = code.strip()
        if code.startswith("export "):
            settings.update(pair.split("=", 1) for pair in shlex.split(code)[1:])
        elif code or comment:
            lines.append((code, comment.strip()))
    return settings, lines


def test_the_first_case_walkthrough_runs_as_written(new_system):
    settings, lines = walkthrough()
    assert settings["LIFECYCLE_DAY_SECONDS"] == "10"
    system = new_system(
        LIFECYCLE_BUSINESS_START=settings["LIFECYCLE_BUSINESS_START"],
        LIFECYCLE_DAY_SECONDS=settings["LIFECYCLE_DAY_SECONDS"],
    )
    system.start()
    variables: dict[str, str] = {}
    published_at = None
    try:
        for code, comment in lines:
            if not code:
                within = re.search(r"within (\d+) s here", comment)
                if within:  # wait as the README says, no longer
                    assert published_at is not None
                    limit = int(within.group(1)) - (time.monotonic() - published_at)
                    wait_until(
                        lambda: show(system, variables["C"])["state"] == "listed",
                        timeout=max(limit, 1),
                        interval=1,
                    )
                continue
            assignment = re.fullmatch(r"(\w+)=(\S+)", code)
            if assignment:
                variables[assignment.group(1)] = assignment.group(2)
                continue
            words = [variables.get(w[1:], w) if w.startswith("$") else w for w in shlex.split(code)]
            if words[0] == "temporal":
                words = [w if w != "127.0.0.1:7233" else system.address for w in words]
                done = subprocess.run([str(BIN / "temporal"), *words[1:]], capture_output=True,
                                      text=True, timeout=60)  # fmt: skip
                assert done.returncode == 0 and variables["C"] in done.stdout, done.stderr
                continue
            assert words[0] == "lifecycle", code
            done = lifecycle(*words[1:], env=system.env)
            expected = 2 if "refused" in comment else 0
            assert done.returncode == expected, (code, done.stderr)
            if words[1:4] == ["case", "act", variables.get("C", "")] and words[4] == "publicise":
                published_at = time.monotonic()
                shown = show(system, variables["C"])
                opened = dt.datetime.fromisoformat(shown["history"][-1]["at"]).date()
                notice = next(d for d in shown["deadlines"] if d["name"] == "public_notice")
                assert opened.isoformat() in ("2026-12-01", "2026-12-02"), opened
                assert (
                    notice["date"]
                    == {"2026-12-01": "2026-12-07", "2026-12-02": "2026-12-08"}[opened.isoformat()]
                )
        final = show(system, variables["C"])
        assert final["state"] == "listed"
        assert [e["action"] for e in final["history"]][-1] == "list"
    finally:
        assert system.stop() == 0
