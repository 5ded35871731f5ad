"""`lifecycle case …` and `lifecycle round …`: applying, deciding and reading cases."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from lifecycle.cases import CaseService, policy_of
from lifecycle.cli_render import at, case_json, case_text, history_lines
from lifecycle.clock import BusinessClock, configured
from lifecycle.config import Settings, UserError, parse_date
from lifecycle.contracts import ActRequest, MoveRequest
from lifecycle.domain.application import Application
from lifecycle.policies import REGISTRY, load_pack
from lifecycle.store.repo import Store
from lifecycle.temporal.client import connect

T = TypeVar("T")


def run_cases(work: Callable[[CaseService], Awaitable[T]]) -> T:
    settings = Settings.from_env()
    store = _store(settings)
    clock = system_clock(settings, store)

    async def main() -> T:
        client = await connect(settings)
        return await work(CaseService(client, store, clock))

    return asyncio.run(main())


def _store(settings: Settings) -> Store:
    return Store.from_url(settings.db_url)


def system_clock(settings: Settings, store: Store) -> BusinessClock:
    """The business clock every process of this system shares (recorded when first run)."""
    wanted = configured(settings.business_start, settings.day_seconds, dt.datetime.now(dt.UTC))
    return store.business_clock(wanted)


def _read_json(label: str, source: str) -> Any:
    """A JSON file, or inline JSON when the text starts with '{'."""
    try:
        text = source if source.lstrip().startswith("{") else Path(source).read_text("utf-8")
    except OSError as exc:
        raise UserError(f"{label} '{source}' cannot be read ({exc.strerror}).") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{label} '{source}' is not valid JSON ({exc.msg}, line {exc.lineno})."
        ) from exc


def load_application(path: str) -> Application:
    try:
        return Application.model_validate(_read_json("FILE", path))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise UserError(f"{path}: {where}: {err['msg']}.") from exc


def register(cli: click.Group) -> None:
    cli.add_command(case)
    cli.add_command(round_group)


@click.group()
def case() -> None:
    """Provider cases: apply, act, move, show, list, history."""


@case.command("apply")
@click.argument("policy")
@click.argument("file")
@click.option("--round", "round_name", help="The call's round (default: the pack's).")
def case_apply(policy: str, file: str, round_name: str | None) -> None:
    """Apply to POLICY with the application in FILE (JSON); prints the case id."""
    load_pack(policy)
    app = load_application(file)
    click.echo(run_cases(lambda s: s.apply(policy, app, round_name)))


@case.command("act")
@click.argument("case_id")
@click.argument("action")
@click.option("--as", "actor", required=True, help="ROLE:ID (district_officer:ID@DISTRICT).")
@click.option("--reason", default="", help="Why (required for adverse decisions).")
@click.option("--clause", default=None, help="The clause applied, if not the action's own.")
@click.option("--data", "data", default=None, help="JSON file (or inline JSON) for the action.")
def case_act(
    case_id: str, action: str, actor: str, reason: str, clause: str | None, data: str | None
) -> None:
    """Take ACTION on CASE_ID as a person in a role; refused actions change nothing."""
    payload = _read_json("--data", data) if data else {}
    if not isinstance(payload, dict):
        raise UserError(f"--data '{data}' must be a JSON object.")
    request = ActRequest(action=action, actor=actor, reason=reason, clause=clause, data=payload)
    result = run_cases(lambda s: s.act(case_id, request))
    click.echo(f"{case_id}: {result.state.value} (#{result.seq} {action})")
    if not result.recorded:
        click.echo(
            "The decision stands, but the store is unavailable; the case records it once the "
            "store is back ('lifecycle case show' tells what it waits on).",
            err=True,
        )


@case.command("move")
@click.argument("case_id")
@click.option(
    "--to", "version", required=True, help="A version of the case's programme, or 'current'."
)
@click.option("--as", "actor", required=True, help="bureau_officer:ID.")
@click.option("--reason", default="", help="Why the case moves to other rules (required).")
def case_move(case_id: str, version: str, actor: str, reason: str) -> None:
    """Move a running case to another version of its programme's rules (audited)."""
    if version == "current":
        version = REGISTRY.current(policy_of(case_id)).version
    request = MoveRequest(version=version, actor=actor, reason=reason)
    result = run_cases(lambda s: s.move(case_id, request))
    click.echo(f"{case_id}: {result.state.value} under rules {version} (#{result.seq} move_rules)")


@case.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
def case_show(case_id: str, as_json: bool) -> None:
    """State, rules, deadlines, findings, objections and the audit trail of a case."""
    view = run_cases(lambda s: s.view(case_id))
    trail = _store(Settings.from_env()).audit(case_id)
    if as_json:
        click.echo(json.dumps(case_json(view, trail), ensure_ascii=False, indent=2))
    else:
        click.echo(case_text(view, trail))


@case.command("list")
@click.option("--state", default=None)
@click.option("--policy", default=None)
@click.option("--json", "as_json", is_flag=True)
def case_list(state: str | None, policy: str | None, as_json: bool) -> None:
    """Cases from the read model, optionally by state and policy."""
    rows = _store(Settings.from_env()).cases(state=state, policy=policy)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "case_id": r.case_id,
                        "policy": r.policy,
                        "round": r.round,
                        "state": r.state,
                        "credit_code": r.credit_code,
                        "name": r.provider_name,
                        "district": r.district,
                        "next_deadline": r.next_deadline.isoformat() if r.next_deadline else None,
                        "rules_version": r.rules_version,
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for r in rows:
        deadline = f"  next {at(r.next_deadline)}" if r.next_deadline else ""
        click.echo(f"{r.case_id}\t{r.state}\t{r.provider_name}{deadline}")


@case.command("history")
@click.argument("case_id")
def case_history(case_id: str) -> None:
    """The audit trail of a case, from the store."""
    rows = _store(Settings.from_env()).audit(case_id)
    if not rows:
        raise UserError(f"There is no case '{case_id}' in the store.")
    for line in history_lines(rows):
        click.echo(line)


@click.group("round")
def round_group() -> None:
    """A call's rounds and their dates (per-round settings)."""


def _date_option(name: str, value: str | None) -> dt.date | None:
    return None if value is None else parse_date(name, value)


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
    """Open a round of POLICY (or change its dates)."""
    load_pack(policy)
    _store(Settings.from_env()).set_round(
        policy,
        name,
        applications_close=_date_option("--applications-close", applications_close),
        preliminary_review_due=_date_option("--preliminary-review-due", preliminary_review_due),
        expert_review_due=_date_option("--expert-review-due", expert_review_due),
    )
    click.echo(f"{policy} round {name} set")
