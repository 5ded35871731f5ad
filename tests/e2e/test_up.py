"""`lifecycle up` (what `make run` starts): server, Web UI, search attributes, worker, restart."""

import socket

import httpx
import pytest

from lifecycle.temporal.devserver import port_in_use
from tests.helpers import free_port, lifecycle

pytestmark = pytest.mark.e2e
ATTRIBUTES = {
    "CaseState": "Keyword",
    "PolicyId": "Keyword",
    "ProviderName": "Text",
    "CreditCode": "Keyword",
    "District": "Keyword",
    "NextDeadline": "Datetime",
}


def test_up_serves_ui_registers_attributes_polls_and_stops_cleanly(new_system):
    system = new_system()
    system.start()
    assert f"Temporal Web UI: http://127.0.0.1:{system.ui_port}" in system.output()
    assert f"HTTP gateway: http://127.0.0.1:{system.api_port} (OpenAPI at /docs)" in (
        system.output()
    )
    assert (
        f"with this folder ({system.var_dir}) are answered at once by this system's command "
        in (system.output())
    )
    assert system.ui_status() == 200
    assert httpx.get(f"{system.api}/health").json() == {"status": "ok"}
    assert httpx.get(f"{system.api}/openapi.json").json()["info"]["title"] == "lifecycle gateway"
    listed = system.temporal("operator", "search-attribute", "list").stdout
    for name, kind in ATTRIBUTES.items():
        assert any(line.split() == [name, kind] for line in listed.splitlines()), name
    queue = system.temporal("task-queue", "describe", "--task-queue", "lifecycle").stdout
    assert "workflow" in queue.split("Pollers:")[1]
    assert system.stop() == 0
    assert "Stopped the worker and the Temporal dev server." in system.output()
    assert (system.var_dir / "temporal.db").exists()
    assert not (system.var_dir / "command.sock").exists()  # its command server stopped too
    for port in (system.port, system.api_port):  # the server and the gateway let go
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_port_in_use_is_one_sentence(new_system):
    system = new_system()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", system.port))
        holder.listen()
        result = lifecycle("up", env=system.env, timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Port {system.port} (Temporal gRPC) is already in use on 127.0.0.1; stop what holds it "
        "(an earlier 'make run'?) or set TEMPORAL_ADDRESS to use a running server."
    )


def test_a_second_start_sees_what_the_first_stored(new_system):
    system = new_system()
    system.start()
    applied = lifecycle(
        "case", "apply", "anhui-2019", "examples/anhui-2019/application.json", env=system.env
    )
    case_id = applied.stdout.strip()
    assert applied.returncode == 0, applied.stderr
    acted = lifecycle(
        "case", "act", case_id, "begin_review", "--as", "bureau_officer:li", env=system.env
    )
    assert acted.returncode == 0, acted.stderr
    assert system.stop() == 0

    system.start()
    shown = lifecycle("case", "show", case_id, "--json", env=system.env)
    assert shown.returncode == 0, shown.stderr
    assert '"state": "expert_review"' in shown.stdout
    admitted = lifecycle(
        "case", "act", case_id, "admit", "--as", "bureau_officer:li", env=system.env
    )
    assert admitted.returncode == 0 and "listed (#3 admit)" in admitted.stdout
    assert system.stop() == 0


def test_with_temporal_address_no_server_is_started(new_system, tmp_path):
    server = new_system()
    server.start()
    other_var = tmp_path / "worker-only"
    other_var.mkdir()
    worker = type(server)(
        other_var,
        free_port(),
        free_port(),
        {
            "TEMPORAL_ADDRESS": server.address,
            "LIFECYCLE_DB_URL": f"sqlite:///{server.var_dir / 'lifecycle.db'}",
            "LIFECYCLE_CODEC_KEYS": str(server.var_dir / "codec-keys.json"),
        },
    )
    worker.start()
    assert (
        f"Worker connected to Temporal at {server.address} (no embedded server)." in worker.output()
    )
    assert not (other_var / "temporal.db").exists()
    assert not port_in_use(worker.ui_port)
    assert worker.stop() == 0
    assert server.stop() == 0
