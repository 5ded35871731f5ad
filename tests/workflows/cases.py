"""Sample applications and a driver for the workflow tests."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from lifecycle.calendar import SHANGHAI
from lifecycle.domain.application import Application
from lifecycle.domain.credit_code import complete
from workflows.case import ActRequest

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
