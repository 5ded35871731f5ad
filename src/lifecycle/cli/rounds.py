"""`lifecycle round …`: a call's rounds and their dates (set), and a programme's evaluation
rounds (start, score, close, show, list)."""

from __future__ import annotations

import click

from lifecycle.app import Invalid, access, rules
from lifecycle.app import rounds as service
from lifecycle.app.calls import set_call_round
from lifecycle.app.inputs import amount, date
from lifecycle.app.rounds import checked_round_id, officer
from lifecycle.app.views.rounds import (
    report_json,
    report_text,
    row_json,
    row_line,
    scored_line,
    scored_of,
    view_lines,
    view_of,
)
from lifecycle.cli.common import emit, named, read_data, run, system
from lifecycle.cli.remote import remote

CLOSE_WAIT = 300.0  # seconds `round close` waits for the round to act on every case


@click.group("round")
def round_group() -> None:
    """Rounds: a call's rounds and their dates (set), and evaluation rounds (start, score,
    close, show, list)."""


@round_group.command("set")
@click.argument("policy")
@click.argument("name")
@click.option("--applications-close", default=None, help="Applications close 24:00 of DATE.")
@click.option("--preliminary-review-due", default=None)
@click.option("--expert-review-due", default=None)
def round_set(
    policy: str,
    name: str,
    applications_close: str | None,
    preliminary_review_due: str | None,
    expert_review_due: str | None,
) -> None:
    """Open a round of POLICY (or change the dates given; the others are kept)."""
    pack = rules.pack(policy)
    changes = {
        "applications_close": date("--applications-close", applications_close),
        "preliminary_review_due": date("--preliminary-review-due", preliminary_review_due),
        "expert_review_due": date("--expert-review-due", expert_review_due),
    }
    gateway = remote()
    if gateway:
        dates = {k: v.isoformat() for k, v in changes.items() if v is not None}
        gateway.call("PUT", f"/calls/{policy}/rounds/{name}", dates)
    else:
        here = system()
        set_call_round(here.store, pack, name, changes, here.today())
    click.echo(f"{policy} round {name} set")


@round_group.command("start")
@click.argument("policy")
@click.option("--period", required=True, help="The year (2026) or quarter (2026-Q1) evaluated.")
@click.option("--budget", default=None, help="CNY the round's rewards may spend (wuhan-2021).")
@click.option("--as", "actor_", default=None, help="bureau_officer:ID who opens it.")
def round_start(policy: str, period: str, budget: str | None, actor_: str | None) -> None:
    """Open POLICY's evaluation round for PERIOD: it gathers every provider in the directory
    (listed, or under rectification) and takes the evaluators' scores until an officer closes
    it. Each programme's Schedule opens one by itself when a period ends."""
    rules.pack(policy)
    money = amount("--budget", budget)
    gateway = remote()
    if gateway:
        body = {"policy": policy, "period": period, "budget_cny": money}
        opened = gateway.call("POST", "/rounds", body)
        click.echo(opened["round_id"])
        click.echo(f"{opened['providers']} provider(s) to evaluate.", err=True)
        return
    opener = officer(actor_, "opened")
    if opener is not None:
        access.asserted(system().settings)
    view = run(lambda here: service.start(here, policy, period, money, opener))
    click.echo(view.round_id)
    click.echo(
        f"{len(view.roster)} provider(s) to evaluate; score each with 'lifecycle round score "
        f"{view.round_id} CASE --as expert:ID --data FILE'.",
        err=True,
    )


