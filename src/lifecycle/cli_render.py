"""How `lifecycle case show` prints a case: the workflow's view plus the audit trail from the
store (the case keeps no trail of its own)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle.calendar import SHANGHAI
from lifecycle.cli_render_listed import listed_json, listed_lines, masked_reason
from lifecycle.contracts import CaseView
from lifecycle.store.models import AuditRow, CaseRow


def case_json(view: CaseView, trail: list[AuditRow], texts: bool = False) -> dict[str, Any]:
    c = view.case
    return {
        "case_id": c.case_id,
        "state": c.state.value,
        "policy": c.policy,
        "rules": {"id": view.rules.id, "version": view.rules.version} if view.rules else None,
        "round": c.round,
        "credit_code": c.credit_code,
        "name": c.name,
        "district": c.district,
        "provider_type": c.provider_type,
        "sectors": c.sectors,
        "business_now": view.business_now.astimezone(SHANGHAI).isoformat(),
        "real_time": not rehearsal(view),
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
                "met": d.met,
                "period": d.period,
                "overdue": d.name in view.overdue,
                "clause": d.clause,
            }
            for d in c.running()
        ],
        "findings": [f.model_dump(mode="json") for f in c.findings],
        "objections": [o.model_dump(mode="json") for o in c.objections],
        "expert_review": c.expert_review.model_dump(mode="json") if c.expert_review else None,
        "listed": listed_json(view, trail, texts),
        "actions": view.actions,
        "seq": c.seq,
        "history": [entry_json(r, texts) for r in trail],
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
        "next_deadline": r.next_deadline.isoformat() if r.next_deadline else None,
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


def case_text(view: CaseView, trail: list[AuditRow], texts: bool = False) -> str:
    c = view.case
    rules = f"   rules {view.rules}" if view.rules else ""
    lines = [
        f"{c.case_id}",
        f"  {c.name} ({c.credit_code}), {c.district}{rules}",
        f"  state: {c.state.value}   last change: #{c.seq}   "
        f"actions now: {', '.join(view.actions) or 'none'}",
        f"  business time now: {at(view.business_now)} (Asia/Shanghai){rehearsal(view)}",
    ]
    lines += [f"  WAITING: {problem}" for problem in view.trouble]
    if view.unrecorded:
        lines.append(f"  {view.unrecorded} change(s) are not in the store yet (it will catch up)")
    for d in c.running():
        flags = [
            f
            for f, on in (
                ("provisional", d.provisional),
                ("passed", d.expired),
                ("met", d.met),
                ("OVERDUE", d.name in view.overdue),
            )
            if on
        ]
        period = f" [{d.period}]" if d.period else ""
        lines.append(
            f"  deadline {d.name}{period}: {d.date} 24:00"
            + (f" ({', '.join(flags)})" if flags else "")
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
    lines += listed_lines(view, trail, texts)
    lines.append("  history:")
    lines += [f"    {line}" for line in history_lines(trail, texts)]
    return "\n".join(lines)


def rehearsal(view: CaseView) -> str:
    """A note when the case's business time is not the real time (a rehearsal clock)."""
    real = dt.datetime.now(dt.UTC)
    if abs(view.business_now - real) < dt.timedelta(minutes=2):
        return ""
    return f", NOT real time (real time {at(real)})"


def history_lines(rows: list[AuditRow], texts: bool = False) -> list[str]:
    return [
        f"#{r.seq} {at(r.at)} {r.actor_role}:{r.actor_id} {r.action} "
        f"{_moved(r.from_state, r.to_state)} [{r.clause or '-'}] {masked_reason(r, texts)}".rstrip()
        for r in rows
    ]


def _moved(before: str, after: str) -> str:
    """'review→listed' for a change of state; '(listed)' for an action that keeps it."""
    return f"({after})" if before == after else f"{before}→{after}"


def closes(instant: dt.datetime) -> str:
    """A deadline as every screen shows it: its last day, '24:00' (Asia/Shanghai)."""
    local = instant.astimezone(SHANGHAI)
    if local.time() == dt.time(0):
        return f"{(local - dt.timedelta(days=1)).date()} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"


def at(value: dt.datetime) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
