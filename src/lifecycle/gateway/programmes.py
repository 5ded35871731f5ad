"""The routes for a programme as a whole: a call's rounds and their dates, the ban registry,
closing the programme, what it publishes (open to everyone) and the events its cases refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from lifecycle.app import access, records, rules
from lifecycle.app import programme as closure
from lifecycle.app.calls import set_call_round
from lifecycle.app.cases import cases
from lifecycle.app.publish import published as documents
from lifecycle.gateway.core import Parts, Strict, Who

router = APIRouter()


class CallRoundBody(Strict):
    applications_close: dt.date | None = None
    preliminary_review_due: dt.date | None = None
    expert_review_due: dt.date | None = None


class CloseBody(Strict):
    reason: str = Field(min_length=1, description="why: the pilot's acceptance")


@router.put("/calls/{policy}/rounds/{name}", tags=["programmes"])
async def set_round(gateway: Parts, policy: str, name: str, body: CallRoundBody, who: Who) -> dict:
    """Open a call's round, or change the dates given (the others are kept)."""
    access.bureau(who, "set a call's rounds")
    pack = rules.pack(policy)
    system = gateway.system
    set_call_round(system.store, pack, name, body.model_dump(), system.today())
    return {"policy": pack.id, "round": name, "set": True}


@router.get("/bans", tags=["programmes"])
async def bans(gateway: Parts, who: Who, policy: str | None = None) -> list[dict[str, Any]]:
    """The ban registry admission reads."""
    access.staff(who, "the ban registry")
    return records.bans(gateway.system.store, policy)


@router.post("/programmes/{policy}/close", tags=["programmes"])
async def close(gateway: Parts, policy: str, body: CloseBody, who: Who) -> list[dict[str, Any]]:
    """Close every listed case (and every case under rectification) with the programme's
    closing clause; again closes what is left and applies nothing twice."""
    access.bureau(who, "close a programme")
    pack = rules.pack(policy)
    closure.closing(pack.id)
    service = await cases(gateway.system)
    results = await closure.close_programme(service, pack.id, who.actor, body.reason, who.assurance)
    return [{"case_id": c, "outcome": o, "closed": done} for c, o, done in results]


@router.get("/published/{policy}", tags=["public"])
async def published(gateway: Parts, policy: str) -> list[dict[str, Any]]:
    """Everything the programme publishes, generated from the records: open to everyone."""
    return [d.model_dump(mode="json") for d in documents(gateway.system, policy)]


@router.get("/events/rejected", tags=["events"])
async def rejected(gateway: Parts, who: Who, since: dt.date | None = None) -> list[dict]:
    """Events cases refused or could not read, for the sending systems' operators."""
    access.rejected_events(who)
    return records.rejected(gateway.system.store, since)