@round_group.command("score")
@click.argument("round_id", metavar="ROUND")
@click.argument("case", metavar="CASE")
@click.option(
    "--as",
    "actor_",
    default=None,
    help="An evaluator: expert:ID or bureau_officer:ID (through the gateway: your token).",
)
@click.option("--data", default=None, help="The rubric's inputs: a JSON file or inline JSON.")
@click.option("--missed", is_flag=True, help="The provider did not take part.")
@click.option("--reason", default="", help="A note kept with the scores.")
def round_score(
    round_id: str, case: str, actor_: str | None, data: str | None, missed: bool, reason: str
) -> None:
    """Score one provider (CASE: its case id or credit code) by the programme's rubric
    ('lifecycle score POLICY {}' names the keys), or mark that it did not take part. Scoring
    again replaces the scores until the round closes."""
    checked_round_id(round_id)
    if missed == (data is not None):
        raise Invalid(
            "give --data (the rubric's inputs) or --missed (it did not take part), one of them."
        )
    payload = read_data("--data", data)
    gateway = remote()
    if gateway:
        body = {"case": case, "data": payload, "missed": missed, "reason": reason}
        scored = scored_of(gateway.call("POST", f"/rounds/{round_id}/scores", body))
    else:
        who = named(actor_)
        access.asserted(system().settings)
        fields = {"case": case, "actor": who, "data": payload, "missed": missed, "reason": reason}
        scored = run(lambda here: service.score(here, round_id, **fields))
    click.echo(scored_line(case, scored))


@round_group.command("close")
@click.argument("round_id", metavar="ROUND")
@click.option(
    "--as", "actor_", default=None, help="bureau_officer:ID who closes it (gateway: your token)."
)
@click.option("--budget", default=None, help="CNY the rewards may spend, if not set at start.")
@click.option("--reason", default="", help="Why, if anything is to be said.")
def round_close(round_id: str, actor_: str | None, budget: str | None, reason: str) -> None:
    """Close ROUND: rank the providers, publish the results and take the actions each result
    brings its case (rewards in rank order within the budget, exits, the excellent named,
    failures counted), under your name. A provider without scores missed the evaluation."""
    checked_round_id(round_id)
    money = amount("--budget", budget)
    gateway = remote()
    if gateway:
        body = {"budget_cny": money, "reason": reason}
        view = view_of(gateway.call("POST", f"/rounds/{round_id}/close", body))
    else:
        who = named(actor_)
        access.asserted(system().settings)
        officer(who, "closed")
        fields = {"actor": who, "reason": reason, "budget_cny": money}
        view = run(lambda here: service.close(here, round_id, CLOSE_WAIT, **fields))
    click.echo("\n".join(view_lines(view)))
    if view.status != "closed":
        click.echo(
            f"{view.round_id} is still acting on its cases; 'lifecycle round show "
            f"{view.round_id}' tells how far it is.",
            err=True,
        )


@round_group.command("show")
@click.argument("round_id", metavar="ROUND")
@click.option("--json", "as_json", is_flag=True)
def round_show(round_id: str, as_json: bool) -> None:
    """A round: its providers, their scores so far (open) or ranks, grades, rewards and what
    became of each case's actions (closed)."""
    checked_round_id(round_id)
    gateway = remote()
    if gateway:
        answer = gateway.call(
            "GET", f"/rounds/{round_id}", params={"format": "json" if as_json else "text"}
        )
        emit(as_json, answer, answer if isinstance(answer, str) else "")
        return
    report = run(lambda here: service.show(here, round_id))
    emit(as_json, report_json(report), report_text(report))


@round_group.command("list")
@click.option("--policy", default=None, help="Only this programme's rounds.")
@click.option("--json", "as_json", is_flag=True)
def round_list(policy: str | None, as_json: bool) -> None:
    """Evaluation rounds, oldest first: id, status, providers, budget, who opened and closed."""
    if policy is not None:
        rules.ref(policy)
    gateway = remote()
    if gateway:
        listed = gateway.call("GET", "/rounds", params={"policy": policy})
    else:
        listed = [row_json(r) for r in service.rows(system().store, policy)]
    emit(as_json, listed, [row_line(r) for r in listed])
    if not listed and not as_json:
        click.echo("No evaluation rounds" + (f" of {policy}" if policy else "") + ".", err=True)


COMMANDS = [round_group]
