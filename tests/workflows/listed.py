"""Drivers for the listed-phase tests: a case listed on a chosen business date, and a way to
reach a business date on the time-skipping server."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lifecycle.domain.states import CaseState
from tests.workflows.cases import DISTRICT, EXPERT, OFFICER, at, qingdao, req, simple
from tests.workflows.test_admission import open_round


@dataclass
class Listed:
    case_id: str
    provider: str
    credit_code: str
    origin: dt.datetime  # the case's business time when the server's clock read ``real``
    real: dt.datetime

    async def today(self, env) -> dt.datetime:
        return self.origin + (await env.get_current_time() - self.real)

    async def until(self, env, day: str, hour: int = 10) -> None:
        """Let business time run to ``day`` at ``hour`` (Asia/Shanghai)."""
        wait = at(day, hour) - await self.today(env)
        assert wait >= dt.timedelta(0), f"{day} is past"
        await env.sleep(wait)


async def listed(service, env, store, policy: str, day: str, **app) -> Listed:
    """A case of ``policy`` applied on ``day`` and taken to listed the shortest way its
    programme allows (public notices included)."""
    application = qingdao(**app) if policy == "qingdao-2024" else simple(policy, **app)
    rnd = open_round(store, policy)
    real = await env.get_current_time()
    case_id = await service.apply(policy, application, rnd, now=at(day))
    code = application.credit_code
    case = Listed(case_id, f"provider:{code}", code, at(day), real)
    if policy in ("wenzhou-2021", "guangzhou-2024", "qingdao-2024"):
        await service.act(case_id, req("begin_review", OFFICER))
        if policy == "qingdao-2024":
            await service.act(case_id, req("pass_preliminary", DISTRICT))
        await service.act(case_id, req("score", EXPERT, score=86, rank=3, recommended=True))
        await service.act(case_id, req("publicise", OFFICER))
        for _ in range(30):
            await env.sleep(dt.timedelta(days=1))
            if (await service.view(case_id)).case.state == CaseState.LISTED:
                break
    else:
        await service.act(case_id, req("admit_directly", OFFICER))
    assert (await service.view(case_id)).case.state == CaseState.LISTED
    await env.sleep(dt.timedelta(days=1))  # the year opens as the listing day ends
    return case
