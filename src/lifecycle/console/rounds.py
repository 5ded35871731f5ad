"""Evaluation rounds: who is evaluated and how far scoring has come; an evaluator's scores
entered in a form built from the programme's rubric, the points computed as they type (the
engine's own scoring, asked as each field changes; nothing is sent until they save); an
officer closes the round."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lifecycle.app import LifecycleError, access
from lifecycle.app import rounds as evaluation
from lifecycle.app.forms import preview, rubric_form, rubric_labels, scores_of
from lifecycle.app.rounds import checked_round_id
from lifecycle.app.statuses import status_of
from lifecycle.console.core import check_csrf, console_of, render, require

router = APIRouter()


async def _page(request: Request, round_id: str, status: int = 200, **extra: object) -> Response:
    who = require(request)
    access.staff(who, "evaluation rounds")
    report = await evaluation.show(console_of(request).system, round_id)
    view = report.view
    rules = view.rules if view is not None else None
    return render(
        request,
        "round.html",
        status=status,
        who=who,
        round_id=round_id,
        report=report,
        view=view,
        rubric=rubric_form(rules),
        labels=rubric_labels(rules),
        rules=rules,
        may_score=_may(lambda: access.evaluator(who, round_id)),
        may_close=_may(lambda: access.round_officer(who, "closed")),
        flash=request.session.pop("flash", None),
        **extra,
    )


def _may(check) -> bool:  # type: ignore[no-untyped-def]
    try:
        check()
    except LifecycleError:
        return False
    return True


@router.get("/rounds/{round_id}", name="round")
async def show_round(request: Request, round_id: str) -> Response:
    return await _page(request, checked_round_id(round_id))


@router.post("/rounds/{round_id}/preview")
async def points(request: Request, round_id: str) -> Response:
    """The points the rubric gives what the evaluator typed so far (a fragment)."""
    who = require(request)
    round_id = checked_round_id(round_id)
    access.evaluator(who, round_id)
    sent = await request.form()
    filled = {k: [str(v) for v in sent.getlist(k)] for k in sent}
    check_csrf(request, (filled.get("csrf") or [""])[0])
    report = await evaluation.show(console_of(request).system, round_id)
    rules = report.view.rules if report.view is not None else None
    score, problem = preview(rules, filled)
    return render(
        request, "_points.html", score=score, problem=problem, labels=rubric_labels(rules)
    )


@router.post("/rounds/{round_id}/scores")
async def score(request: Request, round_id: str) -> Response:
    who = require(request)
    round_id = checked_round_id(round_id)
    sent = await request.form()
    filled = {k: [str(v) for v in sent.getlist(k)] for k in sent}
    check_csrf(request, (filled.get("csrf") or [""])[0])
    case = (filled.get("case") or [""])[0]
    system = console_of(request).system
    try:
        access.evaluator(who, round_id)
        report = await evaluation.show(system, round_id)
        rules = report.view.rules if report.view is not None else None
        missed = bool(filled.get("missed"))
        scored = await evaluation.score(
            system,
            round_id,
            case=case,
            actor=who.actor,
            data={} if missed else scores_of(rules, filled),
            missed=missed,
            reason=(filled.get("reason") or [""])[0],
            assurance=who.assurance,
        )
    except LifecycleError as exc:
        refused = {"message": exc.message, "clause": exc.clause, "filled": filled, "case": case}
        return await _page(request, round_id, status_of(exc), refused=refused)
    request.session["flash"] = {
        "case": case,
        "total": scored.score.total if scored.score else None,
        "grade": scored.score.grade if scored.score else None,
        "missed": scored.missed,
    }
    base = request.scope.get("root_path", "")
    return RedirectResponse(f"{base}/rounds/{round_id}", status_code=303)


@router.post("/rounds/{round_id}/close")
async def close(request: Request, round_id: str) -> Response:
    who = require(request)
    round_id = checked_round_id(round_id)
    sent = await request.form()
    check_csrf(request, str(sent.get("csrf") or ""))
    try:
        access.round_officer(who, "closed")
        await evaluation.close(
            console_of(request).system,
            round_id,
            5.0,
            actor=who.actor,
            reason=str(sent.get("reason") or ""),
            assurance=who.assurance,
        )
    except LifecycleError as exc:
        refused = {"message": exc.message, "clause": exc.clause, "closing": True}
        return await _page(request, round_id, status_of(exc), refused=refused)
    base = request.scope.get("root_path", "")
    return RedirectResponse(f"{base}/rounds/{round_id}", status_code=303)
