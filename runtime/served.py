"""The command server: a running system answers its `lifecycle` commands at once.

Most of a command's time is spent loading Python's libraries (Temporal's client, SQLAlchemy,
pydantic and the rules: about 0.8 s of CPU on the bureau's 2-core machine), not doing its work
(0.1-0.2 s). ``lifecycle up`` therefore starts a command server beside the worker: a process
that has loaded them once and waits on a socket in the system's folder (``command.sock``, the
owner's alone). A command typed while the system runs hands its arguments, environment, working
folder and its own terminal (stdin, stdout and stderr, as file descriptors) to the server, which
forks a copy of itself to run it: the copy runs exactly the command a new process would, with
the person's environment, in their folder, writing to their terminal, and the command leaves
with its exit code. Ctrl-C and a terminate reach the copy.

A command that finds no server (no system running here, a split production set-up, a machine
other than Linux, or ``LIFECYCLE_COMMAND_SERVER=0``) runs in its own process, as before: the same code, only slower
to start. ``up``, ``worker`` and ``api`` always run in their own process.

This module is what every command loads first, so it imports the standard library only (and the
settings' one definition of the system's folder).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import struct
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lifecycle.config import var_dir

if TYPE_CHECKING:
    import subprocess

SOCKET = "command.sock"
# The long-running processes: never run inside the server.
OWN_PROCESS = frozenset({"up", "worker", "api"})
# One request: the command's arguments and environment (an environment is a few KB).
MAX_REQUEST = 1 << 20
# A copy that has not said it started within this many seconds is not waited for: the command
# runs itself, and the copy, never told to go, runs nothing.
STARTED_WITHIN = 10.0
GO = b"go"
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def _address(folder_fd: int) -> str:
    """The socket's path through the open folder: short, however deep the folder (a socket's
    path may not pass 107 bytes)."""
    return f"/proc/self/fd/{folder_fd}/{SOCKET}"


def _wanted() -> bool:
    """Commands are served on Linux (a socket's path through /proc, descriptors passed along
    it), unless LIFECYCLE_COMMAND_SERVER=0."""
    return sys.platform == "linux" and os.environ.get("LIFECYCLE_COMMAND_SERVER", "1") != "0"


def _answers(address: str) -> bool:
    """Whether a command server listens at ``address`` now."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as probe:
        try:
            probe.connect(address)
        except OSError:
            return False
    return True


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


# ---- the command's side ------------------------------------------------------------------


