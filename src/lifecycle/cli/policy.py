"""`lifecycle policy …`, `credit-code check`, `score` and `quota`: the programmes' rules and
their numbers, answered from the packs alone (no running system needed)."""

from __future__ import annotations

import click

from lifecycle.app import rules
from lifecycle.app.inputs import credit_code_problem
from lifecycle.cli.common import emit, read_json


@click.group()
def policy() -> None:
    """The programmes' policy packs."""


@policy.command("list")
def policy_list() -> None:
    """Each pack's id, title and source document."""
    for found in rules.programmes():
        click.echo(f"{found['id']}\t{found['title']}\t{found['source']}")


@policy.command("show")
@click.argument("policy_id")
@click.option("--version", "version", default=None, help="A version (default: the current one).")
def policy_show(policy_id: str, version: str | None) -> None:
    """The whole pack as JSON (as the engine reads it, in today's format)."""
    click.echo(rules.document(policy_id, version))


@policy.command("versions")
@click.argument("policy_id")
def policy_versions(policy_id: str) -> None:
    """Every version of a programme's rules this worker serves; new cases get the current one,
    a running case keeps its own until moved ('lifecycle case move')."""
    for held in rules.versions(policy_id):
        mark = "current" if held["current"] else "kept for running cases"
        counted = "; ".join(held["counted"]) or "-"
        click.echo(f"{held['version']}\t{mark}\t{held['actions']} actions; {counted}")


@policy.command("diagram")
@click.argument("policy_id")
def policy_diagram(policy_id: str) -> None:
    """A Mermaid state diagram of the programme's case machine."""
    click.echo(rules.diagram(policy_id), nl=False)


@click.group("credit-code")
def credit_code() -> None:
    """Unified social credit codes (统一社会信用代码, GB 32100-2015)."""


@credit_code.command("check")
@click.argument("code")
def credit_code_check(code: str) -> None:
    """Print 'valid', or why CODE is not a valid credit code (exit 1)."""
    problem = credit_code_problem(code)
    if problem:
        click.echo(problem, err=True)
        raise SystemExit(1)
    click.echo("valid")


@click.command("score")
@click.argument("policy_id", metavar="POLICY")
@click.argument("file")
def score(policy_id: str, file: str) -> None:
    """Score one provider's evaluation by POLICY's rubric: prints {"total", "items": [{"id",
    "points", "max", "clause"}], "grade", "reward_cap_cny", "eliminated"}.

    FILE (JSON, or inline JSON) gives the rubric's inputs. wuhan-2021 (第六条, 第七条, 第十一条):
    registered_locally (true/false), org_elements_missing (0–4), local_insured_staff,
    diagnosed_enterprises, reports_adopted, projects_over_1m, projects_in_database,
    demo_projects, promotion_meetings, worst_reports, dissatisfied_enterprises (whole numbers)
    and new_investment_cny. wenzhou-2021 (第十三条): business_performance (0–50),
    enterprise_rating (0–20), topic_defence (0–30). anhui-2019, guangzhou-2024 and
    qingdao-2024: the rubric is a bureau setting; `lifecycle score POLICY '{}'` names its keys.
    Proportional points are rounded half-up to 2 decimals.
    """
    rules.pack(policy_id)  # an unknown programme before an unreadable file
    emit(True, rules.score(policy_id, read_json("FILE", file)), "", indent=None)


@click.command("quota")
@click.argument("policy_id", metavar="POLICY")
@click.argument("file")
def quota(policy_id: str, file: str) -> None:
    """The yearly caps on purchased diagnoses and design plans of one provider, with the parts
    they are made of (wenzhou-2021 第十条).

    FILE (JSON, or inline JSON) gives city_diagnosis_target (int), recognition ("ministry",
    "province" or null), served_demo_enterprise (bool) and excellent_years_running (int).
    """
    rules.quota_rules(policy_id)  # a programme without a quota before an unreadable file
    emit(True, rules.caps(policy_id, read_json("FILE", file)), "", indent=None)


COMMANDS = [policy, credit_code, score, quota]
