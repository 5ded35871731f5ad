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

from lifecycle.cases import CaseService
from lifecycle.config import Settings, UserError
from lifecycle.domain.application import Application
from lifecycle.policies import load_pack
from lifecycle.store.repo import Store
from lifecycle.temporal.client import connect
from workflows.case import ActRequest, CaseView

T = TypeVar("T")


def _run(work: Callable[[CaseService], Awaitable[T]]) -> T:
    settings = Settings.from_env()

    async def main() -> T:
        client = await connect(settings)
        return await work(CaseService(client, _store(settings), settings.day_seconds))

    return asyncio.run(main())


def _store(settings: Settings) -> Store:
    return Store.from_url(settings.db_url)


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
    """Provider cases: apply, act, show, list, history."""


@case.command("apply")
@click.argument("policy")
@click.argument("file")
@click.option("--round", "round_name", help="The call's round (default: the pack's).")
def case_apply(policy: str, file: str, round_name: str | None) -> None:
    """Apply to POLICY with the application in FILE (JSON); prints the case id."""
    load_pack(policy)
    app = load_application(file)
    click.echo(_run(lambda s: s.apply(policy, app, round_name)))


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
    result = _run(lambda s: s.act(case_id, request))
    click.echo(f"{case_id}: {result.state.value} (#{result.seq} {action})")


@case.command("show")
@click.argument("case_id")
@click.option("--json", "as_json", is_flag=True)
def case_show(case_id: str, as_json: bool) -> None:
    """State, deadlines, findings, objections and the audit trail of a case."""
    view = _run(lambda s: s.view(case_id))
    if as_json:
        click.echo(json.dumps(case_json(view), ensure_ascii=False, indent=2))
    else:
        click.echo(case_text(view))


def case_json(view: CaseView) -> dict[str, Any]:
    c = view.case
    return {
        "case_id": c.case_id,
        "state": c.state.value,
        "policy": c.policy,
        "round": c.round,
        "credit_code": c.credit_code,
        "name": c.name,
        "district": c.district,
        "provider_type": c.provider_type,
        "sectors": c.sectors,
        "business_now": view.business_now.isoformat(),
        "deadlines": [
            {
                "name": d.name,
                "state": d.state.value,
                "date": d.date.isoformat(),
                "closes_at": d.closes_at.isoformat(),
                "provisional": d.provisional,
                "passed": d.expired,
                "overdue": d.name in view.overdue,
            }
            for d in c.deadlines.values()
        ],
        "findings": [f.model_dump(mode="json") for f in c.findings],
        "objections": [o.model_dump(mode="json") for o in c.objections],
        "expert_review": c.expert_review.model_dump(mode="json") if c.expert_review else None,
        "actions": view.actions,
        "history": [e.model_dump(mode="json") for e in c.history],
    }


def case_text(view: CaseView) -> str:
    c = view.case
    lines = [
        f"{c.case_id}",
        f"  {c.name} ({c.credit_code}), {c.district}",
        f"  state: {c.state.value}   actions now: {', '.join(view.actions) or 'none'}",
    ]
    for d in (d for d in c.deadlines.values() if d.state == c.state):
        flags = [
            f
            for f, on in (
                ("provisional", d.provisional),
                ("passed", d.expired),
                ("OVERDUE", d.name in view.overdue),
            )
            if on
        ]
        lines.append(
            f"  deadline {d.name}: {d.date} 24:00" + (f" ({', '.join(flags)})" if flags else "")
        )
    for f in c.findings:
        status = f"answered: {f.answer}" if f.answer else "open"
        tag = " [in principle]" if f.in_principle else ""
        lines.append(
            f"  finding {f.id} ({f.clause}){tag}: {f.text}; observed {f.observed}; {status}"
        )
    for o in c.objections:
        lines.append(f"  objection {o.id} by {o.by}: {o.text} [{o.status}]")
    lines.append("  history:")
    lines += [f"    {line}" for line in history_lines(c.history)]
    return "\n".join(lines)


def history_lines(entries: list[Any]) -> list[str]:
    return [
        f"#{e.seq} {_at(e.at)} {e.actor_role}:{e.actor_id} {e.action} "
        f"{_state(e.from_state)}→{_state(e.to_state)} [{e.clause or '-'}] {e.reason}".rstrip()
        for e in entries
    ]


def _at(value: dt.datetime) -> str:
    from lifecycle.calendar import SHANGHAI

    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _state(value: Any) -> str:
    return getattr(value, "value", value)


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
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for r in rows:
        deadline = f"  next {_at(r.next_deadline)}" if r.next_deadline else ""
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


def _date_option(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"'{value}' is not a date written YYYY-MM-DD.") from None


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
        applications_close=_date_option(applications_close),
        preliminary_review_due=_date_option(preliminary_review_due),
        expert_review_due=_date_option(expert_review_due),
    )
    click.echo(f"{policy} round {name} set")
