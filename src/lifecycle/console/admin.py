"""Bureau administration (bureau officers): a call's rounds and their dates, an evaluation round
opened, a year's holiday notice checked and previewed before it is installed, API keys made
(shown once) and revoked, and the events cases refused."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lifecycle.app import Invalid, LifecycleError, access, admin, rules
from lifecycle.app import rounds as evaluation
from lifecycle.app.inputs import amount
from lifecycle.app.statuses import status_of
from lifecycle.console.core import check_csrf, console_of, render, require

router = APIRouter()
MAX_CALENDAR = 64 * 1024  # a year's notice is a few hundred bytes


async def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    who = require(request)
    access.bureau(who, "administer the bureau's settings")
    system = console_of(request).system
    policy = request.query_params.get("policy") or rules.ids()[0]
    return render(
        request,
        "admin.html",
        status=status,
        who=who,
        policy=rules.pack(policy).id,
        policies=rules.ids(),
        rounds=admin.call_rounds(system, policy),
        evaluation_rounds=evaluation.rows(system.store, None)[-20:][::-1],
        keys=admin.api_keys(system, who),
        rejected=admin.rejected_events(system, who),
        flash=request.session.pop("flash", None),
        **extra,
    )


@router.get("/admin", name="admin")
async def show(request: Request) -> Response:
    return await _page(request)


def _refused(form: str, exc: LifecycleError, sent: dict[str, str] | None = None) -> dict:
    """A refusal shown on the form it came from, with what was sent (filled in again)."""
    return {"form": form, "message": exc.message, "clause": exc.clause, "sent": sent or {}}


async def _form(request: Request) -> dict[str, str]:
    sent = await request.form()
    values = {k: str(v) for k, v in sent.items() if isinstance(v, str)}
    check_csrf(request, values.get("csrf"))
    return values


def _done(request: Request, what: dict[str, Any], policy: str | None = None) -> Response:
    request.session["flash"] = what
    base = request.scope.get("root_path", "")
    return RedirectResponse(f"{base}/admin" + (f"?policy={policy}" if policy else ""), 303)


@router.post("/admin/rounds")
async def set_round(request: Request) -> Response:
    who = require(request)
    sent = await _form(request)
    try:
        admin.set_round(
            console_of(request).system, who, sent.get("policy", ""), sent.get("name", ""), sent
        )
    except LifecycleError as exc:
        return await _page(request, status_of(exc), refused=_refused("rounds", exc, sent))
    return _done(request, {"done": "round", "name": sent.get("name")}, sent.get("policy"))


@router.post("/admin/evaluations")
async def open_round(request: Request) -> Response:
    who = require(request)
    sent = await _form(request)
    try:
        access.round_officer(who, "opened")
        view = await evaluation.start(
            console_of(request).system,
            rules.pack(sent.get("policy", "")).id,
            sent.get("period", "").strip(),
            amount("budget", sent.get("budget") or None),
            who.actor,
            who.assurance,
        )
    except LifecycleError as exc:
        return await _page(request, status_of(exc), refused=_refused("evaluations", exc, sent))
    base = request.scope.get("root_path", "")
    return RedirectResponse(f"{base}/rounds/{view.round_id}", status_code=303)


@router.post("/admin/calendar")
async def preview_calendar(request: Request) -> Response:
    """A year's notice, checked and shown as it would be installed (nothing installed yet)."""
    who = require(request)
    sent = await request.form()
    check_csrf(request, str(sent.get("csrf") or ""))
    upload = sent.get("file")
    text = str(sent.get("text") or "")
    try:
        if upload is not None and not isinstance(upload, str):
            raw = await upload.read(MAX_CALENDAR + 1)
            if len(raw) > MAX_CALENDAR:
                raise Invalid(f"The file is over {MAX_CALENDAR // 1024} KiB; a year's notice is a few hundred bytes.")  # fmt: skip
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Invalid("The file is not UTF-8 text (a TOML file).") from None
        if not text.strip():
            raise Invalid("Choose the year's holiday file (TOML) to check.")
        preview = admin.preview_calendar(who, text)
    except LifecycleError as exc:
        return await _page(request, status_of(exc), refused=_refused("calendar", exc))
    return await _page(request, preview=preview)


@router.post("/admin/calendar/install")
async def install_calendar(request: Request) -> Response:
    who = require(request)
    sent = await _form(request)
    try:
        done = await admin.install_calendar(console_of(request).system, who, sent.get("text", ""))
    except LifecycleError as exc:
        return await _page(request, status_of(exc), refused=_refused("calendar", exc))
    return _done(request, {"done": "calendar", "year": done.year, "told": len(done.told)})


@router.post("/admin/keys")
async def make_key(request: Request) -> Response:
    who = require(request)
    sent = await _form(request)
    try:
        made = admin.make_key(console_of(request).system, who, sent)
    except LifecycleError as exc:
        return await _page(request, status_of(exc), refused=_refused("keys", exc, sent))
    # Shown once, on this answer only (never kept in the session or a redirect).
    return await _page(request, made={"name": sent.get("name"), "key": made.key, "secret": made.signing_secret})  # fmt: skip


@router.post("/admin/keys/revoke")
async def revoke_key(request: Request) -> Response:
    who = require(request)
    sent = await _form(request)
    try:
        admin.revoke_key(console_of(request).system, who, sent.get("name", ""))
    except LifecycleError as exc:
        return await _page(request, status_of(exc), refused=_refused("keys", exc))
    return _done(request, {"done": "revoked", "name": sent.get("name")})
