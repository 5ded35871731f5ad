"""A programme as the bureau's own file, on a running system: a sixth programme (the example,
not a real city's) checked, rehearsed and installed without a restart, then applied for and
acted on through the command and shown by the console; a shipped programme amended by a newer
version of its own, which new cases get while an older case keeps its version, is found behind,
and is told in one sentence which move would allow an action only the new version has."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.helpers import cli, show

pytestmark = pytest.mark.e2e
EXAMPLE = Path("examples/example-2027")
QINGDAO = Path("src/lifecycle/policies/packs/qingdao-2024.toml")
OFFICER = ("--as", "bureau_officer:li")


def test_a_new_programme_and_an_amendment_installed_into_a_running_system(new_system, tmp_path):
    system = new_system()
    system.start()
    try:
        # An older qingdao case, opened under the shipped rules.
        cli(system, "round", "set", "qingdao-2024", "p1")
        old = cli(
            system, "case", "apply", "qingdao-2024", "examples/qingdao-2024/application.json",
            "--round", "p1",
        ).stdout.strip()  # fmt: skip
        shipped = show(system, old)["rules"]["version"]

        # The sixth programme: refused with its mistakes first, then checked and rehearsed.
        bad = tmp_path / "bad.toml"
        bad.write_text(
            (EXAMPLE / "pack.toml")
            .read_text("utf-8")
            .replace('clause = "第七条"', 'clause = "第七十条"'),
            encoding="utf-8",
        )
        refused = cli(system, "policy", "install", str(bad), *OFFICER, "--reason", "x", ok=False)
        assert (
            refused.returncode == 2 and "'第七十条' is not listed under [clauses]" in refused.stderr
        )
        assert "example-2027" not in cli(system, "policy", "list").stdout
        rehearsed = cli(
            system, "policy", "rehearse", str(EXAMPLE / "pack.toml"), str(EXAMPLE / "rehearsal.toml")
        ).stdout  # fmt: skip
        assert "Rehearsed as scripted" in rehearsed and "refused" in rehearsed
        installed = cli(
            system, "policy", "install", str(EXAMPLE / "pack.toml"), *OFFICER,
            "--reason", "局务会通过示例办法",
        ).stdout  # fmt: skip
        assert "example-2027 version" in installed and "a new programme" in installed
        assert "example-2027" in cli(system, "policy", "list").stdout

        # The running worker serves it: a case applied for and acted on, no restart.
        cli(system, "round", "set", "example-2027", "e1", "--applications-close", "2099-12-31")
        case_id = cli(
            system, "case", "apply", "example-2027", str(EXAMPLE / "application.json"),
            "--round", "e1",
        ).stdout.strip()  # fmt: skip
        cli(system, "case", "act", case_id, "begin_review", *OFFICER)
        assert show(system, case_id)["state"] == "preliminary_review"
        # The install is in the audit log, chained and sealed like a case's trail.
        assert "every chain holds" in cli(system, "audit", "verify").stdout
        logged = cli(system, "policy", "history", "example-2027").stdout
        assert "bureau_officer:li\tinstall_rules" in logged and "局务会通过示例办法" in logged
        # The console shows the new programme to the public.
        public = httpx.get(f"{system.api}/console/public/", timeout=30).text
        assert "示例市中小企业数字化转型服务商管理办法" in public

        # An amendment of a shipped programme: a longer notice and a direct admission.
        amended = tmp_path / "qingdao-2024.toml"
        text = QINGDAO.read_text("utf-8").replace("working_days = 5\n", "working_days = 7\n", 1)
        text += (
            '\n[[transitions]]\ntrigger = "admit_directly"\nsource = ["submitted"]\n'
            'dest = "listed"\nroles = ["bureau_officer"]\nclause = "§三(四)"\nlabel = "直接入库"\n'
        )
        amended.write_text(text, encoding="utf-8")
        said = cli(system, "policy", "install", str(amended), *OFFICER, "--reason", "修订").stdout
        assert f"(was {shipped})" in said and "1 open case(s) keep their version" in said
        new = cli(system, "policy", "versions", "qingdao-2024").stdout
        assert "current" in new and shipped in new
        diff = cli(system, "policy", "diff", "qingdao-2024", shipped).stdout
        assert "~ deadlines[public_notice].working_days: 5 → 7" in diff
        assert "+ transitions[admit_directly from submitted]" in diff
        behind = cli(system, "case", "list", "--rules-behind").stdout
        assert old in behind and "admit_directly" in behind
        # The older case keeps its version and is told which move allows the new action.
        refused = cli(system, "case", "act", old, "admit_directly", *OFFICER, ok=False)
        assert refused.returncode == 2
        assert f"not an action of qingdao-2024 version {shipped}" in refused.stderr
        assert f"lifecycle case move {old} --to current" in refused.stderr
        cli(system, "case", "move", old, "--to", "current", *OFFICER, "--reason", "适用修订办法")
        cli(system, "case", "act", old, "admit_directly", *OFFICER)
        assert show(system, old)["state"] == "listed"
        assert cli(system, "case", "list", "--rules-behind").stdout.strip() == ""
    finally:
        assert system.stop() == 0
