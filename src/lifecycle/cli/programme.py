"""`lifecycle programme close`, `publish`, `ban list` and `setting …`: a programme as a whole,
what it publishes, who may not apply to it, and the bureau's settings of it."""

from __future__ import annotations

from pathlib import Path

import click

from lifecycle.app import access, records, rules
from lifecycle.app import programme as closure
from lifecycle.app.cases import cases
from lifecycle.app.inputs import actor
from lifecycle.app.publish import publish
from lifecycle.app.system import System
from lifecycle.app.views.records import ban_line
from lifecycle.cli.common import emit, named, run, system
from lifecycle.cli.remote import remote


@click.group("programme")
def programme() -> None:
    """A whole programme's cases at once."""


@programme.command("close")
@click.argument("policy")
@click.option("--as", "actor_", default=None, help="bureau_officer:ID (gateway: your token).")
@click.option("--reason", default="", help="Why (required): the pilot's acceptance.")
def programme_close(policy: str, actor_: str | None, reason: str) -> None:
    """Close every listed case (and every case under rectification) of POLICY with its closing
    clause (guangzhou-2024 §5.2), a few at a time. Running it again closes what is left and
    applies nothing twice; exit code 2 when a case was not closed."""
    closure.closing(policy)  # a programme without a closing clause is refused before connecting
    closure.check_reason(reason)
    gateway = remote()
    if gateway:
        answer = gateway.call("POST", f"/programmes/{policy}/close", {"reason": reason})
        results = [(r["case_id"], r["outcome"], r["closed"]) for r in answer]
    else:
        who = named(actor_)
        access.asserted(system().settings)
        actor(who)

        async def close(here: System) -> list[tuple[str, str, bool]]:
            return await closure.close_programme(await cases(here), policy, who, reason)

        results = run(close)
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
    rules.pack(policy)
    folder, docs, files = publish(system(), policy, Path(out) if out else None)
    for doc in docs:
        click.echo(f"{folder / doc.name}.html\t{doc.heading}")
    click.echo(f"{len(docs)} document(s), {files} file(s) in {folder}.", err=True)


@click.group("ban")
def ban() -> None:
    """The ban registry: who may not apply, to which programme, until when and why."""


@ban.command("list")
@click.option("--policy", default=None, help="Only the bans that hold in this programme.")
@click.option("--json", "as_json", is_flag=True)
def ban_list(policy: str | None, as_json: bool) -> None:
    """Every ban, oldest first: credit code, programme, first and last day (or for good), the
    reason with its clause and the case whose exit wrote it."""
    if policy is not None:
        rules.ref(policy)  # an unknown programme is refused, naming the known ones
    gateway = remote()
    if gateway:
        listed = gateway.call("GET", "/bans", params={"policy": policy})
    else:
        listed = records.bans(system().store, policy)
    emit(as_json, listed, [ban_line(r) for r in listed])
    if not listed and not as_json:
        click.echo("No bans" + (f" in {policy}" if policy else "") + ".", err=True)


@click.group("setting")
def setting() -> None:
    """The bureau's settings of a programme (the city's yearly diagnosis target)."""


@setting.command("set")
@click.argument("policy")
@click.argument("key")
@click.argument("value")
def setting_set(policy: str, key: str, value: str) -> None:
    """Set KEY of POLICY to VALUE (for example city_diagnosis_target.2026 1200). Cases read it
    when they need it (a year's quota opens from that year's target)."""
    rules.pack(policy)
    click.echo(records.set_setting(system().store, policy, key, value))


@setting.command("list")
@click.argument("policy")
def setting_list(policy: str) -> None:
    """The settings of POLICY the bureau has set, and those it may set."""
    rules.pack(policy)
    for line in records.settings(system().store, policy):
        click.echo(line)


COMMANDS = [programme, publish_command, ban, setting]
