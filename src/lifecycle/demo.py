"""`lifecycle demo`: sample cases for every pack, driven through review into public notice on
compressed business time, so a newcomer sees them move in the Web UI within a few minutes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import click

from lifecycle.cases import CaseService
from lifecycle.config import Settings
from lifecycle.domain.application import Application
from lifecycle.domain.credit_code import complete
from lifecycle.domain.states import Role
from lifecycle.policies import PolicyPack, load_pack, pack_ids
from lifecycle.store.repo import Store
from lifecycle.temporal.client import connect
from workflows.case import ActRequest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFAULT_DAY_SECONDS = 20


def _actor(role: Role, app: Application) -> str:
    return {
        Role.BUREAU_OFFICER: "bureau_officer:demo-officer",
        Role.DISTRICT_OFFICER: f"district_officer:demo-reviewer@{app.district}",
        Role.EXPERT: "expert:demo-panel",
        Role.PROVIDER: f"provider:{app.credit_code}",
    }.get(role, f"{role}:demo")


def script(pack: PolicyPack, app: Application) -> list[ActRequest]:
    """The people's actions along the pack's admission path, up to the first clock-driven step."""
    steps: list[ActRequest] = []
    path = pack.admission.path
    for here, there in zip(path, path[1:], strict=False):
        rule = next(
            (
                t
                for t in pack.transitions
                if here in t.source and t.dest == there and any(r != Role.SYSTEM for r in t.roles)
            ),
            None,
        )
        if rule is None:
            break
        if "recommended_by_experts" in rule.conditions:
            steps.append(
                ActRequest(
                    action="score",
                    actor=_actor(Role.EXPERT, app),
                    data={"score": 88, "rank": 1, "recommended": True},
                )
            )
        role = next(r for r in rule.roles if r != Role.SYSTEM)
        steps.append(
            ActRequest(
                action=rule.trigger, actor=_actor(role, app), reason="演示: 材料齐全, 符合条件"
            )
        )
    return steps


def samples(stamp: str) -> list[tuple[str, Application]]:
    out = []
    for n, policy in enumerate(pack_ids()):
        for m, path in enumerate(sorted((EXAMPLES / policy).glob("application*.json"))):
            app = Application.model_validate(json.loads(path.read_text("utf-8")))
            code = complete(app.credit_code[:8] + f"D{stamp[-6:]}{n}{m}")
            out.append(
                (policy, app.model_copy(update={"credit_code": code, "name": f"{app.name}(演示)"}))
            )
    return out


@click.command()
@click.option(
    "--day-seconds",
    type=click.IntRange(1, 86400),
    default=None,
    help=f"Real seconds per business day for the demo cases (default {DEFAULT_DAY_SECONDS}).",
)
@click.option("--pause", type=float, default=2.0, help="Seconds between the demo's actions.")
def demo(day_seconds: int | None, pause: float) -> None:
    """Start sample cases for every pack and move them through review and public notice."""
    settings = Settings.from_env()
    day = day_seconds or (
        settings.day_seconds if settings.day_seconds != 86400 else DEFAULT_DAY_SECONDS
    )
    asyncio.run(_demo(settings, day, pause))


async def _demo(settings: Settings, day_seconds: int, pause: float) -> None:
    client = await connect(settings)
    store = Store.from_url(settings.db_url)
    service = CaseService(client, store, day_seconds)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    cases = []
    for policy, app in samples(stamp):
        round_name = f"demo-{stamp}"
        store.set_round(
            policy,
            round_name,
            applications_close=None,
            preliminary_review_due=None,
            expert_review_due=None,
        )
        case_id = await service.apply(policy, app, round_name)
        click.echo(f"applied   {case_id}  {app.name}")
        cases.append((case_id, load_pack(policy), app))
    for case_id, pack, app in cases:
        for step in script(pack, app):
            await asyncio.sleep(pause)
            result = await service.act(case_id, step)
            click.echo(f"{step.action:<17} {case_id} → {result.state.value}")
    ui = f"http://127.0.0.1:{settings.ui_port}/namespaces/{settings.namespace}/workflows"
    click.echo(
        f"Done. A business day lasts {day_seconds} s for these cases, so the 5-working-day public "
        f"notices close in about {7 * day_seconds} s, after which the cases are listed. "
        f"Watch them in the Web UI: {ui}"
    )
