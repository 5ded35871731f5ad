"""A whole system (`lifecycle up`: embedded dev server + worker) on free ports in a temp dir."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import BIN, free_port, wait_until


@dataclass
class System:
    var_dir: Path
    port: int
    ui_port: int
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    api_port: int = field(default_factory=free_port)
    _codec_key: str | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            "LIFECYCLE_VAR_DIR": str(self.var_dir),
            "LIFECYCLE_TEMPORAL_PORT": str(self.port),
            "LIFECYCLE_UI_PORT": str(self.ui_port),
            "LIFECYCLE_API_PORT": str(self.api_port),
            "TEMPORAL_ADDRESS": "",
            **self.extra_env,
        }

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self) -> None:
        """Until the worker polls and the gateway answers. A port taken between choosing it and
        binding it (the dev server opens ports of its own at random) is chosen again."""
        for attempt in range(3):
            self.log = (self.var_dir / "up.log").open("w")
            self.var_dir.mkdir(parents=True, exist_ok=True)
            self.process = subprocess.Popen(
                [str(BIN / "lifecycle"), "up"],
                env={**os.environ, **self.env},
                stdout=self.log,
                stderr=subprocess.STDOUT,
            )
            wait_until(lambda: self._serving() or self.process.poll() is not None, timeout=90)
            if self.process.poll() is None:
                return
            server_log = self.var_dir / "temporal-server.log"
            said = self.output() + (
                server_log.read_text(errors="replace") if server_log.exists() else ""
            )
            taken = "could not listen" in said or "already in use" in said
            if not taken or attempt == 2:
                break
            self.log.close()
            self.port, self.ui_port, self.api_port = free_port(), free_port(), free_port()
        raise AssertionError(self.output())

    def _serving(self) -> bool:
        """The worker polls and the gateway's port takes connections (closed from this side,
        so the port is free again as soon as the system stops)."""
        if "worker polling" not in self.output():
            return False
        try:
            with socket.create_connection(("127.0.0.1", self.api_port), timeout=2):
                return True
        except OSError:
            return False

    def output(self) -> str:
        return (self.var_dir / "up.log").read_text()

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(60)
        self.log.close()
        return code

    def temporal(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "temporal"), *args, "--address", self.address],
            capture_output=True,
            text=True,
            timeout=30,
        )

    def temporal_decoded(self, *args: str) -> subprocess.CompletedProcess:
        """The temporal CLI reading case data through the gateway's codec, as staff do (case
        data is encrypted in Temporal): with a staff API key made once."""
        if self._codec_key is None:
            made = subprocess.run(
                [str(BIN / "lifecycle"), "api-key", "create", "--name", "e2e-codec",
                 "--role", "bureau_officer"],
                env={**os.environ, **self.env}, capture_output=True, text=True, check=True,
            )  # fmt: skip
            self._codec_key = made.stdout.splitlines()[1].strip()
        return self.temporal(
            *args, "--codec-endpoint", f"{self.api}/codec",
            "--codec-auth", f"Bearer {self._codec_key}",
        )  # fmt: skip

    def ui_status(self) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/", timeout=5) as r:
            return r.status


@pytest.fixture
def new_system(tmp_path):
    made: list[System] = []

    def make(**env: str) -> System:
        var_dir = tmp_path / "var"
        var_dir.mkdir(exist_ok=True)
        system = System(var_dir, free_port(), free_port(), env)
        made.append(system)
        return system

    yield make
    for system in made:
        if system.process and system.process.poll() is None:
            system.process.kill()


@dataclass
class Split:
    """The Temporal dev server alone, and workers started and killed beside it (`lifecycle
    worker` against TEMPORAL_ADDRESS), as a bureau runs them in production."""

    var_dir: Path
    port: int
    extra_env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    gateway: subprocess.Popen | None = None
    api_port: int = 0
    workers_started: int = 0

    @property
    def env(self) -> dict[str, str]:
        return {
            "LIFECYCLE_VAR_DIR": str(self.var_dir),
            "TEMPORAL_ADDRESS": f"127.0.0.1:{self.port}",
            "LIFECYCLE_ASSERTED_ACTORS": "1",  # the bureau's own scripts: actors as named
            **self.extra_env,
        }

    def start_server(self) -> None:
        from lifecycle.temporal.search_attributes import dev_server_flags

        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.server = subprocess.Popen(
            [
                str(BIN / "temporal"),
                "server",
                "start-dev",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                "--headless",
                f"--db-filename={self.var_dir / 'temporal.db'}",
                "--log-level=warn",
                *dev_server_flags(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: self._answers(), timeout=60, interval=0.5)

    def _answers(self) -> bool:
        probe = subprocess.run(
            [
                str(BIN / "temporal"),
                "operator",
                "cluster",
                "health",
                "--address",
                f"127.0.0.1:{self.port}",
            ],
            capture_output=True,
            text=True,
        )
        return probe.returncode == 0

    def start_worker(self) -> None:
        self.workers_started += 1
        log = self.var_dir / f"worker-{self.workers_started}.log"
        self.worker = subprocess.Popen(
            [str(BIN / "lifecycle"), "worker"],
            env={**os.environ, **self.env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        wait_until(lambda: "worker polling" in log.read_text(), timeout=60)

    def start_gateway(self) -> str:
        """`lifecycle api` beside the workers, on a port of its own; its URL."""
        self.api_port = free_port()
        log = self.var_dir / "gateway.log"
        self.gateway = subprocess.Popen(
            [str(BIN / "lifecycle"), "api"],
            env={**os.environ, **self.env, "LIFECYCLE_API_PORT": str(self.api_port)},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        wait_until(lambda: _connects(self.api_port), timeout=60)
        return f"http://127.0.0.1:{self.api_port}"

    def kill_worker(self, sig: int = signal.SIGKILL) -> None:
        assert self.worker is not None
        self.worker.send_signal(sig)
        self.worker.wait(30)
        self.worker = None

    def stop(self) -> None:
        for process in (self.gateway, self.worker, self.server):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(30)


def _connects(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def split(tmp_path):
    made: list[Split] = []

    def make(**env: str) -> Split:
        system = Split(tmp_path / "var", free_port(), env)
        made.append(system)
        system.start_server()
        system.start_worker()
        return system

    yield make
    for system in made:
        system.stop()
