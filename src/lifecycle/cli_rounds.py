"""`lifecycle round start|score|close|show|list`: a programme's evaluation rounds (the call's
rounds are `round set`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from lifecycle.calendar import SHANGHAI
from lifecycle.cli_render import at
from lifecycle.config import Settings, UserError
from lifecycle.contracts.rounds import CloseRequest, RoundView, ScoreRequest
from lifecycle.domain import evaluations
from lifecycle.domain.actors import Actor, ActorError
from lifecycle.domain.evaluations import Scored
from lifecycle.policies import load_pack
from lifecycle.remote import asserted_allowed, remote
from lifecycle.rounds import RoundService, checked_round_id
from lifecycle.store.models import EvaluationResultRow, EvaluationRoundRow
from lifecycle.store.repo import Store

T = TypeVar("T")
CLOSE_WAIT = 300.0  # seconds `round close` waits for the round to act on every case


def run_rounds(work: Callable[[RoundService], Awaitable[T]]) -> T:
    from lifecycle.cli_cases import run_connected

    return run_connected(
        lambda client, store, clock, settings: work(
            RoundService(client, store, clock, timeout=settings.act_timeout)
        )
    )


def _budget(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 15:
        raise UserError(f"--budget is '{raw[:20]}'; it must be a whole number of CNY, 0 or more.")
    return int(raw)


def _officer(actor: str | None, what: str) -> str | None:
    if actor is None:
        return None
    try:
        who = Actor.parse(actor)
    except ActorError as exc:
        raise UserError(str(exc)) from None
    if who.role not in evaluations.CLOSED_BY:
        raise UserError(f"--as is '{actor}'; a round is {what} by a bureau_officer (engine rule).")
    return str(who)


def _named(actor: str | None) -> str:
    if actor is None:
        raise UserError(
            "--as is required: name yourself as ROLE:ID (commands sent to Temporal directly, "
            "the development set-up; through the gateway your token names you)."
        )
    asserted_allowed()
    return actor


def _at(iso: str) -> str:
    return at(dt.datetime.fromisoformat(iso))


def _cny(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


@click.command("start")
@click.argument("policy")
@click.option("--period", required=True, help="The year (2026) or quarter (2026-Q1) evaluated.")
@click.option("--budget", default=None, help="CNY the round's rewards may spend (wuhan-2021).")
@click.option("--as", "actor", default=None, help="bureau_officer:ID who opens it.")
def round_start(policy: str, period: str, budget: str | None, actor: str | None) -> None:
    """Open POLICY's evaluation round for PERIOD: it gathers every provider in the directory
    (listed, or under rectification) and takes the evaluators' scores until an officer closes
    it. Each programme's Schedule opens one by itself when a period ends."""
    from lifecycle.cli_cases import _store, system_clock
    from lifecycle.rounds import check_start

    load_pack(policy)
    amount = _budget(budget)
    gateway = remote()
    if gateway:
        body = {"policy": policy, "period": period, "budget_cny": amount}
        opened = gateway.call("POST", "/rounds", body)
        click.echo(opened["round_id"])
        click.echo(f"{opened['providers']} provider(s) to evaluate.", err=True)
        return
    opener = _officer(actor, "opened")
    if opener is not None:
        asserted_allowed()
    settings = Settings.from_env()
    clock = system_clock(settings, _store(settings))
    check_start(policy, period, amount, clock.today())

    async def start(service: RoundService) -> RoundView:
        rid = await service.start(policy, period, amount, opener)
        return await service.opened(rid)

    view = run_rounds(start)
    click.echo(view.round_id)
    click.echo(
        f"{len(view.roster)} provider(s) to evaluate; score each with 'lifecycle round score "
        f"{view.round_id} CASE --as expert:ID --data FILE'.",
        err=True,
    )


