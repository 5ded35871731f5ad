"""What waits for the person signed in (待办), and the cases they may find: from the read model
only, so both answer at once with thousands of cases. Each piece of work says when it is due
as the rules speak of it, and whether it is overdue or due within 3 working days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lifecycle.app import rules
from lifecycle.app.access import list_cases
from lifecycle.app.calendar import calendar
from lifecycle.app.identity import Principal
from lifecycle.app.system import System
from lifecycle.app.views.time import closes
from lifecycle.calendar import SHANGHAI, CalendarError
from lifecycle.domain import evaluations
from lifecycle.domain.states import Role
from lifecycle.domain.work import KINDS
from lifecycle.errors import Invalid, LifecycleError
from lifecycle.store.desk import CaseFilter, Scope, WorkFilter
from lifecycle.store.models import CaseRow, CaseWorkRow, EvaluationRoundRow

SOON = 3  # working days: work due within them is marked (bureau setting)


@dataclass(frozen=True)
class Work:
    case_id: str
    provider: str
    credit_code: str
    policy: str
    district: str
    state: str
    kind: str
    actions: list[str]
    clause: str
    text: str
    ref: str | None
    due: str | None  # "2026-12-08 24:00" (Asia/Shanghai)
    provisional: bool
    deadline: str | None
    overdue: bool
    soon: bool


@dataclass(frozen=True)
class RoundWork:
    round_id: str
    policy: str
    period: str
    asked: str  # "score" or "close"
    providers: int


@dataclass(frozen=True)
class Inbox:
    work: list[Work]
    counts: dict[str, int]
    rounds: list[RoundWork] = field(default_factory=list)
    today: str = ""


def scope_of(who: Principal) -> Scope:
    """Whose lists: the role, bound to its district or its own cases as access says."""
    bound = list_cases(who)
    return Scope(who.role.value, bound["district"], bound["credit_code"])


def inbox(system: System, who: Principal, where: WorkFilter) -> Inbox:
    if where.kind is not None and where.kind not in KINDS:
        raise Invalid(f"kind is '{where.kind[:40]}'; it must be one of {', '.join(KINDS)}.")
    scope = scope_of(who)
    desk = system.store.desk
    now = system.business_now()
    marks = _Marks(now)
    rows = desk.work(scope, where)
    return Inbox(
        work=[_work(w, c, marks) for w, c in rows],
        counts=desk.work_counts(scope, where),
        rounds=_rounds(desk.open_rounds(), who),
        today=now.astimezone(SHANGHAI).date().isoformat(),
    )


def _work(w: CaseWorkRow, c: CaseRow, marks: _Marks) -> Work:
    overdue, soon = marks.of(w.due_at, w.due_date)
    return Work(
        case_id=c.case_id,
        provider=c.provider_name,
        credit_code=c.credit_code,
        policy=c.policy,
        district=c.district,
        state=c.state,
        kind=w.kind,
        actions=list(w.actions),
        clause=w.clause,
        text=w.text,
        ref=w.ref,
        due=closes(w.due_at) if w.due_at else None,
        provisional=w.provisional,
        deadline=w.deadline,
        overdue=overdue,
        soon=soon,
    )


class _Marks:
    """Overdue, or due within SOON working days of today (business time)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        today = now.astimezone(SHANGHAI).date()
        try:
            self.horizon: dt.date | None = calendar().after(today, SOON).date
        except (CalendarError, LifecycleError):  # no calendar: no "soon" marks, no error
            self.horizon = None

    def of(self, due: dt.datetime | None, day: dt.date | None) -> tuple[bool, bool]:
        if due is None:
            return False, False
        if due <= self.now:
            return True, False
        last = day or (due - dt.timedelta(seconds=1)).astimezone(SHANGHAI).date()
        return False, self.horizon is not None and last <= self.horizon


def _rounds(rows: list[EvaluationRoundRow], who: Principal) -> list[RoundWork]:
    found = []
    for r in rows:
        if r.policy not in rules.ids():
            continue
        pack = rules.pack(r.policy)
        if who.role in evaluations.evaluators(pack):
            found.append(RoundWork(r.round_id, r.policy, r.period, "score", r.entrants))
        if who.role in evaluations.CLOSED_BY:
            found.append(RoundWork(r.round_id, r.policy, r.period, "close", r.entrants))
    return found


@dataclass(frozen=True)
class Found:
    cases: list[CaseRow]
    counts: dict[str, int]
    districts: list[str]


def find(system: System, who: Principal, where: CaseFilter) -> Found:
    """Cases the person may read that match, one row a case, and how many of each state."""
    scope = scope_of(who)
    desk = system.store.desk
    return Found(
        cases=desk.cases(scope, where),
        counts=desk.state_counts(scope, where),
        districts=desk.districts(scope) if who.role == Role.BUREAU_OFFICER else [],
    )


def day_end(value: dt.date) -> dt.datetime:
    """24:00 of a day in Asia/Shanghai (a filter 'next deadline before DAY' includes it)."""
    return dt.datetime.combine(value + dt.timedelta(days=1), dt.time(), SHANGHAI)
