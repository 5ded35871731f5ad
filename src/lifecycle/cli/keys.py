"""`lifecycle api-key …` and `lifecycle codec …`: the gateway's keys for systems and staff, and
the keys that encrypt case data in Temporal."""

from __future__ import annotations

import click

from lifecycle.app import codec as codec_service
from lifecycle.app import keys
from lifecycle.app.identity import SCOPES
from lifecycle.app.views.records import key_line
from lifecycle.cli.common import emit, run, system
from lifecycle.config import Settings


@click.group("api-key")
def api_key() -> None:
    """API keys for the HTTP gateway: other systems (role system) and staff or providers."""


@api_key.command("create")
@click.option("--name", required=True, help="Who holds it: a system's or a person's name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(keys.ROLES),
    help="The role it acts in; 'system' for another system sending events.",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(SCOPES),
    help="What it may do (default by role: system → events; staff → read, act, codec; "
    "provider → read, act).",
)
@click.option("--district", default=None, help="A district officer's district.")
@click.option("--credit-code", default=None, help="A provider's credit code (its own case).")
@click.option(
    "--relay",
    multiple=True,
    type=click.Choice([r.value for r in keys.RELAYED]),
    help="For a system: the parties whose events it reports (default: provider, enterprise).",
)
def api_key_create(
    name: str,
    role: str,
    scopes: tuple[str, ...],
    district: str | None,
    credit_code: str | None,
    relay: tuple[str, ...],
) -> None:
    """Make a key; it is shown once (only its hash is kept), with a system's signing secret."""
    made = keys.create(system(), name, role, scopes, district, credit_code, relay)
    click.echo(f"API key for {name} ({role}; {', '.join(made.scope)}), shown this once:")
    click.echo(made.key)
    if made.signing_secret is not None:
        click.echo("Signing secret for its events (webhook-signature), shown this once:")
        click.echo(made.signing_secret)


@api_key.command("list")
@click.option("--json", "as_json", is_flag=True)
def api_key_list(as_json: bool) -> None:
    """Keys made, who holds them, their role and scope, and whether revoked."""
    listed = keys.listed(system().store)
    emit(as_json, listed, [key_line(r) for r in listed])


@api_key.command("revoke")
@click.argument("name")
def api_key_revoke(name: str) -> None:
    """Revoke NAME's key: it is refused from the next request on."""
    revoked = keys.revoke(system().store, name)
    click.echo(f"{name}: revoked at {revoked:%Y-%m-%d %H:%M} UTC.")


@api_key.command("rotate-secret")
@click.argument("name")
@click.option(
    "--grace-hours",
    type=int,
    default=24,
    help="Hours the secret it replaces still verifies (default 24), while the system switches.",
)
def api_key_rotate_secret(name: str, grace_hours: int) -> None:
    """Make a new signing secret for NAME's events (shown once); the old one keeps verifying
    until the grace period ends."""
    secret, until = keys.rotate_secret(system(), name, grace_hours)
    click.echo(f"New signing secret for {name}, shown this once (the old one verifies until "
               f"{until:%Y-%m-%d %H:%M} UTC):")  # fmt: skip
    click.echo(secret)


@click.group("codec")
def codec() -> None:
    """The keys that encrypt case data in Temporal (LIFECYCLE_CODEC_KEYS)."""


@codec.command("rotate")
def codec_rotate() -> None:
    """Make a new current key; the old ones stay, so old histories still open. Restart the
    worker and the gateway to seal new data with it."""
    click.echo(keys.rotate_codec(Settings.from_env()))


@codec.command("show")
def codec_show() -> None:
    """Which key file is used, its current key and the key ids it holds (never the keys)."""
    click.echo(keys.codec_keys(Settings.from_env()))


@codec.command("retire-plaintext")
@click.option("--dry-run", is_flag=True, help="Say which cases hold plaintext; move none.")
def codec_retire_plaintext(dry_run: bool) -> None:
    """Move every open case whose history holds payloads written before the codec (an upgrade
    from a version without it) to a new, sealed run; the old runs close and leave with the
    namespace's retention. Says which cases it moved and what is left."""
    done = run(lambda here: codec_service.retire_plaintext(here, dry_run=dry_run))
    for line in codec_service.retired_lines(done):
        click.echo(line)


COMMANDS = [api_key, codec]