@click.command("score")
@click.argument("round_id", metavar="ROUND")
@click.argument("case", metavar="CASE")
@click.option(
    "--as",
    "actor",
    default=None,
    help="An evaluator: expert:ID or bureau_officer:ID (through the gateway: your token).",
)
@click.option("--data", default=None, help="The rubric's inputs: a JSON file or inline JSON.")
@click.option("--missed", is_flag=True, help="The provider did not take part.")
@click.option("--reason", default="", help="A note kept with the scores.")
def round_score(
    round_id: str, case: str, actor: str | None, data: str | None, missed: bool, reason: str
) -> None:
    """Score one provider (CASE: its case id or credit code) by the programme's rubric
    ('lifecycle score POLICY {}' names the keys), or mark that it did not take part. Scoring
    again replaces the scores until the round closes."""
    from lifecycle.cli_cases import read_json

    checked_round_id(round_id)
    if missed == (data is not None):
        raise UserError(
            "give --data (the rubric's inputs) or --missed (it did not take part), one of them."
        )
    payload = read_json("--data", data) if data is not None else {}
    if not isinstance(payload, dict):
        raise UserError(f"--data '{data[:40] if data else ''}' must be a JSON object.")
    gateway = remote()
    if gateway:
        body = {"case": case, "data": payload, "missed": missed, "reason": reason}
        scored = Scored.model_validate(gateway.call("POST", f"/rounds/{round_id}/scores", body))
    else:
        request = ScoreRequest(
            case=case, actor=_named(actor), data=payload, missed=missed, reason=reason
        )
        scored = run_rounds(lambda s: s.score(round_id, request))
    if scored.missed:
        click.echo(f"{case}: did not take part (scored by {scored.by})")
    elif scored.score is not None:
        click.echo(f"{case}: {scored.score.total:g} points, {scored.score.grade}")


@click.command("close")
@click.argument("round_id", metavar="ROUND")
@click.option(
    "--as", "actor", default=None, help="bureau_officer:ID who closes it (gateway: your token)."
)
@click.option("--budget", default=None, help="CNY the rewards may spend, if not set at start.")
@click.option("--reason", default="", help="Why, if anything is to be said.")
def round_close(round_id: str, actor: str | None, budget: str | None, reason: str) -> None:
    """Close ROUND: rank the providers, publish the results and take the actions each result
    brings its case (rewards in rank order within the budget, exits, the excellent named,
    failures counted), under your name. A provider without scores missed the evaluation."""
    checked_round_id(round_id)
    gateway = remote()
    if gateway:
        body = {"budget_cny": _budget(budget), "reason": reason}
        view = RoundView.model_validate(gateway.call("POST", f"/rounds/{round_id}/close", body))
    else:
        _officer(_named(actor), "closed")
        request = CloseRequest(actor=_named(actor), reason=reason, budget_cny=_budget(budget))

        async def close(service: RoundService) -> RoundView:
            await service.close(round_id, request)
            return await service.closed(round_id, CLOSE_WAIT)

        view = run_rounds(close)
    click.echo("\n".join(view_lines(view)))
    if view.status != "closed":
        click.echo(
            f"{view.round_id} is still acting on its cases; 'lifecycle round show "
            f"{view.round_id}' tells how far it is.",
            err=True,
        )


@click.command("show")
@click.argument("round_id", metavar="ROUND")
@click.option("--json", "as_json", is_flag=True)
def round_show(round_id: str, as_json: bool) -> None:
    """A round: its providers, their scores so far (open) or ranks, grades, rewards and what
    became of each case's actions (closed)."""
    checked_round_id(round_id)
    from lifecycle.cli_cases import _store

    gateway = remote()
    if gateway:
        fmt = {"format": "json" if as_json else "text"}
        answer = gateway.call("GET", f"/rounds/{round_id}", params=fmt)
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2) if as_json else answer)
        return
    store = _store(Settings.from_env())
    payload, text = run_rounds(lambda s: round_report(store, s, round_id))
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2) if as_json else text)


async def round_report(
    store: Store, service: RoundService, round_id: str
) -> tuple[dict[str, Any], str]:
    """A round as data and as text: from the round itself, or, once it has ended, from what it
    published to the store."""
    row = store.rounds.round(round_id)
    try:
        view = await service.view(round_id)
    except UserError:
        if row is None or row.status != "closed":
            raise
        results = store.rounds.results(round_id)
        return _stored_json(row, results), "\n".join(_stored_lines(row, results))
    payload = view.model_dump(mode="json")
    payload["spent_cny"] = store.rounds.spent(round_id)
    return payload, "\n".join(view_lines(view, payload["spent_cny"]))


def round_rows(store: Store, policy: str | None) -> list[dict[str, Any]]:
    return [_row_json(r) for r in store.rounds.rounds(policy)]


