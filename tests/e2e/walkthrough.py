"""A page's walkthrough, run as written against a running system: every ```sh block of the page,
in order, each line in bash as a person would type it.

- ``export NAME=VALUE …`` lines are the system's settings: the system is started with them (its
  own var folder and ports beside), and they are not run again.
- ``make run`` is the system itself, already started.
- ``NAME=VALUE`` lines set a variable for the lines after (``$(…)`` is run by bash).
- A command line must exit 0, or 2 when its comment says "refused"; a comment ``→ TEXT`` asks
  that its output contains TEXT.
- A comment-only line ``… until STATE, within N s …`` waits, at most N seconds, until the case
  in ``$C`` is in STATE.
- ``temporal … --address 127.0.0.1:7233`` is sent to the running system's server, and the
  gateway's ``127.0.0.1:8080`` is the running system's gateway.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import BIN

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
UNTIL = re.compile(r"until (\w+), within (\d+) s")
ASSIGN = re.compile(r"^([A-Z_][A-Z0-9_]*)=(\$\(.*\)|\S+)$")
IDENTITY = ("LIFECYCLE_VAR_DIR",)  # the test's own folder, not the page's


@dataclass
class Line:
    number: int
    code: str
    comment: str


@dataclass
class Walk:
    """``prelude``: the lines before the page's settings, which need no running system (they
    are run before it starts, so they spend none of its business time)."""

    page: Path
    settings: dict[str, str] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    prelude: list[Line] = field(default_factory=list)


def split(raw: str) -> tuple[str, str]:
    """A line's code and its comment: the first ' #' outside quotes."""
    for found in re.finditer(r"(^|\s)#", raw):
        code = raw[: found.start()]
        try:
            shlex.split(code)
        except ValueError:
            continue  # inside a quoted string
        return code.strip(), raw[found.end() :].strip()
    return raw.strip(), ""


def walkthrough(page: Path, section: str | None = None) -> Walk:
    text = page.read_text("utf-8")
    if section is not None:
        text = text.split(section, 1)[1]
        nxt = re.search(r"^## ", text, re.M)
        text = text[: nxt.start()] if nxt else text
    walk = Walk(page)
    number = 0
    for block in FENCE.findall(text):
        for raw in block.splitlines():
            number += 1
            code, comment = split(raw)
            if code.startswith("export "):
                if not walk.settings:
                    walk.prelude, walk.lines = walk.lines, []
                walk.settings.update(pair.split("=", 1) for pair in shlex.split(code)[1:])
            elif code == "make run":
                continue
            elif code or comment:
                walk.lines.append(Line(number, code, comment))
    return walk


def system_settings(walk: Walk) -> dict[str, str]:
    """What the system is started with: the page's settings but its own var folder."""
    return {k: v for k, v in walk.settings.items() if k not in IDENTITY}


def run(walk: Walk, system, lines: list[Line] | None = None) -> dict[str, str]:
    """Runs the walkthrough (or ``lines`` of it) against ``system`` (started with
    ``system_settings``); returns the variables it set. A line that does not do what its
    comment says fails the test, naming it."""
    variables: dict[str, str] = {}
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        **system_settings(walk),
        **system.env,
    }
    for line in walk.lines if lines is None else lines:
        where = f"{walk.page.name}, walkthrough line {line.number}: {line.code or line.comment}"
        if not line.code:
            until = UNTIL.search(line.comment)
            if until:
                _wait(env | variables, variables["C"], until.group(1), int(until.group(2)), where)
            continue
        code = line.code.replace("127.0.0.1:7233", system.address).replace(
            "127.0.0.1:8080", f"127.0.0.1:{system.api_port}"
        )
        assignment = ASSIGN.match(code)
        if assignment:
            name, value = assignment.groups()
            variables[name] = _bash(f"printf %s {value}", env | variables, where).stdout
            continue
        done = _bash(code, env | variables, where)
        expected = 2 if "refused" in line.comment else 0
        assert done.returncode == expected, f"{where}: exit {done.returncode}\n{done.stderr}"
        wanted = line.comment.partition("→")[2].strip()
        if wanted:
            assert wanted in done.stdout + done.stderr, f"{where}: no '{wanted}' in\n{done.stdout}"
    return variables


def _bash(code: str, env: dict[str, str], where: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _wait(env: dict[str, str], case_id: str, state: str, seconds: int, where: str) -> None:
    deadline = time.monotonic() + seconds
    seen = None
    while time.monotonic() < deadline:
        shown = _bash(f"lifecycle case show {shlex.quote(case_id)} --json", env, where)
        if shown.returncode == 0:
            seen = json.loads(shown.stdout)["state"]
            if seen == state:
                return
        time.sleep(1)
    raise AssertionError(f"{where}: the case is {seen}, not {state}, after {seconds} s")
