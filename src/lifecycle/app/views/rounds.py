"""An evaluation round as people read it: its providers and scores while open; ranks, grades,
rewards and what became of each case once closed (from the round, or from what it published)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle.app.rounds import RoundReport
from lifecycle.app.views.time import at, iso
from lifecycle.contracts.rounds import RoundView
from lifecycle.domain.evaluations import Scored
from lifecycle.store.models import EvaluationResultRow, EvaluationRoundRow


def view_of(data: dict[str, Any]) -> RoundView:
    """A round as the gateway answered it."""
    return RoundView.model_validate(data)


def scored_of(data: dict[str, Any]) -> Scored:
    return Scored.model_validate(data)


def cny(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def report_json(report: RoundReport) -> dict[str, Any]:
    if report.view is not None:
        payload = report.view.model_dump(mode="json")
        payload["spent_cny"] = report.spent
        return payload
    assert report.row is not None
    return {**row_json(report.row), "results": [result_json(r) for r in report.results]}


def report_text(report: RoundReport) -> str:
    if report.view is not None:
        return "\n".join(view_lines(report.view, report.spent))
    assert report.row is not None
    return "\n".join(_stored_lines(report.row, report.results))


def view_lines(view: RoundView, spent: int | None = None) -> list[str]:
    lines = [
        f"{view.round_id}: {view.status}, {len(view.roster)} provider(s), rules {view.rules}",
        f"  opened {at(view.opened_at) if view.opened_at else '-'} by "
        f"{_who(view.opened_by, view.opened_as)}"
        + (
            f"; closed {at(view.closed_at)} by {_who(view.closed_by, view.closed_as)}"
            if view.closed_at
            else ""
        ),
    ]
    if view.refused:
        lines.append(f"  REFUSED: {view.refused}")
    if view.waiting:
        lines.append(f"  WAITING: {view.waiting} (tried again by itself)")
    if view.budget_cny is not None:
        used = f" (granted {cny(spent)})" if spent is not None else ""
        lines.append(f"  budget {cny(view.budget_cny)} CNY{used}")
    if view.results:
        lines.append("  rank  total   grade       reward CNY   provider; what became of it")
        for r in view.results:
            rank = str(r.rank) if r.rank else "-"
            total = f"{r.total:g}" if r.total is not None else "missed"
            marks = " [excellent]" * r.excellent + " [white list]" * r.white_list
            marks += f" [{r.reward}]" if r.reward else ""
            lines.append(
                f"  {rank:>4}  {total:>6}  {r.grade or '-':<10}  {cny(r.reward_cny):>11}   "
                f"{r.name} ({r.credit_code}){marks}; {'; '.join(r.outcome) or 'pending'}"
            )
        return lines
    for e in view.roster:
        held = view.scores.get(e.case_id)
        if held is None:
            state = "not scored yet"
        elif held.missed:
            state = f"did not take part (by {held.by})"
        else:
            assert held.score is not None
            state = f"{held.score.total:g} points, {held.score.grade} (by {held.by})"
        lines.append(f"  {e.case_id}  {e.name}: {state}")
    return lines


def scored_line(case: str, scored: Scored) -> str:
    if scored.missed:
        return f"{case}: did not take part (scored by {scored.by})"
    assert scored.score is not None
    return f"{case}: {scored.score.total:g} points, {scored.score.grade}"


def row_json(r: EvaluationRoundRow) -> dict[str, Any]:
    return {
        "round_id": r.round_id,
        "policy": r.policy,
        "period": r.period,
        "status": r.status,
        "providers": r.entrants,
        "budget_cny": r.budget_cny,
        "rules_version": r.rules_version,
        "opened_by": r.opened_by,
        "opened_as": r.opened_as,
        "opened_at": iso(r.opened_at),
        "closed_by": r.closed_by,
        "closed_as": r.closed_as,
        "closed_at": iso(r.closed_at),
    }


def row_line(r: dict[str, Any]) -> str:
    """One round of ``round list``, from its JSON (the same through the gateway)."""
    closed_at = r["closed_at"]
    by = _who(r["closed_by"], r.get("closed_as"))
    closed = f"; closed {_at(closed_at)} by {by}" if closed_at else ""
    return (
        f"{r['round_id']}\t{r['status']}\t{r['providers']} provider(s)\tbudget "
        f"{cny(r['budget_cny'])}\topened {_at(r['opened_at'])} by "
        f"{_who(r['opened_by'], r.get('opened_as'))}{closed}"
    )


def _who(actor: str | None, known: str | None) -> str:
    """An officer as the round names them, with how they were known when that is recorded."""
    return f"{actor or '-'}{f' ({known})' if known else ''}"


def _at(text: str) -> str:
    return at(dt.datetime.fromisoformat(text))


def result_json(r: EvaluationResultRow) -> dict[str, Any]:
    return {
        "case_id": r.case_id,
        "credit_code": r.credit_code,
        "name": r.provider_name,
        "district": r.district,
        "rank": r.rank,
        "total": r.total,
        "grade": r.grade,
        "grade_label": r.grade_label,
        "clause": r.clause,
        "missed": r.missed,
        "reward_cny": r.reward_cny,
        "excellent": r.excellent,
        "white_list": r.white_list,
        "items": r.items,
        "outcome": r.outcome,
    }


def _stored_lines(row: EvaluationRoundRow, results: list[EvaluationResultRow]) -> list[str]:
    lines = [
        f"{row.round_id}: {row.status}, {row.entrants} provider(s) (from the store: the round "
        "itself did not answer)"
    ]
    for r in results:
        total = f"{r.total:g}" if r.total is not None else "missed"
        lines.append(
            f"  {r.rank or '-':>4}  {total:>6}  {r.grade or '-':<10}  {cny(r.reward_cny):>11}   "
            f"{r.provider_name} ({r.credit_code}); {'; '.join(r.outcome)}"
        )
    return lines
