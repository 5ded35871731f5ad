"""Sample cases for every pack, driven through review into public notice, so a newcomer sees
them move (``lifecycle demo``). On a system whose business days are compressed
(LIFECYCLE_DAY_SECONDS=20) the notices close within a few minutes."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from lifecycle.app.cases import cases as case_service
from lifecycle.app.system import System
from lifecycle.clock import BusinessClock
from lifecycle.contracts import ActRequest
from lifecycle.domain.application import Application
from lifecycle.domain.credit_code import complete
from lifecycle.domain.states import Role
from lifecycle.policies import PolicyPack, load_pack, pack_ids
from lifecycle.store.repo import Store

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


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


DEMO_TARGET = 1000


def _yearly_targets(store: Store, clock: BusinessClock, say: Callable[[str], None]) -> None:
    """The demo's yearly diagnosis targets (only where the bureau has set none), so listed
    cases open their year's quota (wenzhou-2021 第十条)."""
    now = dt.datetime.now(dt.UTC)
    year = clock.anchored(now).now(now).year
    for policy in pack_ids():
        rules = load_pack(policy).listed.quota
        if rules is None:
            continue
        for y in (year, year + 1):
            key = f"{rules.target_setting}.{y}"
            if not store.settings(policy, [key]):
                store.set_setting(policy, key, DEMO_TARGET, now)
                say(f"setting   {policy} {key} = {DEMO_TARGET} (demo)")


async def run(system: System, pause: float, say: Callable[[str], None]) -> None:
    """Applies every pack's sample applications (fresh credit codes) and takes each through
    the people's steps of its admission, saying what it did."""
    settings, store, clock = system.settings, system.store, system.clock()
    service = await case_service(system)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    _yearly_targets(store, clock, say)
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
        say(f"applied   {case_id}  {app.name}")
        cases.append((case_id, load_pack(policy), app))
    for case_id, pack, app in cases:
        for step in script(pack, app):
            await asyncio.sleep(pause)
            result = await service.act(case_id, step)
            say(f"{step.action:<17} {case_id} → {result.state.value}")
    ui = f"http://127.0.0.1:{settings.ui_port}/namespaces/{settings.namespace}/workflows"
    day = clock.day_seconds
    hint = (
        ""
        if day < 86400
        else " (start the system with LIFECYCLE_DAY_SECONDS=20, in its own LIFECYCLE_VAR_DIR, "
        "to watch them close within minutes)"
    )
    say(
        f"Done. This system's business day lasts {day} s, so the 5-working-day public notices "
        f"close in about {7 * day} s{hint}, after which the cases are listed. "
        f"Watch them in the Web UI: {ui}"
    )
