"""`lifecycle policy …`, `credit-code check`, `score` and `quota`: the programmes' rules and
their numbers, answered from the packs alone (no running system needed)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from lifecycle.app import rules
from lifecycle.app.inputs import credit_code_problem
from lifecycle.cli.common import emit, read_json, system

# The commands that check, rehearse and install a pack load what they need when they run (the
# other 'policy' commands answer from the packs alone, at once).


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


@policy.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def policy_check(file: Path) -> None:
    """Check a pack file whole before any case meets it: every problem the engine would refuse
    (the format, states that cannot be reached or left, unknown roles, conditions, clauses and
    actions, deadlines anchored on what never happens, rubrics whose points cannot reach their
    grades, quotas that count nothing, Chinese words a notice needs), one line each naming its
    line, key path and rule (exit 2); or a short summary (exit 0)."""
    from lifecycle.app import packs

    checked = packs.check(file)
    if not checked.sound:
        for line in packs.sentences(checked, file):
            click.echo(line, err=True)
        click.echo(f"{len(checked.problems)} problem(s); nothing was installed.", err=True)
        raise SystemExit(2)
    click.echo(packs.described(checked))


@policy.command("rehearse")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("script", type=click.Path(dir_okay=False, path_type=Path))
def policy_rehearse(file: Path, script: Path) -> None:
    """Run the scripted case of SCRIPT (TOML) through the pack FILE on Temporal's time-skipping
    test server (a year passes in seconds; nothing of the running system is touched): each step
    printed with the business date, what was done, the state it left, the deadlines running (in
    working days) and refusals with their clauses. Exit 0 when every expectation of the script
    holds, 2 naming the first that does not."""
    from lifecycle.app import rehearsal

    done = asyncio.run(rehearsal.rehearse(file, script))
    click.echo(f"{done.policy} version {done.version}: {done.case_id}")
    for step in done.steps:
        click.echo(f"{step.when}  {step.what}  → {step.state}")
        for line in step.deadlines:
            click.echo(f"    {line}")
        if step.failed:
            click.echo(f"    NOT AS EXPECTED: {step.failed}")
    if done.failures:
        click.echo(
            f"{len(done.failures)} step(s) not as the script expects; the first: {done.failures[0]}",
            err=True,
        )
        raise SystemExit(2)
    click.echo(
        f"Rehearsed as scripted: {len(done.steps) - 1} step(s), ending {done.steps[-1].state}."
    )


@policy.command("install")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "actor_", required=True, help="bureau_officer:ID.")
@click.option("--reason", default="", help="Why (required): the decision it carries out.")
def policy_install(file: Path, actor_: str, reason: str) -> None:
    """Check FILE, keep it in the bureau's packs folder (LIFECYCLE_PACKS_DIR) under its id and
    content hash, and make it the version new cases are opened under (written to the audit log).
    Running cases keep their version until moved ('lifecycle case move'); the running workers
    read it when a case first names it, without a restart."""
    from lifecycle.app import packs

    done = packs.install(system(), file, actor_, reason)
    ref = done.ref
    if done.already:
        click.echo(f"{ref.id} version {ref.version} is current already; nothing changed.")
        return
    was = f" (was {done.previous.version})" if done.previous else " (a new programme)"
    click.echo(f"{ref.id} version {ref.version} installed, current for new cases{was}.")
    if done.behind:
        click.echo(
            f"{done.behind} open case(s) keep their version until moved: 'lifecycle case list "
            f"--rules-behind --policy {ref.id}' lists them, 'lifecycle policy diff {ref.id} "
            "OLD current' shows what a move changes."
        )


@policy.command("history")
@click.argument("policy_id")
def policy_history(policy_id: str) -> None:
    """Who installed which version of a programme's rules, when and why (from the audit log)."""
    from lifecycle.app import packs

    lines = packs.history(system(), policy_id)
    click.echo("\n".join(lines) if lines else f"No version of {policy_id} was installed here.")


@policy.command("diff")
@click.argument("policy_id")
@click.argument("old")
@click.argument("new", default="current")
def policy_diff(policy_id: str, old: str, new: str) -> None:
    """What differs between two versions of a programme's rules (NEW: default the current one):
    + added, - removed, ~ changed; what a case moved from OLD to NEW would meet."""
    from lifecycle.app import packs

    lines = packs.diff(policy_id, old, new)
    click.echo("\n".join(lines) if lines else "The two versions are the same rules.")


@policy.command("schema")
def policy_schema() -> None:
    """The pack format as a JSON Schema (for an editor that checks a pack as it is typed)."""
    from lifecycle.app import packs

    click.echo(json.dumps(packs.schema(), ensure_ascii=False, indent=2))


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
