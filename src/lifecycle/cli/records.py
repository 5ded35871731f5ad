"""`lifecycle notifications list`, `events rejected`, `audit verify` and `clock`: what the store
keeps beside the cases, checked and shown to the people who answer for it."""

from __future__ import annotations

import click

from lifecycle.app import records
from lifecycle.app.inputs import date, role
from lifecycle.app.views.records import notification_line, rejected_line
from lifecycle.app.views.time import at, iso
from lifecycle.cli.common import emit, system
from lifecycle.cli.remote import remote
from lifecycle.config import Settings


@click.group("notifications")
def notifications() -> None:
    """Reminders cases wrote for the people who must act (written once each)."""


@notifications.command("list")
@click.option("--role", "role_", default=None, help="Only those for ROLE (provider, …).")
@click.option("--since", default=None, help="Only those due on or after DATE.")
@click.option("--json", "as_json", is_flag=True)
def notifications_list(role_: str | None, since: str | None, as_json: bool) -> None:
    """What each reminder says, to whom, for which case and when it is due."""
    role(role_)
    due_from = date("--since", since)
    gateway = remote()
    if gateway:
        listed = gateway.call("GET", "/notifications", params={"role": role_, "since": since})
    else:
        listed = records.notifications(system().store, role_, due_from)
    emit(as_json, listed, [notification_line(r) for r in listed])
    if not listed and not as_json:
        click.echo("No reminders" + (f" for {role_}" if role_ else "") + ".", err=True)


@click.group()
def events() -> None:
    """Events other systems sent to cases."""


@events.command("rejected")
@click.option("--since", default=None, help="Only those received from DATE (Asia/Shanghai).")
@click.option("--json", "as_json", is_flag=True)
def events_rejected(since: str | None, as_json: bool) -> None:
    """Events a case did not apply (refused by the rules, or unreadable), for the sending
    system's operator: when, which case and event, what it asked and why it was refused."""
    start = date("--since", since)
    gateway = remote()
    if gateway:
        listed = gateway.call("GET", "/events/rejected", params={"since": since})
    else:
        listed = records.rejected(system().store, start)
    emit(as_json, listed, [rejected_line(r) for r in listed])


@click.group()
def audit() -> None:
    """The audit log: append-only, each row chained to the one before it."""


@audit.command("verify")
@click.argument("case_id", required=False)
def audit_verify(case_id: str | None) -> None:
    """Recompute the hash chains (of one case, or of all) and name the first row of each case
    that does not match: changed, removed or added after it was written. Exit 1 if any."""
    checked = records.audit(system().store, case_id)
    for problem in checked.breaks:
        click.echo(problem)
    if checked.breaks:
        click.echo(
            f"{len(checked.breaks)} of {checked.cases} case(s) have an audit trail that does not "
            "hold.",
            err=True,
        )
        raise SystemExit(1)
    if checked.keyed:
        click.echo(
            f"{checked.cases} case(s), {checked.rows} row(s): every chain holds and is sealed "
            "with the audit key."
        )
        return
    click.echo(
        f"{checked.cases} case(s), {checked.rows} row(s): every chain holds. No audit key here "
        "(LIFECYCLE_AUDIT_KEYS), so the seals were not checked: rows rewritten with their "
        "hashes recomputed would pass; run it with the worker's key file."
    )


@audit.command("rotate-key")
def audit_rotate_key() -> None:
    """Make a new current audit key; the old ones stay in the file, so rows sealed with them
    still verify. Restart the worker to seal new rows with it."""
    click.echo(records.rotate_audit_key(Settings.from_env()))


@click.command("clock")
@click.option("--json", "as_json", is_flag=True)
def clock(as_json: bool) -> None:
    """The system's business time now, and how its clock runs."""
    here = system()
    now, described = here.business_now(), here.clock().describe()
    emit(
        as_json,
        {"business_now": iso(now), "clock": described},
        f"{at(now)} (Asia/Shanghai): {described}",
        indent=None,
    )


COMMANDS = [notifications, events, audit, clock]
