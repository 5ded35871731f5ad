"""`lifecycle audit verify` and `lifecycle events rejected`: what the store keeps, checked and
shown to the people who answer for it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from lifecycle.calendar import SHANGHAI
from lifecycle.config import Settings, UserError, parse_date
from lifecycle.remote import remote
from lifecycle.store.repo import Store
from lifecycle.store.verify import verify


@click.group()
def audit() -> None:
    """The audit log: append-only, each row chained to the one before it."""


@audit.command("verify")
@click.argument("case_id", required=False)
def audit_verify(case_id: str | None) -> None:
    """Recompute the hash chains (of one case, or of all) and name the first row of each case
    that does not match: changed, removed or added after it was written. Exit 1 if any."""
    store = Store.from_url(Settings.from_env().db_url)
    with store.sessions() as s:
        checked = verify(s, case_id)
    if case_id is not None and checked.rows == 0:
        raise UserError(f"There is no case '{case_id}' in the audit log.")
    for problem in checked.breaks:
        click.echo(problem)
    if checked.breaks:
        raise UserError(
            f"{len(checked.breaks)} of {checked.cases} case(s) have an audit trail that does not "
            "hold.",
            exit_code=1,
        )
    click.echo(f"{checked.cases} case(s), {checked.rows} row(s): every chain holds.")


def rejected_rows(store: Store, start: dt.datetime | None) -> list[dict[str, Any]]:
    return [
        {
            "received_at": r.received_at.astimezone(SHANGHAI).isoformat(),
            "case_id": r.case_id,
            "event_id": r.event_id,
            "action": r.action,
            "actor_role": r.actor_role,
            "reason": r.reason,
        }
        for r in store.rejected(start)
    ]


@click.group()
def events() -> None:
    """Events other systems sent to cases."""


@events.command("rejected")
@click.option("--since", default=None, help="Only those received from DATE (Asia/Shanghai).")
@click.option("--json", "as_json", is_flag=True)
def events_rejected(since: str | None, as_json: bool) -> None:
    """Events a case did not apply (refused by the rules, or unreadable), for the sending
    system's operator: when, which case and event, what it asked and why it was refused."""
    start = None
    if since is not None:
        day = parse_date("--since", since)
        start = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)
    gateway = remote()
    if gateway:
        listed = gateway.call("GET", "/events/rejected", params={"since": since})
    else:
        listed = rejected_rows(Store.from_url(Settings.from_env().db_url), start)
    if as_json:
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    for r in listed:
        click.echo(
            f"{r['received_at'][:16].replace('T', ' ')}\t{r['case_id']}\t{r['event_id']}\t"
            f"{r['action']}\t{r['reason']}"
        )
