"""`lifecycle quota`, `lifecycle setting …` and `lifecycle notifications …`: the listed phase's
numbers, the bureau's yearly settings and the reminders cases write for other systems."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from lifecycle.config import Settings, UserError, parse_date
from lifecycle.domain import limits, quota
from lifecycle.domain.states import Role
from lifecycle.policies import load_pack, pack_ids
from lifecycle.policies.schema import PolicyPack
from lifecycle.remote import remote
from lifecycle.store.repo import Store


def _store() -> Store:
    return Store.from_url(Settings.from_env().db_url)


def _quota_rules(policy: str) -> tuple[PolicyPack, Any]:
    pack = load_pack(policy)
    rules = pack.listed.quota
    if rules is None:
        having = [p for p in pack_ids() if load_pack(p).listed.quota is not None]
        raise UserError(
            f"{policy} sets no yearly quota on purchased services; "
            f"{', '.join(having) or 'no programme'} does."
        )
    return pack, rules


@click.command("quota")
@click.argument("policy")
@click.argument("file")
def quota_command(policy: str, file: str) -> None:
    """The yearly caps on purchased diagnoses and design plans of one provider, with the parts
    they are made of (wenzhou-2021 第十条).

    FILE (JSON, or inline JSON) gives city_diagnosis_target (int), recognition ("ministry",
    "province" or null), served_demo_enterprise (bool) and excellent_years_running (int).
    """
    from lifecycle.cli_cases import read_json

    pack, rules = _quota_rules(policy)
    try:
        data = quota.read_input(rules, pack.id, read_json("FILE", file))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    caps = quota.caps(
        rules,
        dt.date.today().year,
        data["city_diagnosis_target"],
        data["recognition"],
        data["served_demo_enterprise"],
        data["excellent_years_running"],
    )
    click.echo(
        json.dumps(
            {
                "diagnosis_cap": caps.diagnosis_cap,
                "design_cap": caps.design_cap,
                "parts": [p.model_dump() for p in caps.parts],
            },
            ensure_ascii=False,
        )
    )


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
    pack = load_pack(policy)
    try:
        checked = quota.checked_setting(pack, key, value)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    _store().set_setting(pack.id, key, checked, dt.datetime.now(dt.UTC))
    click.echo(f"{pack.id} {key} = {checked}")


@setting.command("list")
@click.argument("policy")
def setting_list(policy: str) -> None:
    """The settings of POLICY the bureau has set, and those it may set."""
    pack = load_pack(policy)
    rows = _store().all_settings(pack.id)
    for key, value in rows.items():
        click.echo(f"{key}\t{json.dumps(value, ensure_ascii=False)}")
    if not rows:
        names = quota.setting_names(pack)
        reads = "; ".join(f"{n}, {what}" for n, what in names.items())
        click.echo(
            f"No settings yet; {pack.id} reads {reads}." if names else f"{pack.id} reads none."
        )


def notification_rows(store: Store, role: str | None, due_from: Any) -> list[dict[str, Any]]:
    return [
        {
            "case_id": r.case_id,
            "role": r.role,
            "text": r.text,
            "due": r.due.isoformat(),
            "written_at": r.written_at.isoformat(),
        }
        for r in store.notifications(role=role, due_from=due_from)
    ]


@click.group("notifications")
def notifications() -> None:
    """Reminders cases wrote for the people who must act (written once each)."""


@notifications.command("list")
@click.option("--role", default=None, help="Only those for ROLE (provider, bureau_officer, …).")
@click.option("--since", default=None, help="Only those due on or after DATE.")
@click.option("--json", "as_json", is_flag=True)
def notifications_list(role: str | None, since: str | None, as_json: bool) -> None:
    """What each reminder says, to whom, for which case and when it is due."""
    if role is not None and role not in Role.__members__.values():
        raise UserError(
            f"--role '{limits.shorten(role)}' is not a role; roles: "
            f"{', '.join(r.value for r in Role)}."
        )
    due_from = parse_date("--since", since) if since is not None else None
    gateway = remote()
    if gateway:
        params = {"role": role, "since": since}
        rows = gateway.call("GET", "/notifications", params=params)
    else:
        rows = notification_rows(_store(), role, due_from)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['due']}\t{r['role']}\t{r['case_id']}\t{r['text']}")
    if not rows:
        click.echo("No reminders" + (f" for {role}" if role else "") + ".", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(quota_command)
    cli.add_command(setting)
    cli.add_command(notifications)