def forward(argv: Sequence[str] | None = None) -> int | None:
    """The command run by this system's command server: its exit code, or None when there is
    no server to run it (the caller then runs it itself; nothing was run)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not _wanted() or not args:
        return None
    if args[0] in OWN_PROCESS:
        return None
    try:
        folder = os.open(var_dir(), os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        conn.connect(_address(folder))
        request = {
            "argv0": sys.argv[0],
            "argv": args,
            "env": dict(os.environ),
            "cwd": os.getcwd(),
            "umask": _umask(),
            "encoding": [getattr(s, "encoding", None) or "utf-8" for s in _stdio()],
            "errors": [getattr(s, "errors", None) or "strict" for s in _stdio()],
        }
        socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
        conn.settimeout(STARTED_WITHIN)
        child = int(json.loads(conn.recv(MAX_REQUEST))["pid"])
        conn.settimeout(None)
        conn.send(GO)  # the copy runs the command only once it has this
    except (OSError, ValueError, KeyError, TypeError):
        # no server here (never started, stopped, no answer in time, or not one that says
        # which copy runs it): nothing was run, and the command runs itself
        conn.close()
        return None
    finally:
        os.close(folder)
    return _wait(conn, child)


def _stdio() -> tuple[Any, ...]:
    return (sys.stdin, sys.stdout, sys.stderr)


def _wait(conn: socket.socket, child: int) -> int:
    """Until the server's copy answers with its exit code; signals sent to this command (Ctrl-C,
    a terminate) are passed on to it."""

    def pass_on(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    for signum in FORWARDED:
        signal.signal(signum, pass_on)
    while True:
        try:
            answer = conn.recv(MAX_REQUEST)
        except InterruptedError:
            continue
        if not answer:
            sys.stderr.write(
                "lifecycle: the command ended without an answer (its process was stopped); "
                "what it sent may still be applied: look before sending it again.\n"
            )
            return 1
        return int(json.loads(answer)["exit"])


# ---- the server's side -------------------------------------------------------------------


def serve(var_dir: Path, preload: Callable[[], None], run: Callable[[list[str]], int]) -> None:
    """Loads what commands use (``preload``), then answers commands on the folder's socket until
    it is stopped or the process that started it ends; each command is run by ``run`` in a
    forked copy."""
    preload()
    if threading.active_count() != 1:  # a fork would copy threads' locks mid-use: refuse
        raise SystemExit("the command server loaded something that runs a thread; not serving")
    folder = os.open(var_dir, os.O_RDONLY | os.O_DIRECTORY)
    path = var_dir / SOCKET
    if _answers(_address(folder)):  # this folder's system already runs one (a second start)
        os.close(folder)
        raise SystemExit(f"a command server already answers at {path}; not serving")
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(_address(folder))
    os.chmod(path, 0o600)
    ours = path.stat().st_ino
    listener.listen(64)
    listener.settimeout(1.0)
    parent = os.getppid()
    stopping = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the copies
    try:
        while not stopping and os.getppid() == parent:
            try:
                conn, _ = listener.accept()
            except (TimeoutError, InterruptedError):
                continue
            with conn, contextlib.suppress(Exception):  # one bad request never stops the server
                _answer(conn, listener, run)
    finally:
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_ino == ours:  # not a newer server's socket (a quick restart)
                path.unlink()
        listener.close()
        os.close(folder)


def _answer(conn: socket.socket, listener: socket.socket, run: Callable[[list[str]], int]) -> None:
    """One command: its request read here, run in a forked copy."""
    conn.settimeout(5.0)
    uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
    if uid != os.getuid():  # the folder is the owner's alone; a socket passed on is refused too
        return
    try:
        message, fds, _flags, _addr = socket.recv_fds(conn, MAX_REQUEST, 3)
    except OSError:
        return
    try:
        if len(fds) != 3 or not message:
            return
        request = json.loads(message)
        if os.fork() == 0:
            _child(conn, listener, request, fds, run)
    finally:
        for fd in fds:
            os.close(fd)


def _child(
    conn: socket.socket,
    listener: socket.socket,
    request: dict,
    fds: list[int],
    run: Callable[[list[str]], int],
) -> None:
    """The forked copy: becomes the command's own process (its terminal, folder, environment
    and signals), runs it and answers with its exit code. Never returns."""
    code = 1
    try:
        listener.close()
        conn.settimeout(None)
        conn.send(json.dumps({"pid": os.getpid()}).encode())
        if conn.recv(len(GO)) != GO:  # the command gave up waiting and runs itself
            os._exit(0)
        os.setsid()  # apart from the system's own Ctrl-C; the command's are passed on to it
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        os.environ.clear()
        os.environ.update(request["env"])
        with contextlib.suppress(AttributeError):
            import time

            time.tzset()
        sys.argv = [request["argv0"], *request["argv"]]
        _reopen_stdio(request["encoding"], request["errors"])
        threading.Thread(target=_end_with, args=(conn,), daemon=True).start()
        code = run(request["argv"])
    except KeyboardInterrupt:
        code = 130
    except BaseException as exc:  # never a trace: one sentence, as the command itself says
        code = exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else 1
        if not isinstance(exc, SystemExit):
            with contextlib.suppress(Exception):
                sys.stderr.write(
                    f"lifecycle stopped on an unexpected {type(exc).__name__} ({exc}) before "
                    "running the command; nothing was done. Run it again, or with "
                    "LIFECYCLE_COMMAND_SERVER=0 to run it in a process of its own.\n"
                )
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        with contextlib.suppress(Exception):
            conn.send(json.dumps({"exit": code}).encode())
        os._exit(code)


def _end_with(conn: socket.socket) -> None:
    """The copy ends when its command does: a command killed (its connection closed before
    the answer) takes its copy with it, as it would its own process."""
    with contextlib.suppress(OSError):
        conn.recv(1)
    os.kill(os.getpid(), signal.SIGKILL)


def _reopen_stdio(encodings: list[str], errors: list[str]) -> None:
    """stdin, stdout and stderr on the command's own terminal, with its encodings; line
    buffered on a terminal, as a process of its own would be."""
    streams = []
    for fd, (encoding, error) in enumerate(zip(encodings, errors, strict=True)):
        raw = io.FileIO(fd, "r" if fd == 0 else "w", closefd=False)
        buffered = io.BufferedReader(raw) if fd == 0 else io.BufferedWriter(raw)
        streams.append(
            io.TextIOWrapper(
                buffered,
                encoding=encoding,
                errors=error,
                newline=None if fd == 0 else "\n",
                line_buffering=fd == 2 or (fd == 1 and os.isatty(fd)),
            )
        )
    sys.stdin, sys.stdout, sys.stderr = streams


def start(var_dir: Path, log: Path) -> subprocess.Popen[bytes] | None:
    """The command server beside a running system (``lifecycle up``), in a process of its own
    (never forked from the worker, whose threads a fork would copy); None when commands are not
    to be served (LIFECYCLE_COMMAND_SERVER=0)."""
    import subprocess

    if not _wanted():
        return None
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "runtime.served", str(var_dir)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(server: subprocess.Popen[bytes] | None) -> None:
    import subprocess

    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


def _main() -> None:
    from runtime import command, preload

    serve(Path(sys.argv[1]), preload, command)


if __name__ == "__main__":
    _main()
