"""What a case waits for from people now (待办): each piece of work with who is asked, the
actions that answer it, its clause and when it is due. The read model keeps it, so an officer's
inbox is one query however many cases are open. Pure: asked of the case and its pack.

A piece of work is an action the case could take now (its rules allow it, something is open
for it to act on) that belongs to one of the kinds below (engine rule); what a person may do at
any time (an exit, an order, a withdrawal) is never waiting for them. A deadline a person's
action meets (a report owed, a review due) makes that action waiting work, due when it
closes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from lifecycle.domain.case import Case, CaseDeadline
from lifecycle.domain.days import SHANGHAI
from lifecycle.domain.decide import OpenAction, open_actions
from lifecycle.domain.states import CaseState, Role
from lifecycle.policies.schema import PolicyPack

# The kinds of work, each with the actions that answer it (engine rule), in inbox order.
KINDS: dict[str, tuple[str, ...]] = {
    "application": (
        "begin_review",
        "admit_directly",
        "pass_preliminary",
        "fail_preliminary",
        "publicise",
        "admit",
        "not_select",
    ),
    "expert_review": ("score",),
    "objection": ("dismiss_objection", "uphold_objection"),
    "complaint": ("verify_complaint", "dismiss_complaint"),
    "decision": ("close_decision", "continue_rectification"),
    "rectification": ("submit_rectification", "accept_rectification", "reject_rectification"),
    "partner": ("review_partner", "publicise_partners", "decide_partner"),
    "training": ("review_training", "accept_training", "report_training"),
    "report": (),  # whatever action meets a deadline owed by a person (submit_report, …)
}
PEOPLE = (Role.BUREAU_OFFICER, Role.DISTRICT_OFFICER, Role.EXPERT, Role.PROVIDER)
_KIND_OF = {trigger: kind for kind, triggers in KINDS.items() for trigger in triggers}
# Once scored, a selection waits for the officer; before, for the expert (engine rule).
_AFTER_SCORING = ("publicise", "admit", "not_select")


class WorkItem(BaseModel):
    """One piece of work: ``role`` is asked (a district officer: of the case's district; a
    provider: its own case), ``actions`` answer it, ``due`` is when it closes (None: no
    deadline runs for it), ``ref`` names what it is about (an objection, a decision, a filing)
    when several may be open."""

    kind: str
    role: Role
    actions: list[str]
    clause: str
    due: dt.datetime | None = None
    due_date: dt.date | None = None
    provisional: bool = False
    deadline: str | None = Field(None, description="the deadline it is due by")
    text: str = Field("", description="what the rules say of it (the pack's own words)")
    ref: str | None = None


def items(case: Case, pack: PolicyPack) -> list[WorkItem]:
    """The work the case waits for now, in inbox order (none once it has ended)."""
    if case.terminal:
        return []
    open_now = [a for a in open_actions(case, pack) if _waits(case, pack, a)]
    kinds = {a.trigger: _kind(case, pack, a.trigger) for a in open_now}  # each asked once
    found: list[WorkItem] = []
    for kind in KINDS:
        mine = [a for a in open_now if kinds[a.trigger] == kind]
        for role in PEOPLE:
            answering = [a for a in mine if role in a.roles]
            if answering:
                found.extend(_items(case, pack, kind, role, answering))
    return found


def _kind(case: Case, pack: PolicyPack, trigger: str) -> str | None:
    kind = _KIND_OF.get(trigger)
    if kind is not None:
        return kind
    return "report" if any(d.open and _meets(pack, d, trigger) for d in case.running()) else None


def _meets(pack: PolicyPack, deadline: CaseDeadline, trigger: str) -> bool:
    rule = next((r for r in pack.deadlines if r.name == deadline.name), None)
    return rule is not None and rule.met_by == trigger


def _waits(case: Case, pack: PolicyPack, action: OpenAction) -> bool:
    """Whether an open action is work waiting now (not merely allowed)."""
    if case.state != CaseState.EXPERT_REVIEW or not pack.transition("score"):
        return True
    scored = case.expert_review is not None
    if action.trigger == "score":
        return not scored
    return scored or action.trigger not in _AFTER_SCORING


def _items(
    case: Case, pack: PolicyPack, kind: str, role: Role, answering: list[OpenAction]
) -> list[WorkItem]:
    triggers = [a.trigger for a in answering]
    base = WorkItem(kind=kind, role=role, actions=triggers, clause=answering[0].clause)
    due = _due(case, pack, kind, triggers)
    if due is not None:
        base = base.model_copy(
            update={
                "due": due.closes_at,
                "due_date": due.date,
                "provisional": due.provisional,
                "deadline": due.label or due.name,
            }
        )
    if kind == "decision":
        return [
            base.model_copy(update={"text": d.text, "clause": d.clause, "ref": str(d.id)})
            for d in case.listed.decisions
        ] or [base]
    if kind == "objection":
        return [base.model_copy(update={"ref": str(o.id)}) for o in case.objections if o.open] or [
            base
        ]
    if kind == "training":
        return _filings(case, base, triggers)
    order = case.listed.order
    if kind == "rectification" and order is not None:
        if base.due is None and order.due is not None and role == Role.PROVIDER:
            base = base.model_copy(update={"due_date": order.due, "due": _end_of(order.due)})
        return [base.model_copy(update={"text": order.text, "ref": str(order.id)})]
    return [base]


_FILING_STATUS = {"review_training": "filed", "accept_training": "reviewed"}


def _filings(case: Case, base: WorkItem, triggers: list[str]) -> list[WorkItem]:
    """One item per filing waiting for this role, due by its latest on-time date (the whole
    filing is due then: wenzhou-2021 第十五条(四))."""
    found = []
    for filing in case.listed.filings:
        wanted = [t for t in triggers if _FILING_STATUS.get(t, "accepted") == filing.status]
        if not wanted:
            continue
        latest = filing.latest if filing.status != "accepted" else None
        found.append(
            base.model_copy(
                update={
                    "actions": wanted,
                    "ref": str(filing.id),
                    "text": f"{filing.kind} {filing.event_date}",
                    "due_date": latest,
                    "due": None if latest is None else _end_of(latest),
                    "deadline": None,
                }
            )
        )
    return found


def _end_of(day: dt.date) -> dt.datetime:
    """24:00 of ``day`` in Asia/Shanghai, as an instant."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), SHANGHAI)


def _due(case: Case, pack: PolicyPack, kind: str, triggers: list[str]) -> CaseDeadline | None:
    """The deadline the work is due by: one an answering action meets, else for a review or an
    objection the state's own (the review's due date, the notice's close)."""
    running = [d for d in case.running() if d.open]
    met = [d for d in running if any(_meets(pack, d, t) for t in triggers)]
    if met:
        return met[0]
    if kind in ("application", "expert_review", "objection") and running:
        return running[0]
    return None
