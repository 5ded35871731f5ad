"""A case as people read it (``lifecycle case show``, the gateway, the console): the workflow's
view plus the audit trail from the store (the case keeps no trail of its own), with the
business time now and the actions it could take now by its rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle.app.views.listed import listed_json, listed_lines, masked_reason
from lifecycle.app.views.time import at, closes, iso
from lifecycle.calendar import SHANGHAI
from lifecycle.contracts import CaseView
from lifecycle.domain.case import CaseDeadline
from lifecycle.domain.decide import OpenAction, open_actions
from lifecycle.policies import REGISTRY
from lifecycle.store.models import AuditRow, CaseRow

__all__ = ["at", "case_json", "case_row_json", "case_text", "closes", "entry_json", "history_lines"]


def actions_now(view: CaseView) -> list[OpenAction]:
    """What the case could take now by its rules (its own version), who may take each."""
    if view.rules is None or not REGISTRY.has(view.rules):
        return []
    return open_actions(view.case, REGISTRY.get(view.rules))


def business_now(view: CaseView, real: dt.datetime | None = None) -> dt.datetime:
    """The case's business time now: its clock read at ``real`` (now), not the time of its
    last change (what a query of the case reports as its own now)."""
    if view.clock is None or view.clock.real_origin is None:
        return view.business_now  # a worker from before views carried the case's clock
    return view.clock.now(real or dt.datetime.now(dt.UTC))


# Said where the audit trail would be while the store cannot be read (the case answers itself).
NO_TRAIL = (
    "the audit trail is in the store, which cannot be used now; the case above answered "
    "itself, and its trail is shown again once the store is back"
)


def case_json(
    view: CaseView,
    trail: list[AuditRow] | None,
    texts: bool = False,
    real: dt.datetime | None = None,
) -> dict[str, Any]:
    """The case as JSON, as of the real instant ``real`` (now when not given)."""
    c = view.case
    now = business_now(view, real)
    last = c.last_change
    return {
        "case_id": c.case_id,
        "state": c.state.value,
        "entered_on": c.entered_on.isoformat() if c.entered_on else None,
        "policy": c.policy,
        "rules": {"id": view.rules.id, "version": view.rules.version} if view.rules else None,
        "round": c.round,
        "credit_code": c.credit_code,
        "name": c.name,
        "district": c.district,
        "provider_type": c.provider_type,
        "sectors": c.sectors,
        "business_now": iso(now),
        "last_change": {
            "seq": last.seq,
            "action": last.action,
            "actor": last.actor,
            "at": iso(last.at),
        }
        if last is not None
        else None,
        "real_time": not rehearsal(now),
        "waiting_on": view.trouble,
        "unrecorded": view.unrecorded,
        "deadlines": [
            {
                "name": d.name,
                "label": d.label,
                "states": [s.value for s in d.states],
                "date": d.date.isoformat(),
                "closes_at": d.closes_at.isoformat(),
                "provisional": d.provisional,
                "passed": d.expired,
                "due": d.open and d.closes_at <= now,  # fallen due, not applied yet
                "met": d.met,
                "period": d.period,
                "overdue": d.name in view.overdue,
                "clause": d.clause,
                "length_clause": d.length_clause,
            }
            for d in c.running()
        ],
        "findings": [f.model_dump(mode="json") for f in c.findings],
        "objections": [o.model_dump(mode="json") for o in c.objections],
        "expert_review": c.expert_review.model_dump(mode="json") if c.expert_review else None,
        "listed": listed_json(view, trail or [], texts),
        "actions": [a.trigger for a in actions_now(view)],
        "open_actions": [
            {"action": a.trigger, "roles": [r.value for r in a.roles], "clause": a.clause}
            for a in actions_now(view)
        ],
        "seq": c.seq,
        "history": [entry_json(r, texts) for r in trail] if trail is not None else None,
        **({"history_unavailable": NO_TRAIL} if trail is None else {}),
    }


def case_row_json(r: CaseRow) -> dict[str, Any]:
    """A case as the read model lists it."""
    return {
        "case_id": r.case_id,
        "policy": r.policy,
        "round": r.round,
        "state": r.state,
        "credit_code": r.credit_code,
        "name": r.provider_name,
        "district": r.district,
        "next_deadline": iso(r.next_deadline),
        "rules_version": r.rules_version,
        "pending_decision": r.pending_decision,
    }


def entry_json(row: AuditRow, texts: bool = False) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "at": row.at.astimezone(SHANGHAI).isoformat(),
        "actor_role": row.actor_role,
        "actor_id": row.actor_id,
        "action": row.action,
        "from_state": row.from_state,
        "to_state": row.to_state,
        "reason": masked_reason(row, texts),
        "clause": row.clause,
        "data": row.data or {},
        "event_id": row.event_id,
        "assurance": row.assurance,
    }


def case_text(
    view: CaseView,
    trail: list[AuditRow] | None,
    texts: bool = False,
    real: dt.datetime | None = None,
) -> str:
    c = view.case
    now = business_now(view, real)
    rules = f"   rules {view.rules}" if view.rules else ""
    last = c.last_change
    changed = (
        f"#{last.seq} {last.action} by {last.actor} at {at(last.at)}"
        if last is not None and last.seq == c.seq
        else f"#{c.seq}"
    )
    offered = "; ".join(f"{a.trigger} ({', '.join(a.roles)})" for a in actions_now(view))
    lines = [
        f"{c.case_id}",
        f"  {c.name} ({c.credit_code}), {c.district}{rules}",
        f"  state: {c.state.value}",
        f"  business time now: {at(now)} (Asia/Shanghai){rehearsal(now)}",
        f"  last change: {changed}",
        f"  actions now: {offered or 'none'}",
    ]
    lines += [f"  WAITING: {problem}" for problem in view.trouble]
    if view.unrecorded:
        lines.append(f"  {view.unrecorded} change(s) are not in the store yet (it will catch up)")

    def due(d: CaseDeadline) -> bool:  # fallen due and not applied yet (the bureau's spread)
        return d.open and d.closes_at <= now

    for d in c.running():
        flags = [
            f
            for f, on in (
                ("provisional", d.provisional),
                ("passed", d.expired),
                ("fell due: applied at the case's turn, or first by the next action", due(d)),
                ("met", d.met),
                ("OVERDUE", d.name in view.overdue),
            )
            if on
        ]
        period = f" [{d.period}]" if d.period else ""
        length = (
            f" [{d.clause}; {d.working_days} working days: {d.length_clause}]"
            if d.length_clause
            else ""
        )
        lines.append(
            f"  deadline {d.name}{period}: {d.date} 24:00"
            + (f" ({', '.join(flags)})" if flags else "")
            + length
        )
    for f in c.findings:
        status = f"answered: {f.answer}" if f.answer else "open"
        tag = " [in principle]" if f.in_principle else ""
        times = f" ×{f.times}" if f.times > 1 else ""
        lines.append(
            f"  finding {f.id} ({f.clause}){tag}{times}: {f.text}; observed {f.observed}; {status}"
        )
    for o in c.objections:
        said = f": {o.text}" if o.text else " (its text is in the history)"
        decided = f" by {o.decided_by}" if o.decided_by else ""
        lines.append(f"  objection {o.id} by {o.by}{said} [{o.status}{decided}]")
    lines += listed_lines(view, trail or [], texts)
    if trail is None:
        lines.append(f"  history: {NO_TRAIL}.")
        return "\n".join(lines)
    lines.append("  history:")
    lines += [f"    {line}" for line in history_lines(trail, texts)]
    return "\n".join(lines)


def rehearsal(now: dt.datetime) -> str:
    """A note when the case's business time is not the real time (a rehearsal clock)."""
    real = dt.datetime.now(dt.UTC)
    if abs(now - real) < dt.timedelta(minutes=2):
        return ""
    return f", NOT real time (real time {at(real)})"


def history_lines(rows: list[AuditRow], texts: bool = False) -> list[str]:
    return [
        f"#{r.seq} {at(r.at)} {r.actor_role}:{r.actor_id} {r.action} "
        f"{_moved(r.from_state, r.to_state)} [{r.clause or '-'}] {masked_reason(r, texts)}".rstrip()
        + _applied(r)
        for r in rows
    ]


def _applied(row: AuditRow) -> str:
    """When a change dated when its deadline fell due was applied, if that was later."""
    applied = (row.data or {}).get("applied_at") if isinstance(row.data, dict) else None
    if not isinstance(applied, str):
        return ""
    try:
        return f" (applied {at(dt.datetime.fromisoformat(applied))})"
    except ValueError:
        return ""


def _moved(before: str, after: str) -> str:
    """'review→listed' for a change of state; '(listed)' for an action that keeps it."""
    return f"({after})" if before == after else f"{before}→{after}"
