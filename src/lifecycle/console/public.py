"""The public's pages, open to everyone at stable addresses: each programme's published notices
and directory (what ``lifecycle publish`` makes, generated from the records), and, while a
notice's window is open, a form to lodge an objection (name, contact, grounds). Contact details
are never shown here."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from lifecycle.app import LifecycleError, NotFound, rules
from lifecycle.app.objections import lodge
from lifecycle.app.publish import published
from lifecycle.app.statuses import status_of
from lifecycle.console.core import check_csrf, console_of, render, who_of

router = APIRouter()


@router.get("/public/", name="public")
async def programmes(request: Request) -> Response:
    return render(request, "public.html", who=who_of(request), programmes=rules.programmes())


def _documents(request: Request, policy: str):  # type: ignore[no-untyped-def]
    pack = rules.pack(policy)
    return pack, published(console_of(request).system, pack.id)


@router.get("/public/{policy}/", name="programme")
async def programme(request: Request, policy: str) -> Response:
    pack, docs = _documents(request, policy)
    return render(request, "programme.html", who=who_of(request), pack=pack, docs=docs)


@router.get("/public/{policy}/{name}", name="document")
async def document(request: Request, policy: str, name: str) -> Response:
    return _page(request, policy, name)


def _page(
    request: Request, policy: str, name: str, status: int = 200, refused: dict | None = None
) -> Response:
    pack, docs = _documents(request, policy)
    doc = next((d for d in docs if d.name == name), None)
    if doc is None:
        raise NotFound(f"{pack.id} has published no '{name[:60]}'.")
    today = console_of(request).system.today().isoformat()
    open_cases = {
        r["case_id"]
        for r in doc.records
        if doc.kind == "notice" and r.get("notice_closes") and r["notice_closes"] >= today
    }
    return render(
        request,
        "document.html",
        status=status,
        who=who_of(request),
        pack=pack,
        doc=doc,
        open_cases=open_cases,
        refused=refused or {},
        flash=request.session.pop("flash", None),
        request_id=secrets.token_urlsafe(12),
    )


@router.post("/public/{policy}/{name}/objections")
async def object_to(
    request: Request,
    policy: str,
    name: str,
    case_id: Annotated[str, Form()] = "",
    objector: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    grounds: Annotated[str, Form()] = "",
    request_id: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    pack = rules.pack(policy)
    try:
        result = await lodge(
            console_of(request).system,
            pack.id,
            case_id,
            objector,
            contact,
            grounds,
            request_id=f"objection-{request_id[:40]}" if request_id else None,
        )
    except LifecycleError as exc:
        refused = {
            "case_id": case_id,
            "message": exc.message,
            "clause": exc.clause,
            "objector": objector,
            "contact": contact,
            "grounds": grounds,
        }
        return _page(request, policy, name, status_of(exc), refused)
    request.session["flash"] = {
        "case_id": case_id,
        "seq": result.seq,
        "at": dt.datetime.now(dt.UTC).isoformat(),
    }
    base = request.scope.get("root_path", "")
    return RedirectResponse(f"{base}/public/{pack.id}/{name}#objected", status_code=303)
