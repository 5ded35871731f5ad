"""`lifecycle score`: one provider's evaluation scored by its programme's rubric; `lifecycle ban
list`: the ban registry admission reads."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from lifecycle.config import UserError
from lifecycle.domain import scoring
from lifecycle.policies import load_pack, pack_ids
from lifecycle.remote import asserted_allowed, remote
from lifecycle.store.models import BanRow


@click.command("score")
@click.argument("policy")
@click.argument("file")
def score_command(policy: str, file: str) -> None:
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
    from lifecycle.cli_cases import read_json

    pack = load_pack(policy)
    try:
        rubric = scoring.rubric_of(pack)
        result = scoring.score(rubric, scoring.read_input(rubric, pack.id, read_json("FILE", file)))
    except ValueError as exc:
        having = [p for p in pack_ids() if load_pack(p).evaluation.rubric is not None]
        hint = "" if pack.evaluation.rubric else f" Programmes with one: {', '.join(having)}."
        raise UserError(str(exc) + hint) from None
    click.echo(json.dumps(result.model_dump(), ensure_ascii=False))


@click.group("ban")
def ban() -> None:
    """The ban registry: who may not apply, to which programme, until when and why."""


@ban.command("list")
@click.option("--policy", default=None, help="Only the bans that hold in this programme.")
@click.option("--json", "as_json", is_flag=True)
def ban_list(policy: str | None, as_json: bool) -> None:
    """Every ban, oldest first: credit code, programme, first and last day (or for good), the
    reason with its clause and the case whose exit wrote it."""
    from lifecycle.cli_listed import _store

    if policy is not None:
        load_pack(policy)  # an unknown programme is refused, naming the known ones
    gateway = remote()
    if gateway:
        rows = gateway.call("GET", "/bans", params={"policy": policy})
    else:
        rows = [ban_json(r) for r in _store().bans(policy)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        ends = f"until {r['ends']}" if r["ends"] else "for good"
        click.echo(
            f"{r['credit_code']}\t{r['policy'] or 'every programme'}\tfrom {r['starts']} "
            f"{ends}\t{r['reason']} ({r['clause']})\t{r['case_id'] or ''}"
        )
    if not rows:
        click.echo("No bans" + (f" in {policy}" if policy else "") + ".", err=True)


def ban_json(r: BanRow) -> dict[str, Any]:
    return {
        "credit_code": r.credit_code,
        "policy": r.policy,
        "starts": r.starts.isoformat(),
        "ends": r.ends.isoformat() if r.ends else None,
        "reason": r.reason,
        "clause": r.clause,
        "case_id": r.case_id,
    }


@click.group("programme")
def programme() -> None:
    """A whole programme's cases at once."""


@programme.command("close")
@click.argument("policy")
@click.option("--as", "actor", default=None, help="bureau_officer:ID (gateway: your token).")
@click.option("--reason", default="", help="Why (required): the pilot's acceptance.")
def programme_close(policy: str, actor: str | None, reason: str) -> None:
    """Close every listed case (and every case under rectification) of POLICY with its closing
    clause (guangzhou-2024 §5.2), a few at a time. Running it again closes what is left and
    applies nothing twice; exit code 2 when a case was not closed."""
    from lifecycle.cli_cases import run_cases
    from lifecycle.domain.actors import Actor, ActorError
    from lifecycle.programme import close_programme, closing

    closing(policy)  # a programme without a closing clause is refused before connecting
    if not reason.strip():
        raise UserError("closing a programme needs a reason (--reason), e.g. the acceptance.")
    gateway = remote()
    if gateway:
        answer = gateway.call("POST", f"/programmes/{policy}/close", {"reason": reason})
        results = [(r["case_id"], r["outcome"], r["closed"]) for r in answer]
    else:
        if actor is None:
            raise UserError("--as is required: name yourself as bureau_officer:ID.")
        asserted_allowed()
        try:
            Actor.parse(actor)
        except ActorError as exc:
            raise UserError(str(exc)) from None
        results = run_cases(lambda service: close_programme(service, policy, actor, reason))
    for case_id, outcome, _ in results:
        click.echo(f"{case_id}\t{outcome}")
    if not results:
        click.echo(f"No case of {policy} is open to close.", err=True)
    if not all(closed for _, _, closed in results):
        raise SystemExit(2)


@click.command("publish")
@click.argument("policy")
@click.option(
    "--out", "out", default=None, help="Folder to write to (default var/published/POLICY)."
)
def publish_command(policy: str, out: str | None) -> None:
    """Write what POLICY publishes, generated from the records: each selection batch's public
    notice, the directory of listed providers, each closed evaluation round's results and each
    exit announcement, as printable HTML and as JSON (running it again writes the same)."""
    from pathlib import Path

    from lifecycle.cli_cases import _store, system_clock
    from lifecycle.config import Settings
    from lifecycle.publish import documents, write

    pack = load_pack(policy)
    settings = Settings.from_env()
    store = _store(settings)
    clock = system_clock(settings, store)
    folder = Path(out) if out else settings.var_dir / "published" / policy
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--out '{folder}' is a file; it must be a folder.")
    real = dt.datetime.now(dt.UTC)
    docs = documents(store, pack, clock.anchored(real).now(real))
    try:
        paths = write(docs, folder)
    except OSError as exc:
        raise UserError(f"--out '{folder}' cannot be written ({exc.strerror}).") from None
    for doc in docs:
        click.echo(f"{folder / doc.name}.html\t{doc.heading}")
    click.echo(f"{len(docs)} document(s), {len(paths)} file(s) in {folder}.", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(score_command)
    cli.add_command(publish_command)
    cli.add_command(ban)
    cli.add_command(programme)
