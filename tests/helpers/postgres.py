"""A PostgreSQL server of a test's own (Debian's binaries, a cluster in the test's folder, on a
free port), so that a test may stop it and start it again without touching anyone else's."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import free_port


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (None when there is none)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parts[-3])
    except ValueError:
        return 0.0


@dataclass
class OwnPostgres:
    bin: Path
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL runs as no superuser of the machine
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def init(self) -> None:
        self.data.mkdir(parents=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.data, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.data / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


def own_postgres() -> OwnPostgres | None:
    """A new server in a folder of its own (one the postgres user reaches when this runs as
    root), started; None when this machine cannot run one. ``remove`` it after."""
    bin_ = binaries()
    if bin_ is None:
        return None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return None
    folder = Path(tempfile.mkdtemp(prefix="lifecycle-pg-"))
    folder.chmod(0o755)
    server = OwnPostgres(bin_, folder / "data", free_port())
    server.init()
    server.start()
    return server


def remove(server: OwnPostgres) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):  # stopped already
        server.stop()
    shutil.rmtree(server.data.parent, ignore_errors=True)
