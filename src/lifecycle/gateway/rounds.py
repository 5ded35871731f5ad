"""The routes for evaluation rounds (open, score, close, show, list), moving a case to other
rules, and the notifications officers and providers are due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from pydantic import Field

from lifecycle.cli_listed import notification_rows
from lifecycle.cli_rounds import round_report, round_rows
from lifecycle.config import UserError
from lifecycle.contracts import MoveRequest
from lifecycle.contracts.rounds import CloseRequest, ScoreRequest
from lifecycle.domain import evaluations
from lifecycle.domain.states import Role
from lifecycle.gateway.auth import ACT, READ, AuthError, Principal
from lifecycle.gateway.core import ApiError, Parts, Strict, Who, case_id_of, may, pack_of, run
from lifecycle.policies import REGISTRY
from lifecycle.rounds import check_start, checked_round_id

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


def _officer(who: Principal, what: str) -> None:
    may(who, ACT, what)
    if who.role not in evaluations.CLOSED_BY:
        raise AuthError(f"A round is {what} by a bureau_officer, not {who.role.a}.", 403)


def _staff(who: Principal) -> None:
    may(who, READ, "read rounds")
    if not who.staff:
        raise AuthError(f"{who.role.a.capitalize()} may not read evaluation rounds.", 403)


def _round_id(text: str) -> str:
    try:
        return checked_round_id(text)
    except UserError as exc:
        raise ApiError(400, str(exc)) from None


@router.post("/rounds", status_code=201, tags=["rounds"])
async def open_round(gateway: Parts, body: OpenBody, who: Who) -> dict[str, Any]:
    """Open a programme's evaluation round for a period (bureau officers)."""
    _officer(who, "opened")
    pack = pack_of(body.policy)
    try:
        check_start(pack.id, body.period, body.budget_cny, gateway.clock().today())
    except UserError as exc:
        raise ApiError(400, str(exc)) from None
    service = await gateway.rounds()
    round_id = await run(service.start(pack.id, body.period, body.budget_cny, who.actor))
    view = await run(service.opened(round_id))
    return {"round_id": round_id, "providers": len(view.roster)}


@router.get("/rounds", tags=["rounds"])
async def list_rounds(gateway: Parts, who: Who, policy: str | None = None) -> list[dict]:
    _staff(who)
    if policy is not None:
        pack_of(policy)
    return round_rows(gateway.store, policy)


@router.get("/rounds/{round_id}", tags=["rounds"], response_model=None)
async def show_round(
    gateway: Parts, round_id: str, who: Who, format: str = "json"
) -> dict[str, Any] | PlainTextResponse:
    _staff(who)
    service = await gateway.rounds()
    payload, text = await run(round_report(gateway.store, service, _round_id(round_id)))
    return PlainTextResponse(text) if format == "text" else payload


@router.post("/rounds/{round_id}/scores", tags=["rounds"])
async def score(gateway: Parts, round_id: str, body: ScoreBody, who: Who) -> dict[str, Any]:
    """An evaluator's scores for one provider (the actor is the caller)."""
    may(who, ACT, "score")
    round_id = _round_id(round_id)
    policy = round_id.split(":")[1] if round_id.count(":") >= 2 else ""
    if policy in REGISTRY.ids():
        allowed = evaluations.evaluators(pack_of(policy))
        if who.role not in allowed:
            raise AuthError(
                f"{who.role.a.capitalize()} may not score; evaluators are "
                f"{', '.join(r.value for r in allowed)}.",
                403,
            )
    request = ScoreRequest(
        case=body.case, actor=who.actor, data=body.data, missed=body.missed, reason=body.reason
    )
    service = await gateway.rounds()
    scored = await run(service.score(round_id, request), bad_input=False)
    return scored.model_dump(mode="json")


@router.post("/rounds/{round_id}/close", tags=["rounds"])
async def close(gateway: Parts, round_id: str, body: CloseBody, who: Who) -> dict[str, Any]:
    """Close a round under the caller's name: rank, publish and act on each case."""
    _officer(who, "closed")
    round_id = _round_id(round_id)
    request = CloseRequest(actor=who.actor, reason=body.reason, budget_cny=body.budget_cny)
    service = await gateway.rounds()
    await run(service.close(round_id, request))
    view = await run(service.closed(round_id, 30.0))
    return view.model_dump(mode="json")


@router.post("/cases/{case_id}/move", tags=["cases"])
async def move(gateway: Parts, case_id: str, body: MoveBody, who: Who) -> dict[str, Any]:
    """Move a running case to another version of its programme's rules (bureau officers)."""
    may(who, ACT, "move cases")
    if who.role != Role.BUREAU_OFFICER:
        raise AuthError(f"{who.role.a.capitalize()} may not move a case to other rules.", 403)
    case_id = case_id_of(case_id)
    version = body.to
    if version == "current":
        version = REGISTRY.current(case_id.split(":")[1]).version
    request = MoveRequest(
        version=version,
        actor=who.actor,
        reason=body.reason,
        assurance=who.assurance,  # type: ignore[arg-type]
    )
    service = await gateway.cases()
    result = await run(service.move(case_id, request))
    return {"case_id": case_id, "state": result.state.value, "seq": result.seq, "rules": version}


@router.get("/notifications", tags=["notifications"])
async def notifications(
    gateway: Parts, who: Who, role: str | None = None, since: dt.date | None = None
) -> list[dict[str, Any]]:
    """Reminders cases wrote for the people who must act: staff see all; a provider, its own."""
    may(who, READ, "read notifications")
    if not (who.staff or who.role == Role.PROVIDER):
        raise AuthError(f"{who.role.a.capitalize()} may not read notifications.", 403)
    rows = notification_rows(gateway.store, role, since)
    if who.role == Role.PROVIDER:
        rows = [r for r in rows if r["case_id"].endswith(f":{who.credit_code}")]
    return rows