@click.command("list")
@click.option("--policy", default=None, help="Only this programme's rounds.")
@click.option("--json", "as_json", is_flag=True)
def round_list(policy: str | None, as_json: bool) -> None:
    """Evaluation rounds, oldest first: id, status, providers, budget, who opened and closed."""
    from lifecycle.cli_cases import _store

    if policy is not None:
        load_pack(policy)
    gateway = remote()
    if gateway:
        rows = gateway.call("GET", "/rounds", params={"policy": policy})
    else:
        rows = round_rows(_store(Settings.from_env()), policy)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        closed_at = r["closed_at"]
        closed = f"; closed {_at(closed_at)} by {r['closed_by']}" if closed_at else ""
        click.echo(
            f"{r['round_id']}\t{r['status']}\t{r['providers']} provider(s)\tbudget "
            f"{_cny(r['budget_cny'])}\topened {_at(r['opened_at'])} by {r['opened_by'] or '-'}"
            f"{closed}"
        )
    if not rows:
        click.echo("No evaluation rounds" + (f" of {policy}" if policy else "") + ".", err=True)


def view_lines(view: RoundView, spent: int | None = None) -> list[str]:
    lines = [
        f"{view.round_id}: {view.status}, {len(view.roster)} provider(s), rules {view.rules}",
        f"  opened {at(view.opened_at) if view.opened_at else '-'} by {view.opened_by or '-'}"
        + (f"; closed {at(view.closed_at)} by {view.closed_by}" if view.closed_at else ""),
    ]
    if view.waiting:
        lines.append(f"  WAITING: {view.waiting} (tried again by itself)")
    if view.budget_cny is not None:
        used = f" (granted {_cny(spent)})" if spent is not None else ""
        lines.append(f"  budget {_cny(view.budget_cny)} CNY{used}")
    if view.results:
        lines.append("  rank  total   grade       reward CNY   provider; what became of it")
        for r in view.results:
            rank = str(r.rank) if r.rank else "-"
            total = f"{r.total:g}" if r.total is not None else "missed"
            marks = " [excellent]" * r.excellent + " [white list]" * r.white_list
            lines.append(
                f"  {rank:>4}  {total:>6}  {r.grade or '-':<10}  {_cny(r.reward_cny):>11}   "
                f"{r.name} ({r.credit_code}){marks}; {'; '.join(r.outcome) or 'pending'}"
            )
        return lines
    for e in view.roster:
        held = view.scores.get(e.case_id)
        if held is None:
            state = "not scored yet"
        elif held.missed:
            state = f"did not take part (by {held.by})"
        else:
            assert held.score is not None
            state = f"{held.score.total:g} points, {held.score.grade} (by {held.by})"
        lines.append(f"  {e.case_id}  {e.name}: {state}")
    return lines


def _row_json(r: EvaluationRoundRow) -> dict[str, Any]:
    return {
        "round_id": r.round_id,
        "policy": r.policy,
        "period": r.period,
        "status": r.status,
        "providers": r.entrants,
        "budget_cny": r.budget_cny,
        "rules_version": r.rules_version,
        "opened_by": r.opened_by,
        "opened_at": r.opened_at.astimezone(SHANGHAI).isoformat(),
        "closed_by": r.closed_by,
        "closed_at": r.closed_at.astimezone(SHANGHAI).isoformat() if r.closed_at else None,
    }


def result_json(r: EvaluationResultRow) -> dict[str, Any]:
    return {
        "case_id": r.case_id,
        "credit_code": r.credit_code,
        "name": r.provider_name,
        "district": r.district,
        "rank": r.rank,
        "total": r.total,
        "grade": r.grade,
        "grade_label": r.grade_label,
        "clause": r.clause,
        "missed": r.missed,
        "reward_cny": r.reward_cny,
        "excellent": r.excellent,
        "white_list": r.white_list,
        "items": r.items,
        "outcome": r.outcome,
    }


def _stored_json(row: EvaluationRoundRow, results: list[EvaluationResultRow]) -> dict[str, Any]:
    return {**_row_json(row), "results": [result_json(r) for r in results]}


def _stored_lines(row: EvaluationRoundRow, results: list[EvaluationResultRow]) -> list[str]:
    lines = [
        f"{row.round_id}: {row.status}, {row.entrants} provider(s) (from the store: the round "
        "itself did not answer)"
    ]
    for r in results:
        total = f"{r.total:g}" if r.total is not None else "missed"
        lines.append(
            f"  {r.rank or '-':>4}  {total:>6}  {r.grade or '-':<10}  {_cny(r.reward_cny):>11}   "
            f"{r.provider_name} ({r.credit_code}); {'; '.join(r.outcome)}"
        )
    return lines


def register(group: click.Group) -> None:
    for command in (round_start, round_score, round_close, round_show, round_list):
        group.add_command(command)
