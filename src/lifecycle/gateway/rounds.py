"""The routes for evaluation rounds (open, score, close, show, list), moving a case to other
rules, and the notifications officers and providers are due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from pydantic import Field

from lifecycle.app import access, records, rules
from lifecycle.app import cases as service
from lifecycle.app import rounds as evaluation
from lifecycle.app.cases import checked_case_id
from lifecycle.app.inputs import move_request
from lifecycle.app.rounds import checked_round_id
from lifecycle.app.views.rounds import report_json, report_text, row_json
from lifecycle.gateway.core import Parts, Strict, Who

router = APIRouter()


class OpenBody(Strict):
    policy: str
    period: str = Field(description="the year (2026) or quarter (2026-Q1) evaluated")
    budget_cny: int | None = Field(None, ge=0, description="what the rewards may spend")


class ScoreBody(Strict):
    case: str = Field(description="the provider's case id or credit code")
    data: dict[str, Any] = Field(default_factory=dict, description="the rubric's inputs")
    missed: bool = False
    reason: str = ""


class CloseBody(Strict):
    budget_cny: int | None = Field(None, ge=0)
    reason: str = ""


class MoveBody(Strict):
    to: str = Field(description="a version of the case's programme, or 'current'")
    reason: str


@router.post("/rounds", status_code=201, tags=["rounds"])
async def open_round(gateway: Parts, body: OpenBody, who: Who) -> dict[str, Any]:
    """Open a programme's evaluation round for a period (bureau officers)."""
    access.round_officer(who, "opened")
    pack = rules.pack(body.policy)
    view = await evaluation.start(
        gateway.system, pack.id, body.period, body.budget_cny, who.actor, who.assurance
    )
    return {"round_id": view.round_id, "providers": len(view.roster)}


@router.get("/rounds", tags=["rounds"])
async def list_rounds(gateway: Parts, who: Who, policy: str | None = None) -> list[dict]:
    access.staff(who, "evaluation rounds")
    if policy is not None:
        rules.ref(policy)
    return [row_json(r) for r in evaluation.rows(gateway.system.store, policy)]


@router.get("/rounds/{round_id}", tags=["rounds"], response_model=None)
async def show_round(
    gateway: Parts, round_id: str, who: Who, format: str = "json"
) -> dict[str, Any] | PlainTextResponse:
    access.staff(who, "evaluation rounds")
    report = await evaluation.show(gateway.system, round_id)
    return PlainTextResponse(report_text(report)) if format == "text" else report_json(report)


@router.post("/rounds/{round_id}/scores", tags=["rounds"])
async def score(gateway: Parts, round_id: str, body: ScoreBody, who: Who) -> dict[str, Any]:
    """An evaluator's scores for one provider (the actor is the caller)."""
    round_id = checked_round_id(round_id)
    access.evaluator(who, round_id)
    scored = await evaluation.score(
        gateway.system,
        round_id,
        case=body.case,
        actor=who.actor,
        data=body.data,
        missed=body.missed,
        reason=body.reason,
        assurance=who.assurance,
    )
    return scored.model_dump(mode="json")


@router.post("/rounds/{round_id}/close", tags=["rounds"])
async def close(gateway: Parts, round_id: str, body: CloseBody, who: Who) -> dict[str, Any]:
    """Close a round under the caller's name: rank, publish and act on each case."""
    access.round_officer(who, "closed")
    view = await evaluation.close(
        gateway.system,
        checked_round_id(round_id),
        30.0,
        actor=who.actor,
        reason=body.reason,
        budget_cny=body.budget_cny,
        assurance=who.assurance,
    )
    return view.model_dump(mode="json")


@router.post("/cases/{case_id}/move", tags=["cases"])
async def move(gateway: Parts, case_id: str, body: MoveBody, who: Who) -> dict[str, Any]:
    """Move a running case to another version of its programme's rules (bureau officers)."""
    access.move(who)
    case_id = checked_case_id(case_id)
    request = move_request(
        version=body.to, actor=who.actor, reason=body.reason, assurance=who.assurance
    )
    result, version = await service.move(gateway.system, case_id, request)
    return {"case_id": case_id, "state": result.state.value, "seq": result.seq, "rules": version}


@router.get("/notifications", tags=["notifications"])
async def notifications(
    gateway: Parts, who: Who, role: str | None = None, since: dt.date | None = None
) -> list[dict[str, Any]]:
    """Reminders cases wrote for the people who must act: staff see all; a provider, its own."""
    own = access.notifications(who)
    return records.notifications(gateway.system.store, role, since, credit_code=own)
