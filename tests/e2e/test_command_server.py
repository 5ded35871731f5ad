"""The command server `lifecycle up` runs beside the system: a command typed while the system
runs is answered by a forked copy of a process that has loaded the libraries once, with the
person's arguments, environment, folder, terminal, exit code and Ctrl-C; without a server the
command runs in its own process, with the same answer."""

import contextlib
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import BIN, cli, lifecycle, wait_until

pytestmark = pytest.mark.e2e

EXAMPLES = BIN.parent.parent / "examples"


def _cpu_of(
    args: list[str], env: dict[str, str], **kw
) -> tuple[subprocess.CompletedProcess, float]:
    """The command, and the CPU time its own process took (not a server's copy)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [str(BIN / "lifecycle"), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        **kw,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _case(shown: str) -> dict:
    """A case as `case show --json` gives it, less the business time it was asked at."""
    return {k: v for k, v in json.loads(shown).items() if not k.endswith("_now")}


def _cmdline(proc: Path) -> list[str]:
    try:
        return (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def test_a_running_system_answers_commands_as_their_own_process_would(new_system, tmp_path):
    system = new_system()
    system.start()
    sock = system.var_dir / "command.sock"
    wait_until(sock.exists, timeout=30)
    assert stat.S_IMODE(sock.stat().st_mode) == 0o600  # the owner's alone

    alone = {**system.env, "LIFECYCLE_COMMAND_SERVER": "0"}
    cli(system, "round", "set", "qingdao-2024", "served")

    # The same answer, served or alone.
    for args in (["policy", "list"], ["calendar", "is-workday", "2026-10-08"]):
        served, cpu = _cpu_of(args, system.env)
        own, own_cpu = _cpu_of(args, alone)
        assert (served.returncode, served.stdout, served.stderr) == (
            own.returncode,
            own.stdout,
            own.stderr,
        )

    # Its folder (a relative file name), its standard input, and its exit code and sentence.
    application = EXAMPLES / "qingdao-2024" / "application.json"
    applied, cpu = _cpu_of(
        ["case", "apply", "qingdao-2024", "/dev/stdin", "--round", "served"],
        system.env,
        input=application.read_text(),
    )
    assert applied.returncode == 0, applied.stderr
    case_id = applied.stdout.strip()
    assert case_id == "case:qingdao-2024:served:91370212MA3QD0001N"
    # Served, this process loads none of the libraries: a command alone takes about half a
    # second to a second of CPU to load them (as fast as the machine is), the one served a few
    # tens of ms (its copy's work is the server's): a quarter of it at most, whatever the day.
    shown, shown_cpu = _cpu_of(["case", "show", case_id, "--json"], system.env)
    alone_shown, alone_cpu = _cpu_of(["case", "show", case_id, "--json"], alone)
    assert _case(shown.stdout) == _case(alone_shown.stdout) and case_id in shown.stdout
    assert max(cpu, shown_cpu) < min(0.3, alone_cpu / 4), (cpu, shown_cpu, alone_cpu)
    again, _ = _cpu_of(
        ["case", "apply", "qingdao-2024", "application.json", "--round", "served"],
        system.env,
        cwd=application.parent,
    )
    assert again.returncode == 2 and "already" in again.stderr, again.stderr
    assert again.stderr.count("\n") == 1
    refused = lifecycle(
        "case", "act", case_id, "nonsense", "--as", "bureau_officer:o1", env=system.env
    )
    alone_refused = lifecycle(
        "case", "act", case_id, "nonsense", "--as", "bureau_officer:o1", env=alone
    )
    assert refused.returncode == alone_refused.returncode == 2
    assert refused.stderr == alone_refused.stderr and "is not an action of qingdao-2024" in (
        refused.stderr
    )

    # Its own environment: a setting of this command only is read, not the server's.
    half = lifecycle("case", "list", env={**system.env, "LIFECYCLE_API_URL": "http://x"})
    assert half.returncode == 2 and "LIFECYCLE_TOKEN must be set together" in half.stderr

    # Ctrl-C reaches the command, and a command killed takes its copy with it: one waiting on
    # its input stops (130, or killed) and never applies what it would have read.
    for round_name, sig, code in (("stopped", signal.SIGINT, 130), ("killed", signal.SIGKILL, -9)):
        cli(system, "round", "set", "qingdao-2024", round_name)
        waiting = subprocess.Popen(
            [str(BIN / "lifecycle"), "case", "apply", "qingdao-2024", "/dev/stdin",
             "--round", round_name],
            env={**os.environ, **system.env},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(1.0)
        waiting.send_signal(sig)
        assert waiting.wait(30) == code
        time.sleep(1.0)
        assert waiting.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # no process reads it any more
            waiting.stdin.write(application.read_bytes())
            waiting.stdin.close()
        time.sleep(2.0)
        listed = cli(system, "case", "list", "--policy", "qingdao-2024").stdout
        assert f":{round_name}:" not in listed

    # A second server for the same folder (a second start) leaves the first one serving.
    second = subprocess.run(
        [sys.executable, "-m", "runtime.served", str(system.var_dir)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert second.returncode != 0 and "already answers" in second.stderr
    _, cpu = _cpu_of(["case", "show", case_id, "--json"], system.env)
    assert cpu < 0.3

    # A server that is gone (stopped, or killed leaving its socket): the command runs itself.
    server = [
        int(proc.name)
        for proc in Path("/proc").iterdir()
        if proc.name.isdigit() and _cmdline(proc) == [sys.executable, "-m", "runtime.served",
                                                       str(system.var_dir)]
    ]  # fmt: skip
    assert len(server) == 1
    os.kill(server[0], signal.SIGKILL)
    alone_now, cpu = _cpu_of(["case", "show", case_id, "--json"], system.env)
    assert (
        alone_now.returncode == 0 and _case(alone_now.stdout) == _case(shown.stdout) and cpu > 0.5
    )

    assert system.stop() == 0
