"""What a case shows outside itself: the read model's projection, the Web UI's current details
and the search attributes staff filter by."""

from __future__ import annotations

import datetime as dt
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

from workflows.versions import follows

with workflow.unsafe.imports_passed_through():
    from lifecycle.calendar import SHANGHAI
    from lifecycle.clock import DAY
    from lifecycle.contracts.activities import CaseSnapshot, SnapshotDeadline
    from lifecycle.contracts.case import CaseStart
    from lifecycle.domain import work
    from lifecycle.domain.case import Case
    from lifecycle.policies.schema import PolicyPack
    from lifecycle.policies.versions import PackRef
    from lifecycle.temporal import search_attributes as attrs

# A change made safe for running cases: search attributes are upserted only when they change.
QUIET_ATTRIBUTES = "quiet-attributes"


def snapshot(
    case: Case,
    start: CaseStart,
    rules: PackRef | None,
    now: dt.datetime,
    pack: PolicyPack | None = None,
) -> CaseSnapshot:
    nxt = case.next_deadline()
    return CaseSnapshot(
        case_id=case.case_id,
        policy=case.policy,
        round=case.round,
        credit_code=case.credit_code,
        provider_name=case.name,
        district=case.district,
        parent_credit_code=start.application.parent_credit_code,
        provider_type=case.provider_type,
        sectors=case.sectors,
        state=case.state.value,
        rules_version=rules.version if rules else None,
        pending_decision=case.listed.decisions[0].text if case.listed.decisions else None,
        next_deadline=nxt.closes_at if nxt else None,
        next_deadline_provisional=nxt.provisional if nxt else False,
        deadlines=[
            SnapshotDeadline(
                name=d.name,
                date=d.date,
                closes_at=d.closes_at,
                provisional=d.provisional,
                first_year=min(d.opens or d.date, d.date).year,
                last_year=max(d.opens or d.date, d.date).year,
            )
            for d in case.running()
            if d.open
        ],
        work=work.items(case, pack) if pack is not None else [],
        last_seq=case.seq,
        updated_at=now,
    )


def show(
    case: Case,
    rules: PackRef | None,
    start: CaseStart,
    trouble: dict[str, str],
    unrecorded: int,
    now: dt.datetime | None = None,
) -> None:
    nxt = case.next_deadline()
    renamed = case.name != start.application.name
    if start.indexed:
        updates: list[SearchAttributeUpdate[Any]] = [
            attrs.CASE_STATE.value_set(case.state.value),
            attrs.NEXT_DEADLINE.value_set(nxt.closes_at)
            if nxt
            else attrs.NEXT_DEADLINE.value_unset(),
        ]
        if renamed:  # the provider's name from the day its change took effect
            updates.append(attrs.PROVIDER_NAME.value_set(case.name))
        if follows(QUIET_ATTRIBUTES):
            held = workflow.info().typed_search_attributes
            updates = [u for u in updates if held.get(u.key) != u.value]
        if updates:
            workflow.upsert_search_attributes(updates)
    lines = [f"**{case.state.value}** · {case.policy} round {case.round}"]
    if renamed:
        lines[0] = f"**{case.name}** (formerly {start.application.name}) · " + lines[0]
    if rules is not None:
        lines[0] += f" · rules {rules.version}"
    lines.append(f"Provider {case.name} ({case.credit_code}), district {case.district}")
    for problem in trouble.values():
        lines.append(f"⚠ Waiting: {problem}")
    if unrecorded:
        lines.append(f"⚠ {unrecorded} change(s) wait to be recorded in the store")
    if nxt:
        flag = " (provisional)" if nxt.provisional else ""
        lines.append(f"Next deadline: {nxt.name} {nxt.date} 24:00{flag}")
    if case.overdue():
        lines.append("Overdue: " + ", ".join(case.overdue()))
    if case.open_objections:
        lines.append(f"Open objections: {case.open_objections}")
    if case.open_findings:
        lines.append(f"Open findings: {case.open_findings}")
    order = case.listed.order
    if order is not None:
        submitted = f"; submitted {order.submitted}" if order.submitted else ""
        lines.append(
            f"Rectification order ({order.clause}): {order.text}; due {order.due} 24:00{submitted}"
        )
    for decision in case.listed.decisions:
        lines.append(f"Decision waiting for an officer: {decision.text} ({decision.clause})")
    due = [d for d in case.running() if d.open][1:3]
    if due:
        lines.append("Then due: " + ", ".join(f"{d.label or d.name} {d.date}" for d in due))
    clock = start.clock
    if now is not None and (clock.day_seconds != DAY or clock.start is not None):
        lines.append(
            f"⏱ Not real time: {clock.describe()}; business date {business_date(now)} at the "
            "last change"
        )
    workflow.set_current_details("\n\n".join(lines))


def business_date(now: dt.datetime) -> dt.date:
    return now.astimezone(SHANGHAI).date()
