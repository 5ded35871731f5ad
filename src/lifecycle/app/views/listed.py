"""What `lifecycle case show` prints about a listed provider's years: quota use, services,
training filings, complaints, reports, a change, partners and open decisions. What is open comes
from the case; what is over (services recorded, filings concluded) from the audit trail. A
complaint's text is the enterprise's business: shown only when an officer asks for it."""

from __future__ import annotations

from typing import Any

from lifecycle.contracts import CaseView
from lifecycle.policies import REGISTRY
from lifecycle.store.models import AuditRow

TEXT_HIDDEN = "(complaint text: an officer sees it with --texts)"
SERVICES_SHOWN = 20


def listed_json(view: CaseView, trail: list[AuditRow], texts: bool) -> dict[str, Any]:
    listed = view.case.listed
    quota = listed.quota
    return {
        "quota": (
            {
                "year": quota.year,
                "diagnosis_cap": quota.diagnosis_cap,
                "design_cap": quota.design_cap,
                "used": quota.used,
                "parts": [p.model_dump() for p in quota.parts],
            }
            if quota
            else None
        ),
        "purchase_barred_year": listed.purchase_barred_year,
        "services": [{"seq": r.seq, **(r.data or {})} for r in _rows(trail, "record_service")],
        "filings": [f.model_dump(mode="json") for f in listed.filings],
        "filings_concluded": [
            {"seq": r.seq, **(r.data or {})}
            for r in _rows(trail, "report_training")
            + [r for r in _rows(trail, "review_training") if not (r.data or {}).get("approved")]
        ],
        "complaints": [
            {
                "id": c.id,
                "enterprise": c.enterprise,
                "event_id": c.event_id,
                **({"text": c.text} if texts else {}),
            }
            for c in listed.complaints
        ],
        "complaints_verified": listed.verified,
        "reports": _reports(view),
        "reports_submitted": [
            {"seq": r.seq, **(r.data or {})} for r in _rows(trail, "submit_report")
        ],
        "change": listed.change.model_dump(mode="json") if listed.change else None,
        "partners": [p.model_dump() for p in listed.partners.values()],
        "decisions": [d.model_dump(mode="json") for d in listed.decisions],
        "rectification_order": listed.order.model_dump(mode="json") if listed.order else None,
        "evaluations": listed.evaluations.model_dump(mode="json"),
        "evaluations_recorded": [
            {"seq": r.seq, **(r.data or {})} for r in _rows(trail, "record_evaluation")
        ],
    }


def listed_lines(view: CaseView, trail: list[AuditRow], texts: bool) -> list[str]:
    listed, lines = view.case.listed, []
    quota = listed.quota
    if quota:
        use = ", ".join(
            f"{cap} {quota.used.get(cap, 0)} of {quota.cap(cap)}" for cap in ("diagnosis", "design")
        )
        parts = "; ".join(f"{p.rule} ({p.clause}) {p.amount}" for p in quota.parts)
        lines.append(f"  quota {quota.year}: {use}  [{parts}]")
    if listed.purchase_barred_year:
        lines.append(
            f"  purchased services barred for {listed.purchase_barred_year} (plagiarism decided)"
        )
    services = _rows(trail, "record_service")
    if services:
        lines.append(f"  services recorded: {len(services)}")
        for r in services[-SERVICES_SHOWN:]:
            d = r.data or {}
            bought = " purchased" if d.get("purchased") else ""
            lines.append(
                f"    #{r.seq} {d.get('date')} {d.get('kind')}{bought} for {d.get('enterprise')} "
                f"({d.get('district')})"
            )
    for f in listed.filings:
        lines.append(
            f"  filing {f.id}: {f.kind} on {f.event_date} ({f.days:g} day, {f.participants} "
            f"expected; latest on-time filing {f.latest}) [{f.status}]"
        )
    for r in _rows(trail, "review_training"):
        d = r.data or {}
        if not d.get("approved"):
            lines.append(f"  filing {d.get('filing')}: refused by the district (#{r.seq})")
    for r in _rows(trail, "report_training"):
        d = r.data or {}
        paid = "subsidy payable" if d.get("subsidy_payable") else "subsidy NOT payable"
        lines.append(
            f"  filing {d.get('filing')}: held {d.get('event_date')}, attendance "
            f"{d.get('attendance')}, satisfaction {d.get('satisfaction')}% — {paid} (#{r.seq})"
        )
    for c in listed.complaints:
        said = f": {c.text}" if texts else f" {TEXT_HIDDEN}"
        lines.append(f"  complaint {c.id} from {c.enterprise} [to verify]{said}")
    if listed.verified:
        by = ", ".join(f"{e} ×{n}" for e, n in sorted(listed.verified.items()))
        lines.append(f"  complaints verified: {sum(listed.verified.values())} ({by})")
    for report in _reports(view):
        state = "LATE" if report["late"] else "met" if report["met"] else "due"
        lines.append(
            f"  report {report['name']}{_period(report['period'])}: due {report['due']} [{state}]"
        )
    for r in _rows(trail, "submit_report")[-SERVICES_SHOWN:]:
        d = r.data or {}
        late = " LATE" if d.get("late") else ""
        lines.append(f"    #{r.seq} {d.get('deadline')}{_period(d.get('period'))} submitted{late}")
    change = listed.change
    if change:
        name = f" to '{change.name}'" if change.name else ""
        whose = f" of partner {change.partner}" if change.partner else ""
        lines.append(
            f"  change{whose}: {', '.join(change.kinds)}{name}, reported {change.reported}, "
            f"effective {change.effective}"
        )
    for p in listed.partners.values():
        lines.append(f"  partner {p.code} {p.name} [{p.status}]")
    order = listed.order
    if order:
        submitted = f"; submitted {order.submitted}, for the bureau" if order.submitted else ""
        again = f"; continued {order.continued}×" if order.continued else ""
        lines.append(
            f"  RECTIFICATION ORDER {order.id} ({order.clause}) since {order.ordered}: "
            f"{order.text}; due {order.due or '-'} 24:00{again}{submitted}"
        )
    for r in _rows(trail, "record_evaluation")[-SERVICES_SHOWN:]:
        d = r.data or {}
        what = (
            "did not take part" if d.get("missed") else f"{d.get('total')} points, {d.get('grade')}"
        )
        reward = f", reward {d['reward_cny']:,} CNY" if d.get("reward_cny") else ""
        lines.append(f"  evaluation {d.get('period')}: {what}{reward} (#{r.seq})")
    for decision in listed.decisions:
        lines.append(
            f"  DECISION {decision.id} open since {decision.opened} ({decision.clause}): "
            f"{decision.text}"
        )
    return lines


def masked_reason(row: AuditRow, texts: bool) -> str:
    """The reason as the history shows it: a complaint's text only to an officer who asks."""
    return row.reason if texts or row.action != "complain" else TEXT_HIDDEN


def _rows(trail: list[AuditRow], action: str) -> list[AuditRow]:
    return [r for r in trail if r.action == action]


def _period(period: str | None) -> str:
    return f" [{period}]" if period else ""


def _reports(view: CaseView) -> list[dict[str, Any]]:
    """The reports the case watches now: each declared deadline a report meets."""
    if view.rules is None:
        return []
    pack = REGISTRY.get(view.rules)
    reports = {d.name for d in pack.deadlines if d.met_by == "submit_report"}
    return [
        {
            "name": d.name,
            "period": d.period,
            "due": d.date.isoformat(),
            "met": d.met,
            "late": d.name in view.overdue or (d.expired and not d.met),
            "clause": d.clause,
        }
        for d in view.case.running()
        if d.name in reports
    ]
