"""The inbox (待办): what waits for the person signed in, across every programme, from the
read model: each piece of work with its case, provider, programme, what is asked, the clause
and when it is due; overdue and due-soon marked; filters and counts per kind. A provider's
inbox is what its own cases wait for from it (reports owed, orders to answer)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifecycle.app import rules
from lifecycle.app.inbox import WorkFilter, inbox
from lifecycle.app.inputs import state
from lifecycle.console.core import console_of, render, require

router = APIRouter()


@router.get("/", name="inbox")
async def show_inbox(
    request: Request,
    policy: str | None = None,
    district: str | None = None,
    kind: str | None = None,
) -> Response:
    who = require(request)
    where = WorkFilter(
        policy=rules.pack(policy).id if policy else None,
        district=district or None,
        state=state(request.query_params.get("state") or None),
        kind=kind or None,
    )
    found = inbox(console_of(request).system, who, where)
    return render(
        request,
        "inbox.html",
        who=who,
        inbox=found,
        where=where,
        policies=rules.ids(),
        total=sum(found.counts.values()),
    )
