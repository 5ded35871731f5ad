"""One provider's case (DOMAIN.md §4): a durable workflow that lives as long as the case.

People's decisions arrive as Updates (validated before anything reaches history), other systems'
events and calendar changes as Signals (de-duplicated by event id), reads as the ``view`` Query.
Every rule is asked of :mod:`lifecycle.domain`; the pipeline is :mod:`workflows.core`. The case
continues as new before its history grows large, carrying the same small state at any age.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from lifecycle.contracts.case import (
        ACT,
        CALENDAR_CHANGED,
        EVENT,
        HISTORY_BYTES,
        MOVE_RULES,
        RECENT_EVENTS,
        VIEW,
        WORKFLOW,
        ActRequest,
        ActResult,
        CalendarNotice,
        Carried,
        CaseOutcome,
        CaseStart,
        CaseView,
        ExternalEvent,
        MoveRequest,
    )
    from lifecycle.domain import decide, engine
    from lifecycle.domain.actors import Actor, ActorError
    from lifecycle.domain.application import findings
    from lifecycle.domain.case import Action, Case
    from lifecycle.domain.machine import CaseMachine
    from lifecycle.domain.states import Role
    from lifecycle.policies.registry import REGISTRY, UnknownVersion
    from lifecycle.policies.schema import PolicyPack
    from lifecycle.policies.versions import PackRef

from workflows import calls, display
from workflows.core import CORE_V2, CaseRun, Refused
from workflows.rules import carried_rules, rules_of


@workflow.defn(name=WORKFLOW)
class CaseWorkflow:
    @workflow.init
    def __init__(self, start: CaseStart) -> None:
        rules, pack = rules_of(start)
        clock = start.clock.anchored(workflow.info().start_time)
        case = start.carried.case if start.carried else _opened(start, pack)
        self.start = start
        self.core = CaseRun(start, case, rules, pack, clock)
        self.lock = asyncio.Lock()
        self.changed = False
        if start.carried is None:
            self._applied()

    def _applied(self) -> None:
        core = self.core
        core.case.entered_on = decide.today(core.now())
        action = Action(
            trigger="apply",
            actor=Actor(role=Role.PROVIDER, id=core.case.credit_code),
            reason="application received (申报)",
        )
        data = {"findings": [f.id for f in core.case.findings]}
        clause = core.pack.admission.required_fields_clause
        core.outbox.append(
            decide.record(core.case, action, core.case.state, clause, data, core.now())
        )

    # --- the life of the case ----------------------------------------------------------------

    @workflow.run
    async def run(self, start: CaseStart) -> CaseOutcome:
        async with self.lock:
            await self.core.catch_up()
            self._show()
        while not (self.core.case.terminal and self.core.settled):
            self.changed = False
            if not await self._sleep():
                async with self.lock:
                    await self._on_time()
            if self._history_full():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._carried())
        await workflow.wait_condition(workflow.all_handlers_finished)
        return CaseOutcome(case=self.core.case, rules=self.core.rules)

    async def _sleep(self) -> bool:
        """Waits for a change, the next deadline or the next retry of what waits; True when
        something changed first."""
        core = self.core
        nxt = core.case.next_deadline()
        waiting = core.retry_at is not None
        if nxt is not None and waiting and nxt.closes_at <= core.now():
            nxt = None  # due, but held by what the case waits on: the retry wakes it
        delays = []
        if nxt is not None:
            delays.append(core.clock.real_delay(nxt.closes_at, workflow.now()))
        if core.retry_at is not None:
            delays.append(max(core.retry_at - workflow.now(), dt.timedelta(0)))
        if not delays:
            await workflow.wait_condition(lambda: self.changed)
            return True
        delay = min(delays)
        if delay <= dt.timedelta(0):
            return False
        summary = "retry what the case waits on"
        if nxt is not None and delay < dt.timedelta.max and delays[0] == delay:
            flag = " (provisional)" if nxt.provisional else ""
            summary = f"{nxt.name}: {nxt.date} 24:00 Asia/Shanghai{flag}"
        try:
            await workflow.wait_condition(
                lambda: self.changed, timeout=delay, timeout_summary=summary
            )
        except TimeoutError:
            return False
        return True

    async def _on_time(self) -> None:
        core = self.core
        if not core.settled:
            await core.catch_up()
        await core.pass_due()
        await core.ensure_running()
        await core.follow_ups()
        await core.flush(projection=workflow.patched(CORE_V2))
        self._show()

    def _history_full(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self.start.history_budget
            or info.get_current_history_size() >= HISTORY_BYTES
        )

    def _carried(self) -> CaseStart:
        core = self.core
        carried = Carried(
            case=core.case,
            recent_events=core.recent[-RECENT_EVENTS:],
            events=core.events,
            outbox=core.outbox,
            release=core.release,
            run=(self.start.carried.run if self.start.carried else 1) + 1,
        )
        return self.start.model_copy(
            update={
                "carried": carried,
                "clock": core.clock,
                **carried_rules(self.start, core.rules),
            }
        )

    # --- people's decisions ------------------------------------------------------------------

    @workflow.update(name=ACT)
    async def act(self, request: ActRequest) -> ActResult:
        async with self.lock:
            action = _action(request)
            try:
                await self.core.decide(action)
            except Refused as exc:
                raise ApplicationError(str(exc), type="Refused", non_retryable=True) from None
            except calls.Unavailable as exc:
                raise ApplicationError(
                    exc.refusal(action.trigger), type="Unavailable", non_retryable=True
                ) from None
            return await self._settle()

    @act.validator
    def _validate_act(self, request: ActRequest) -> None:
        reason = decide.refusal(self.core.case, self.core.pack, _action(request))
        if reason:
            raise ValueError(reason)

    @workflow.update(name=MOVE_RULES)
    async def move_rules(self, request: MoveRequest) -> ActResult:
        """Moves the case to another version of its programme's rules (audited: who, why,
        from which version to which); the case keeps its state and its deadlines' dates."""
        async with self.lock:
            target, new, action = self._move(request)
            core = self.core
            try:
                obtained = await core.obtain(
                    engine.move_plan(core.case, new, core.now(), self.start.round)
                )
            except calls.Unavailable as exc:
                raise ApplicationError(
                    exc.refusal(engine.MOVE), type="Unavailable", non_retryable=True
                ) from None
            case = core.case.model_copy(deep=True)
            entry = engine.move(
                case, new, action, obtained, core.now(), self.start.round, core.rules, target
            )
            core.commit(case, [entry])
            core.rules, core.pack = target, new
            return await self._settle()

    @move_rules.validator
    def _validate_move(self, request: MoveRequest) -> None:
        self._move(request)

    def _move(self, request: MoveRequest) -> tuple[PackRef, PolicyPack, Action]:
        core = self.core
        try:
            target = PackRef(id=core.rules.id, version=request.version)
            new = REGISTRY.get(target)
        except (ValueError, UnknownVersion):
            raise ValueError(
                f"version '{request.version}' is not a version of {core.rules.id} this worker "
                f"serves; 'lifecycle policy versions {core.rules.id}' lists them."
            ) from None
        action = _action(ActRequest(action=engine.MOVE, actor=request.actor, reason=request.reason))
        reason = engine.move_refusal(core.case, action, core.rules, target, new)
        if reason:
            raise ValueError(reason)
        return target, new, action

    async def _settle(self) -> ActResult:
        await self.core.follow_ups()
        recorded = await self.core.flush()
        self._show()
        self.changed = True
        return ActResult(state=self.core.case.state, seq=self.core.case.seq, recorded=recorded)

    # --- other systems' events ---------------------------------------------------------------

    @workflow.signal(name=EVENT)
    async def event(self, event: ExternalEvent) -> None:
        async with self.lock:
            try:
                await self._event(event)
            except Exception as exc:  # a signal has no caller, and must never fail the case
                workflow.logger.warning(
                    "event not applied", extra={"event_id": event.event_id, "reason": str(exc)}
                )
            self.changed = True

    async def _event(self, event: ExternalEvent) -> None:
        core = self.core
        if event.event_id in core.recent or any(e.event_id == event.event_id for e in core.outbox):
            workflow.logger.info("event already applied", extra={"event_id": event.event_id})
            return
        action = _action(event)
        reason = decide.refusal(core.case, core.pack, action)
        if reason:
            raise Refused(reason)
        if core.may_have_forgotten() and await calls.seen(core.case.case_id, event.event_id):
            workflow.logger.info("event already applied", extra={"event_id": event.event_id})
            return
        await core.decide(action)
        core.remember(event.event_id)
        await self._settle()

    @workflow.signal(name=CALENDAR_CHANGED)
    async def calendar_changed(self, notice: CalendarNotice) -> None:
        async with self.lock:
            core = self.core
            if notice.event_id not in core.recent:
                core.remember(notice.event_id)
                await core.recount_year(notice.year, notice.notice)
                await core.flush(projection=True)
                core.retry_now()  # what waited on the calendar may go on now
                self._show()
            self.changed = True

    # --- reads and display ---------------------------------------------------------------------

    @workflow.query(name=VIEW)
    def view(self) -> CaseView:
        core = self.core
        return CaseView(
            case=core.case,
            rules=core.rules,
            business_now=core.now(),
            overdue=core.case.overdue(),
            actions=CaseMachine(core.pack, core.case.state).actions(),
            trouble=list(core.trouble.values()),
            unrecorded=len(core.outbox),
            run=self.start.carried.run if self.start.carried else 1,
        )

    def _show(self) -> None:
        core = self.core
        display.show(core.case, core.rules, self.start.indexed, core.trouble, len(core.outbox))


def _opened(start: CaseStart, pack: PolicyPack) -> Case:
    app = start.application
    return Case(
        case_id=start.case_id,
        policy=pack.id,
        round=start.round_name,
        credit_code=app.credit_code,
        name=app.name,
        district=app.district,
        parent_credit_code=app.parent_credit_code,
        provider_type=app.provider_type,
        sectors=app.sectors,
        state=pack.initial,
        findings=findings(pack, app),
    )


def _action(request: ActRequest) -> Action:
    try:
        actor = Actor.parse(request.actor)
    except ActorError as exc:
        raise ApplicationError(str(exc), type="Refused", non_retryable=True) from exc
    return Action(
        trigger=request.action,
        actor=actor,
        reason=request.reason,
        clause=request.clause,
        data=request.data,
        event_id=getattr(request, "event_id", None),
    )
