"""A case on a desk, with no server: the engine's own pure steps, in the order the workflow
takes them. Each action is judged, what it needs from outside is obtained as the activities
would obtain it (working days counted by the real calendar; a place, a claim or a bureau
setting given as the store would answer), judged again with it, and applied. Business time
moves only when a test says so, and then the deadlines due pass as the workflow passes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifecycle.calendar import SHANGHAI, Deadline, WorkingCalendar
from lifecycle.domain import admissible, deadlines, decide
from lifecycle.domain.actors import Actor
from lifecycle.domain.application import Application, findings
from lifecycle.domain.case import Action, AuditEntry, Case
from lifecycle.domain.credit_code import complete
from lifecycle.domain.listed import ListedRecord
from lifecycle.domain.phases.partners import opening
from lifecycle.domain.plan import ClaimResult, Counted, DeadlineRequest, Obtained, SlotResult
from lifecycle.domain.states import CaseState
from lifecycle.policies import load_pack
from lifecycle.policies.schema import Round

CALENDAR = WorkingCalendar()  # the State Council's notices as packaged, no bureau file
OFFICER = "bureau_officer:li"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SHANGHAI)


def count(request: DeadlineRequest) -> Counted:
    """A deadline counted as the calendar activity counts it."""
    deadline = {
        "window": lambda: CALENDAR.window_close(
            request.date, request.working_days, opening_day_counts=request.opening_day_counts
        ),
        "after": lambda: CALENDAR.after(request.date, request.working_days),
        "before": lambda: CALENDAR.latest_before(request.date, request.working_days),
        "date": lambda: Deadline(date=request.date, provisional=False),
    }[request.rule]()
    reminders = [CALENDAR.latest_before(deadline.date, n) for n in request.remind_before]
    return Counted(
        date=deadline.date,
        provisional=deadline.provisional,
        closes_at=deadline.closes_at(),
        reminders=[r.date for r in reminders],
    )


class Refused(Exception):
    pass


class Waits(Exception):
    """What the action needs is not there yet (a bureau setting): the workflow would wait."""


class Desk:
    """One case of ``policy`` in ``state`` on business day ``day``."""

    def __init__(
        self,
        policy: str,
        state: CaseState = CaseState.LISTED,
        day: str = "2026-03-02",
        **fields: Any,
    ) -> None:
        self.pack = load_pack(policy)
        self.now = at(day)
        self.round = Round()
        app = Application(
            **{
                "name": "甲科技",
                "credit_code": complete("91330300MA2AW0001"),
                "district": "鹿城区",
                "credit_report": "r",
                **fields,
            }
        )
        self.case = Case(
            case_id=f"case:{policy}:r:{app.credit_code}",
            policy=policy,
            round="r",
            credit_code=app.credit_code,
            name=app.name,
            district=app.district,
            provider_type=app.provider_type,
            sectors=app.sectors,
            state=state,
            entered_on=self.now.date(),
            findings=findings(self.pack, app),
            listed=ListedRecord(partners=opening(app.ecosystem_partners)),
        )
        self.provider = f"provider:{app.credit_code}"
        self.notices: list[Any] = []
        self.settings: dict[str, Any] = {}  # the bureau's settings of the programme
        self.waiting: list[str] = []
        self.start_deadlines()

    # --- acting -------------------------------------------------------------------------------

    def action(self, trigger: str, actor: str, why: str = "", /, **data: Any) -> Action:
        """``why`` is the action's reason (--reason); ``data`` its --data."""
        return Action(trigger=trigger, actor=Actor.parse(actor), reason=why, data=data, at=self.now)

    def act(
        self,
        trigger: str,
        actor: str,
        why: str = "",
        /,
        *,
        granted: bool = True,
        held_by: str | None = None,
        settings: dict[str, Any] | None = None,
        **data: Any,
    ) -> AuditEntry:
        """Applies the action as the workflow does, or raises Refused with its sentence.
        ``granted``: whether a place under a shared cap is free; ``held_by``: another kind of
        engagement already claimed for the same enterprise; ``settings``: the bureau's, beside
        ``self.settings``."""
        action = self.action(trigger, actor, why, **data)
        gate = admissible.refusal(self.case, self.pack, action, self.now)  # the engine's gate
        if gate:
            raise Refused(gate)
        return self.decide(action, granted, held_by, settings)

    def decide(
        self,
        action: Action,
        granted: bool = True,
        held_by: str | None = None,
        settings: dict[str, Any] | None = None,
    ) -> AuditEntry:
        verdict = decide.judge(self.case, self.pack, action)
        if verdict.refusal:
            raise Refused(verdict.refusal)
        plan = decide.plan(self.case, self.pack, action, self.now, self.round, verdict)
        known = {**self.settings, **(settings or {})}
        missing = [k for k in plan.settings if k not in known]
        if missing:
            raise Waits(f"{missing[0]} is not set")
        obtained = Obtained(
            counted={r.name: count(r) for r in plan.deadlines},
            slot=(
                SlotResult(
                    granted=granted,
                    held=0 if granted else plan.reservation.capacity,
                    capacity=plan.reservation.capacity,
                    what=next(iter(plan.reservation.pools.values())),
                    clause=plan.reservation.clause,
                )
                if plan.reservation
                else None
            ),
            claims={
                c.key: ClaimResult(granted=held_by is None, held_by=held_by) for c in plan.claims
            },
            settings={k: known[k] for k in plan.settings},
        )
        action = action.model_copy(
            update={
                "slot": obtained.slot,
                "counted": obtained.counted,
                "claims": obtained.claims,
                "settings": obtained.settings,
            }
        )
        verdict = decide.judge(self.case, self.pack, action)
        if verdict.refusal:
            raise Refused(verdict.refusal)
        return decide.apply(self.case, self.pack, action, obtained, self.now, self.round, verdict)

    # --- business time ------------------------------------------------------------------------

    def start_deadlines(self) -> None:
        """The state's deadlines that are not running yet, and renewals of recurring ones."""
        today = self.now.astimezone(SHANGHAI).date()
        starts = deadlines.starting(self.pack, self.case, self.case.state, today, self.round)
        starts += [
            s
            for d in self.case.running()
            if not d.open and (s := deadlines.renewal(self.pack, d)) is not None
        ]
        for start in starts:
            request = start.request()
            self.case.deadlines[start.rule.name] = start.instance(
                count(request) if request else None
            )

    def on(self, day: str, hour: int = 10) -> list[AuditEntry]:
        """Business time moves to ``day``: what is due passes, and the system acts as it must."""
        self.now = at(day, hour)
        entries: list[AuditEntry] = []
        self.notices += deadlines.reminders_due(self.case, self.now)
        for held in deadlines.due(self.case, self.now):
            entries += decide.pass_deadline(self.case, self.pack, held, self.now)
        self.waiting = []
        for follow_up in decide.follow_ups(self.case, self.now):
            if decide.judge(self.case, self.pack, follow_up).allowed:
                try:
                    entries.append(self.decide(follow_up))
                except Waits as exc:
                    self.waiting.append(f"{follow_up.trigger}: {exc}")
        self.start_deadlines()
        return entries

    @property
    def open_actions(self) -> list[str]:
        return [a.trigger for a in decide.open_actions(self.case, self.pack)]
