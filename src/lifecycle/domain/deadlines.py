"""Declared deadlines as running instances of a case (pure: the counting itself is done by the
calendar activity, and its results are handed in).

A deadline starts when the case enters one of its states, runs while the case stays in them,
and ends by passing (its ``on_pass`` happens) or by being met (``met_by``). A recurring one
(``every``) starts again for the next period, so the case holds one instance per declaration.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from lifecycle.domain.case import Case, CaseDeadline, ReminderAt
from lifecycle.domain.days import SHANGHAI, Deadline
from lifecycle.domain.plan import Counted, DeadlineRequest, Notification
from lifecycle.domain.states import CaseState
from lifecycle.policies.deadline_rules import DeadlineRule, Period
from lifecycle.policies.schema import PolicyPack, Round


@dataclass(frozen=True)
class Start:
    rule: DeadlineRule
    anchor: dt.date
    period: str | None = None
    days: int | None = None  # another count the starting action gave (working_days_from)

    @property
    def working_days(self) -> int | None:
        return self.days or self.rule.working_days

    def request(self) -> DeadlineRequest | None:
        """What the calendar must count first (None: a calendar date with no reminder counted
        in working days needs no counting)."""
        before = [r.before for r in self.rule.reminders if r.before]
        if self.rule.rule == "date" or self.rule.working_days is None:
            if not before:
                return None
            return DeadlineRequest(
                name=self.rule.name,
                rule="date",
                date=self.anchor,
                working_days=1,
                remind_before=before,
            )
        return DeadlineRequest(
            name=self.rule.name,
            rule=self.rule.rule,
            date=self.anchor,
            working_days=self.working_days,
            opening_day_counts=self.rule.opening_day_counts,
            remind_before=before,
        )

    def instance(self, counted: Counted | None) -> CaseDeadline:
        if counted is None:
            fixed = Deadline(date=self.anchor, provisional=False)
            counted = Counted(date=fixed.date, provisional=False, closes_at=fixed.closes_at())
        rule = self.rule
        return CaseDeadline(
            name=rule.name,
            states=list(rule.states),
            label=rule.label,
            clause=rule.clause,
            length_clause=rule.length_clause,
            date=counted.date,
            closes_at=counted.closes_at,
            provisional=counted.provisional,
            fires=rule.on_pass.action,
            overdue_mark=rule.on_pass.overdue,
            finding=rule.on_pass.finding.id if rule.on_pass.finding else None,
            period=self.period,
            rule=rule.rule,
            opens=self.anchor if rule.rule != "date" else None,
            working_days=self.working_days,
            opening_day_counts=rule.opening_day_counts,
            reminders=_reminders(rule, counted),
        )


def _reminders(rule: DeadlineRule, counted: Counted) -> list[ReminderAt]:
    counted_days = iter(counted.reminders)
    out = []
    for r in rule.reminders:
        if r.passed:
            on, at = counted.date, counted.closes_at
        else:
            on = next(counted_days, counted.date) if r.before else counted.date
            at = dt.datetime.combine(on, dt.time(0), tzinfo=SHANGHAI)
        out.append(ReminderAt(at=at, on=on, role=r.role.value, text=r.text, passed=r.passed))
    return out


def reminders_due(case: Case, now: dt.datetime) -> list[Notification]:
    """Reminders whose time has come (and, for a deadline that passed, its passed ones); each
    is marked sent and returned once, keyed so the outbox keeps it once."""
    out = []
    for held in case.running():
        for n, reminder in enumerate(held.reminders):
            due = held.expired if reminder.passed else (held.open and reminder.at <= now)
            if reminder.sent or not due:
                continue
            reminder.sent = True
            period = f" ({held.period})" if held.period else ""
            key = f"{case.case_id}|{held.name}|{held.period or held.date}|{n}"
            text = f"{held.label or held.name}{period} due {held.date} 24:00: {reminder.text}"
            out.append(
                Notification(
                    key=key, case_id=case.case_id, role=reminder.role, text=text, due=held.date
                )
            )
    return out


def next_reminder(case: Case) -> dt.datetime | None:
    pending = [
        r.at for d in case.running() if d.open for r in d.reminders if not r.sent and not r.passed
    ]
    return min(pending, default=None)


def adopt(held: CaseDeadline, rule: DeadlineRule) -> None:
    """What a running instance does when it passes follows ``rule`` (rules a case moved to)."""
    held.states, held.label, held.clause = list(rule.states), rule.label, rule.clause
    held.length_clause = rule.length_clause
    held.fires, held.overdue_mark = rule.on_pass.action, rule.on_pass.overdue
    held.finding = rule.on_pass.finding.id if rule.on_pass.finding else None


def period_of(day: dt.date, every: Period) -> tuple[str, dt.date]:
    """The label of the period holding ``day`` and its last day."""
    if every == "week":
        year, week, weekday = day.isocalendar()
        return f"{year}-W{week:02d}", day + dt.timedelta(days=7 - weekday)
    if every == "year":
        return str(day.year), dt.date(day.year, 12, 31)
    months = 3 if every == "quarter" else 1
    first_month = (day.month - 1) // months * months + 1
    nxt = dt.date(day.year + (first_month + months > 12), (first_month + months - 1) % 12 + 1, 1)
    label = f"{day.year}-Q{first_month // 3 + 1}" if every == "quarter" else f"{day:%Y-%m}"
    return label, nxt - dt.timedelta(days=1)


def period_start(last: dt.date, every: Period) -> dt.date:
    """The first day of the period ending on ``last``."""
    if every == "week":
        return last - dt.timedelta(days=6)
    if every == "year":
        return dt.date(last.year, 1, 1)
    months = 3 if every == "quarter" else 1
    month = (last.month - 1) // months * months + 1
    return dt.date(last.year, month, 1)


def begun(pack: PolicyPack, held: CaseDeadline, today: dt.date) -> bool:
    """Whether the period a recurring deadline covers has begun (a report for next week cannot
    be handed in this week); a one-off deadline has always begun."""
    rule = pack.deadline(held.name)
    if rule is None or rule.every is None or held.opens is None:
        return True
    return today >= period_start(held.opens, rule.every)


def _anchor(
    rule: DeadlineRule, today: dt.date, rnd: Round, data: dict[str, Any]
) -> tuple[dt.date | None, str | None]:
    kind, _, field = rule.anchor.partition(".")
    if kind == "round":
        return getattr(rnd, field), None
    if kind == "data":
        value = data.get(field)
        try:
            return (dt.date.fromisoformat(value) if isinstance(value, str) else None), None
        except ValueError:
            return None, None
    if kind == "period_end" and rule.every is not None:
        label, last = period_of(today, rule.every)
        return last, label
    return today, None  # entered: the day the state began


def starting(
    pack: PolicyPack,
    case: Case,
    state: CaseState,
    today: dt.date,
    rnd: Round,
    data: dict[str, Any] | None = None,
    trigger: str | None = None,
) -> list[Start]:
    """Deadlines of ``state`` that start now: those not running yet, those the action
    ``trigger`` starts with a date it carries, and those it starts again (``restarted_by``)."""
    out = []
    for rule in pack.deadlines_in(state):
        held = case.deadlines.get(rule.name)
        running = held is not None and state in held.states
        restart = trigger is not None and trigger in rule.restarted_by
        if not restart and (rule.started_by != trigger if rule.started_by else running):
            continue
        anchor, period = _anchor(rule, today, rnd, data or {})
        if anchor is not None:
            out.append(Start(rule, anchor, period, given_days(rule, data or {})))
    return out


MAX_WORKING_DAYS = 366


def given_days(rule: DeadlineRule, data: dict[str, Any]) -> int | None:
    """The count an action gives a deadline that takes one (``working_days_from``): a whole
    number from 1 to 366, else the declared one."""
    if rule.working_days_from is None:
        return None
    value = data.get(rule.working_days_from.partition(".")[2])
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_WORKING_DAYS else None


def renewal(pack: PolicyPack, held: CaseDeadline) -> Start | None:
    """The next period's instance of a recurring deadline that passed or was met."""
    rule = pack.deadline(held.name)
    if rule is None or rule.every is None or held.opens is None:
        return None
    label, last = period_of(held.opens + dt.timedelta(days=1), rule.every)
    return Start(rule, last, label)


