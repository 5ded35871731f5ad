"""Cases: a searchable list (one row a case, counts per state), a case's page (state, rules
version, deadlines with their clauses, findings, objections, what a listed provider owes and
did, open decisions, the audit trail, a link to the Temporal Web UI), and the actions the person
may take on it now, each a form built from the case's rules. A form sent again (a double click,
a reload) carries the same request id and is applied once."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lifecycle.app import LifecycleError, access, rules
from lifecycle.app import cases as service
from lifecycle.app.cases import checked_case_id
from lifecycle.app.forms import ActionForm, data_of, forms, one
from lifecycle.app.identity import Principal
from lifecycle.app.inbox import CaseFilter, day_end, find
from lifecycle.app.inputs import act_request, date, state
from lifecycle.app.statuses import status_of
from lifecycle.app.views.cases import case_json
from lifecycle.console.core import check_csrf, console_of, render, require

router = APIRouter()


@router.get("/cases", name="cases")
async def list_cases(
    request: Request,
    q: str | None = None,
    policy: str | None = None,
    district: str | None = None,
    before: str | None = None,
    pending: str | None = None,
) -> Response:
    who = require(request)
    day = date("before", before) if before else None
    where = CaseFilter(
        text=(q or "").strip()[:80] or None,
        policy=rules.pack(policy).id if policy else None,
        district=district or None,
        state=state(request.query_params.get("state") or None),
        deadline_before=day_end(day) if day else None,
        pending=bool(pending),
    )
    found = find(console_of(request).system, who, where)
    return render(
        request,
        "cases.html",
        who=who,
        found=found,
        where=where,
        before=before or "",
        policies=rules.ids(),
        total=sum(found.counts.values()),
    )


async def _page(
    request: Request,
    who: Principal,
    case_id: str,
    status: int = 200,
    refused: dict[str, Any] | None = None,
) -> Response:
    system = console_of(request).system
    access.read_case(await service.whose(system, case_id), who, case_id)
    texts = who.role.value == "bureau_officer" and request.query_params.get("texts") == "1"
    view, trail = await service.show(system, case_id)
    shown = case_json(view, trail, texts=texts)
    return render(
        request,
        "case.html",
        status=status,
        who=who,
        case=shown,
        view=view,
        forms=forms(view, who),
        texts=texts,
        refused=refused or {},
        flash=request.session.pop("flash", None),
        request_id=lambda: secrets.token_urlsafe(12),
    )


@router.get("/cases/{case_id}", name="case")
async def show_case(request: Request, case_id: str) -> Response:
    who = require(request)
    return await _page(request, who, checked_case_id(case_id))


@router.post("/cases/{case_id}/actions/{action}")
async def act(request: Request, case_id: str, action: str) -> Response:
    sent = await request.form()
    filled = {k: [str(v) for v in sent.getlist(k)] for k in sent}
    check_csrf(request, _first(filled, "csrf"))  # before anything, a form from elsewhere
    who = require(request)
    case_id = checked_case_id(case_id)
    system = console_of(request).system
    base = request.scope.get("root_path", "")
    try:
        access.act(await service.whose(system, case_id), who, case_id, action, None)
        view, _ = await service.show(system, case_id)
        form: ActionForm | None = one(view, who, action)
        data = data_of(form.fields, filled) if form else {}
        result = await service.act(
            system,
            case_id,
            act_request(
                action=action,
                actor=who.actor,
                reason=_first(filled, "reason"),
                data=data,
                expected_seq=_seq(filled),
                request_id=f"console-{_first(filled, 'request_id')[:40]}"
                if _first(filled, "request_id")
                else None,
                assurance=who.assurance,
            ),
        )
    except LifecycleError as exc:
        refused = {"action": action, "message": exc.message, "clause": exc.clause, "filled": filled}
        return await _page(request, who, case_id, status_of(exc), refused)
    request.session["flash"] = {
        "action": action,
        "seq": result.seq,
        "state": result.state.value,
        "again": bool(result.duplicate),
        "recorded": result.recorded,
        "at": dt.datetime.now(dt.UTC).isoformat(),
    }
    return RedirectResponse(f"{base}/cases/{case_id}#top", status_code=303)


def _first(filled: dict[str, list[str]], key: str) -> str:
    values = filled.get(key) or [""]
    return values[0].strip()


def _seq(filled: dict[str, list[str]]) -> int | None:
    raw = _first(filled, "expected_seq")
    return int(raw) if raw.isdigit() else None
