"""`lifecycle api-key …` and `lifecycle codec …`: the gateway's keys for systems and staff, and
the keys that encrypt case data in Temporal."""

from __future__ import annotations

import datetime as dt
import json

import click

from lifecycle.config import Settings, UserError
from lifecycle.domain import limits
from lifecycle.domain.states import Role
from lifecycle.gateway.scopes import DEFAULT_SCOPE, SCOPES
from lifecycle.store.repo import Store
from lifecycle.temporal.client import key_ring

RELAYED = (Role.PROVIDER, Role.ENTERPRISE)


def _keys() -> Store:
    return Store.from_url(Settings.from_env().db_url)


@click.group("api-key")
def api_key() -> None:
    """API keys for the HTTP gateway: other systems (role system) and staff or providers."""


@api_key.command("create")
@click.option("--name", required=True, help="Who holds it: a system's or a person's name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role if r != Role.PUBLIC]),
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
    type=click.Choice([r.value for r in RELAYED]),
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
    problem = limits.round_name("--name", name)
    if problem:
        raise UserError(problem)
    who = Role(role)
    if who == Role.DISTRICT_OFFICER and not district:
        raise UserError(
            "--district is required for a district officer's key (engine rule: district "
            "officers act only on their district's cases)."
        )
    if who == Role.PROVIDER and not credit_code:
        raise UserError("--credit-code is required for a provider's key: it acts on its own case.")
    scope = list(scopes or DEFAULT_SCOPE[who])
    if who == Role.SYSTEM:
        scope += [f"relay={r}" for r in (relay or [r.value for r in RELAYED])]
    if district:
        scope.append(f"district={district}")
    if credit_code:
        scope.append(f"credit_code={credit_code}")
    made = _keys().keys.create(name, who.value, scope, dt.datetime.now(dt.UTC))
    if made is None:
        raise UserError(
            f"--name '{name}' already holds a key; revoke it first ('lifecycle api-key revoke "
            f"{name}') or choose another name."
        )
    key, holder = made
    click.echo(f"API key for {name} ({role}; {', '.join(scope)}), shown this once:")
    click.echo(key)
    if who == Role.SYSTEM:
        click.echo("Signing secret for its events (webhook-signature), shown this once:")
        click.echo(holder.signing_secret)


@api_key.command("list")
@click.option("--json", "as_json", is_flag=True)
def api_key_list(as_json: bool) -> None:
    """Keys made, who holds them, their role and scope, and whether revoked."""
    rows = [
        {
            "name": k.name,
            "role": k.role,
            "scope": list(k.scope),
            "created_at": k.created_at.isoformat(),
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
        }
        for k in _keys().keys.all()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        revoked = r["revoked_at"]
        state = f"revoked {str(revoked)[:16]}" if revoked else "active"
        click.echo(f"{r['name']}\t{r['role']}\t{','.join(list(r['scope'] or []))}\t{state}")


@api_key.command("revoke")
@click.argument("name")
def api_key_revoke(name: str) -> None:
    """Revoke NAME's key: it is refused from the next request on."""
    holder = _keys().keys.revoke(name, dt.datetime.now(dt.UTC))
    if holder is None:
        raise UserError(f"There is no API key named '{name}' ('lifecycle api-key list').")
    click.echo(f"{name}: revoked at {holder.revoked_at:%Y-%m-%d %H:%M} UTC.")


@click.group("codec")
def codec() -> None:
    """The keys that encrypt case data in Temporal (LIFECYCLE_CODEC_KEYS)."""


@codec.command("rotate")
def codec_rotate() -> None:
    """Make a new current key; the old ones stay, so old histories still open. Restart the
    worker and the gateway to seal new data with it."""
    settings = Settings.from_env()
    ring = key_ring(settings).rotated()
    ring.write(settings.codec_keys)
    click.echo(
        f"{settings.codec_keys}: new current key {ring.current} ({len(ring.keys)} keys kept)."
    )


@codec.command("show")
def codec_show() -> None:
    """Which key file is used, its current key and the key ids it holds (never the keys)."""
    settings = Settings.from_env()
    ring = key_ring(settings)
    click.echo(f"{settings.codec_keys}: current {ring.current}; keys {', '.join(ring.keys)}.")


def register(cli: click.Group) -> None:
    cli.add_command(api_key)
    cli.add_command(codec)
