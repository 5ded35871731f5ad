"""The routes for a programme as a whole: a call's rounds and their dates, the ban registry,
closing the programme, what it publishes (open to everyone) and the events its cases refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from lifecycle.cli_audit import rejected_rows
from lifecycle.cli_cases import set_call_round
from lifecycle.cli_evaluation import ban_json
from lifecycle.config import UserError
from lifecycle.domain.states import Role
from lifecycle.gateway.auth import ACT, EVENTS, READ, AuthError, Principal
from lifecycle.gateway.core import ApiError, Parts, Strict, Who, may, pack_of, run
from lifecycle.programme import close_programme, closing
from lifecycle.publish import documents

router = APIRouter()


class CallRoundBody(Strict):
    applications_close: dt.date | None = None
    preliminary_review_due: dt.date | None = None
    expert_review_due: dt.date | None = None


class CloseBody(Strict):
    reason: str = Field(min_length=1, description="why: the pilot's acceptance")


def _bureau(who: Principal, what: str) -> None:
    may(who, ACT, what)
    if who.role != Role.BUREAU_OFFICER:
        raise AuthError(f"Only a bureau_officer may {what}, not {who.role.a}.", 403)


@router.put("/calls/{policy}/rounds/{name}", tags=["programmes"])
async def set_round(gateway: Parts, policy: str, name: str, body: CallRoundBody, who: Who) -> dict:
    """Open a call's round, or change the dates given (the others are kept)."""
    _bureau(who, "set a call's rounds")
    pack = pack_of(policy)
    try:
        set_call_round(gateway.store, pack, name, body.model_dump(), gateway.clock().today())
    except UserError as exc:
        raise ApiError(400, str(exc)) from None
    return {"policy": pack.id, "round": name, "set": True}


@router.get("/bans", tags=["programmes"])
async def bans(gateway: Parts, who: Who, policy: str | None = None) -> list[dict[str, Any]]:
    """The ban registry admission reads."""
    may(who, READ, "read the ban registry")
    if not who.staff:
        raise AuthError(f"{who.role.a.capitalize()} may not read the ban registry.", 403)
    if policy is not None:
        pack_of(policy)
    return [ban_json(r) for r in gateway.store.bans(policy)]


@router.post("/programmes/{policy}/close", tags=["programmes"])
async def close(gateway: Parts, policy: str, body: CloseBody, who: Who) -> list[dict[str, Any]]:
    """Close every listed case (and every case under rectification) with the programme's
    closing clause; again closes what is left and applies nothing twice."""
    _bureau(who, "close a programme")
    pack = pack_of(policy)
    try:
        closing(pack.id)
    except UserError as exc:
        raise ApiError(409, str(exc)) from None
    service = await gateway.cases()
    results = await run(close_programme(service, pack.id, who.actor, body.reason, who.assurance))
    return [{"case_id": c, "outcome": o, "closed": done} for c, o, done in results]


@router.get("/published/{policy}", tags=["public"])
async def published(gateway: Parts, policy: str) -> list[dict[str, Any]]:
    """Everything the programme publishes, generated from the records: open to everyone."""
    pack = pack_of(policy)
    now = gateway.clock().anchored(dt.datetime.now(dt.UTC)).now(dt.datetime.now(dt.UTC))
    return [d.model_dump(mode="json") for d in documents(gateway.store, pack, now)]


@router.get("/events/rejected", tags=["events"])
async def rejected(gateway: Parts, who: Who, since: dt.date | None = None) -> list[dict]:
    """Events cases refused or could not read, for the sending systems' operators."""
    if not (who.staff or who.may(EVENTS)):
        raise AuthError(f"{who.actor} may not read refused events.", 403)
    start = None
    if since is not None:
        from lifecycle.calendar import SHANGHAI

        start = dt.datetime.combine(since, dt.time(0), tzinfo=SHANGHAI)
    return rejected_rows(gateway.store, start)