def recount(held: CaseDeadline) -> DeadlineRequest | None:
    """The same count again (the calendar for a year it crossed may have been published)."""
    if not held.counts_working_days or held.opens is None or held.working_days is None:
        return None
    return DeadlineRequest(
        name=held.name,
        rule=held.rule,  # type: ignore[arg-type]
        date=held.opens,
        working_days=held.working_days,
        opening_day_counts=held.opening_day_counts,
    )


def keep_running(case: Case) -> None:
    """Drops the instances that do not run in the case's state (bounded state: what is over is
    in the audit trail, not in the case)."""
    case.deadlines = {n: d for n, d in case.deadlines.items() if case.state in d.states}


def due(case: Case, now: dt.datetime) -> list[CaseDeadline]:
    return [d for d in case.running() if d.open and d.closes_at <= now]


def share(case_id: str, spread: int) -> dt.timedelta:
    """How long after a deadline falls due the case applies it (engine rule): its own share of
    the bureau's spread of ``spread`` seconds (LIFECYCLE_DEADLINE_SPREAD), the same for every
    deadline of the case and on every replay, so that many cases' deadlines falling at one
    instant are applied over the window instead of all at once."""
    if spread <= 0:
        return dt.timedelta(0)
    part = int.from_bytes(hashlib.sha256(case_id.encode()).digest()[:4], "big") / 2**32
    return dt.timedelta(milliseconds=round(part * spread * 1000))
