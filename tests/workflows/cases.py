"""Sample applications and a driver for the workflow tests."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

from lifecycle.calendar import SHANGHAI
from lifecycle.contracts import ActRequest
from lifecycle.domain.application import Application
from lifecycle.domain.credit_code import complete

_serial = itertools.count(1)


def code(prefix: str = "91370200MA3C") -> str:
    return complete(f"{prefix}{next(_serial):05d}"[:17])


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def qingdao(
    kind: str = "product", sectors: tuple[str, ...] = ("auto_parts",), **extra: Any
) -> Application:
    facts = {
        "product": {"own_ip": True, "sector_cases": 3, "technical_staff": 8},
        "integrated": {"sector_cases": 2, "technical_staff": 20},
        "chain_leader": {
            "chain_pilot_enterprises": 12,
            "revenue_last_year_cny": 2e9,
            "technical_staff": 50,
        },
    }[kind]
    fields: dict[str, Any] = dict(
        name=f"青岛{kind}科技有限公司",
        credit_code=code(),
        district="市南区",
        contact={"person": "张工", "phone": "0532-80000000"},
        provider_type=kind,
        sectors=list(sectors),
        credit_report="CR-2025-001",
        facts=facts,
    )
    if kind == "chain_leader":
        fields["own_sector"] = sectors[0]
    fields.update(extra)
    return Application(**fields)


def simple(policy: str, **extra: Any) -> Application:
    fields: dict[str, Any] = dict(
        name=f"{policy} 服务机构",
        credit_code=code("91330300MA2H"),
        district="鹿城区",
        contact={"person": "李工", "phone": "0577-80000000"},
    )
    if policy == "wenzhou-2021":
        fields.update(
            tracks=["consulting"],
            facts={
                "independent_legal_person": True,
                "consulting_projects_last_year": 3,
                "wenzhou_professionals": 4,
                "quality_system": True,
            },
        )
    if policy == "guangzhou-2024":
        fields.update(ecosystem_partners=["91440101MA5C000001"])
    if policy == "wuhan-2021":
        fields.update(facts={"local_legal_person": True, "local_insured_technical_staff": 60})
    fields.update(extra)
    return Application(**fields)


OFFICER = "bureau_officer:li"
DISTRICT = "district_officer:wang@市南区"
EXPERT = "expert:panel-1"


def req(action: str, actor: str, reason: str = "", **data: Any) -> ActRequest:
    return ActRequest(action=action, actor=actor, reason=reason, data=data)


async def to_publicity(service, case_id: str, preliminary: bool) -> None:
    await service.act(case_id, req("begin_review", OFFICER))
    if preliminary:
        await service.act(case_id, req("pass_preliminary", DISTRICT))
    await service.act(case_id, req("score", EXPERT, score=86, rank=3, recommended=True))
    await service.act(case_id, req("publicise", OFFICER))


def trail(store, case_id: str) -> list[str]:
    """The actions of a case's audit trail, from the store."""
    return [r.action for r in store.audit(case_id)]


def assert_audit_matches(store, case) -> None:
    """One audit row per change, numbered 1…seq without a gap, the last one the case's own."""
    rows = store.audit(case.case_id)
    assert [r.seq for r in rows] == list(range(1, case.seq + 1))
    assert rows[-1].to_state == case.state.value
    assert store.case(case.case_id).last_seq == case.seq


TESTLAND = Path(__file__).parents[1] / "fixtures" / "packs" / "testland-2026.toml"


def rules_of_testland():
    """The tests-only programme, served by the worker (added as a version, never current)."""
    from lifecycle.policies import REGISTRY
    from lifecycle.policies.loader import read_document

    return REGISTRY.add(read_document(TESTLAND))


def holiday_file(folder, year: int = 2027, body: str | None = None) -> Path:
    """A bureau holiday file for ``year`` (National Day 1–7 October, make-up 26 Sep, 9 Oct)."""
    path = folder / f"{year}.toml"
    path.write_text(
        body
        or (
            f'year = {year}\nnotice = "国办发明电〔{year - 1}〕7号"\n[[holidays]]\n'
            f'name = "国庆节"\nfirst = {year}-10-01\nlast = {year}-10-07\n'
            f"makeup = [{year}-09-26, {year}-10-09]\n"
        ),
        encoding="utf-8",
    )
    return path


async def runs(client, case_id: str) -> list[tuple[int, int]]:
    """(history events, start input bytes) of every run of a case, first run first, following
    the chain of continue-as-new back from the current run."""
    run_id = (await client.get_workflow_handle(case_id).describe()).run_id
    out = []
    while run_id:
        history = await client.get_workflow_handle(case_id, run_id=run_id).fetch_history()
        started = history.events[0].workflow_execution_started_event_attributes
        out.append((len(history.events), started.input.ByteSize()))
        run_id = started.continued_execution_run_id
    return out[::-1]
