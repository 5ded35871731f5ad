"""One provider's case (DOMAIN.md §4): a durable workflow that lives as long as the case.

People's decisions arrive as the ``act`` Update (validated before anything reaches history),
other systems' events as the ``event`` Signal (de-duplicated by event id), reads as the ``view``
Query. Every rule is asked of :mod:`lifecycle.domain.decide`; deadlines come from the calendar
activity and are stored in the case; timers wait on the stored instants.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.calendar import DeadlineInput, DeadlineResult
    from activities.store import RecordInput, RecordResult, SelectionCount
    from lifecycle.calendar import SHANGHAI
    from lifecycle.domain import decide
    from lifecycle.domain.application import Application, findings
    from lifecycle.domain.case import Action, Actor, ActorError, AuditEntry, Case, CaseDeadline
    from lifecycle.domain.machine import CaseMachine
    from lifecycle.domain.states import CaseState, Role
    from lifecycle.policies.schema import PolicyPack, Round
    from lifecycle.store.repo import CaseSnapshot
    from lifecycle.temporal import search_attributes as attrs

RECOMPUTE_PROVISIONAL = "recompute-provisional-deadlines"
TIMEOUT = dt.timedelta(seconds=30)
RETRY = RetryPolicy(maximum_interval=dt.timedelta(seconds=30))


class CaseStart(BaseModel):
    """What a case starts from. The pack travels with the case, so a running case keeps the
    rules it was opened under; the application comes first, as staff read it in the Web UI."""

    case_id: str
    application: Application
    round_name: str
    round: Round
    day_seconds: int = Field(86400, ge=1)
    indexed: bool = Field(True, description="keep the custom search attributes up to date")
    business_origin: dt.datetime | None = Field(
        None, description="business time at the start (default: the server's clock)"
    )
    pack: PolicyPack
    # Carried across continue-as-new.
    case: Case | None = None
    clock_origin: dt.datetime | None = None


class ActRequest(BaseModel):
    action: str
    actor: str
    reason: str = ""
    clause: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class ExternalEvent(ActRequest):
    event_id: str = Field(min_length=1)


class ActResult(BaseModel):
    state: CaseState
    seq: int


class CaseView(BaseModel):
    case: Case
    business_now: dt.datetime
    overdue: list[str]
    actions: list[str]


@workflow.defn(name="CaseWorkflow")
class CaseWorkflow:
    @workflow.init
    def __init__(self, start: CaseStart) -> None:
        self.start = start
        self.pack = start.pack
        self.factor = 86400 / start.day_seconds
        self.origin = start.clock_origin or workflow.info().start_time
        self.business_origin = start.business_origin or self.origin
        app = start.application
        self.case = start.case or Case(
            case_id=start.case_id,
            policy=self.pack.id,
            round=start.round_name,
            credit_code=app.credit_code,
            name=app.name,
            district=app.district,
            provider_type=app.provider_type,
            sectors=app.sectors,
            state=self.pack.initial,
            findings=findings(self.pack, app),
        )
        self.lock = asyncio.Lock()
        self.pending: list[AuditEntry] = []
        self.changed = False
        if not self.case.history:
            entry = self._application_entry()
            self.case.history.append(entry)
            self.pending.append(entry)

    # --- time: business time runs `factor` times faster than the server's clock -------------

    def now(self) -> dt.datetime:
        return self.business_origin + (workflow.now() - self.origin) * self.factor

    def real_delay(self, instant: dt.datetime) -> dt.timedelta:
        return max((instant - self.now()) / self.factor, dt.timedelta(0))

    # --- the life of the case ----------------------------------------------------------------

    @workflow.run
    async def run(self, start: CaseStart) -> Case:
        async with self.lock:
            await self._settle()
        while not self.case.terminal:
            deadline = self.case.next_deadline()
            self.changed = False
            if deadline is None:
                await workflow.wait_condition(lambda: self.changed)
            elif not await self._wait_for(deadline):
                async with self.lock:
                    if self.case.next_deadline() != deadline:
                        continue
                    if (
                        deadline.provisional
                        and workflow.patched(RECOMPUTE_PROVISIONAL)
                        and await self._moved_later(deadline)
                    ):
                        continue
                    decide.expire(self.case, deadline.name)
                    self.pending += decide.follow_up(self.case, self.pack, self.now())
                    await self._settle()
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    self.start.model_copy(
                        update={
                            "case": self.case,
                            "clock_origin": self.origin,
                            "business_origin": self.business_origin,
                        }
                    )
                )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.case

    async def _wait_for(self, deadline: CaseDeadline) -> bool:
        """True when something changed first; False when the deadline passed."""
        delay = self.real_delay(deadline.closes_at)
        if delay <= dt.timedelta(0):
            return False
        try:
            await workflow.wait_condition(
                lambda: self.changed,
                timeout=delay,
                timeout_summary=f"{deadline.name}: {deadline.date} 24:00 Asia/Shanghai"
                + (" (provisional)" if deadline.provisional else ""),
            )
        except TimeoutError:
            return False
        return True

    def _application_entry(self) -> AuditEntry:
        return AuditEntry(
            seq=1,
            at=self.now(),
            actor_role=Role.PROVIDER.value,
            actor_id=self.case.credit_code,
            action="apply",
            from_state=self.case.state,
            to_state=self.case.state,
            reason="application received (申报)",
            clause=self.pack.admission.required_fields_clause,
            data={"findings": [f.id for f in self.case.findings]},
        )

    # --- decisions and events ----------------------------------------------------------------

    @workflow.update
    async def act(self, request: ActRequest) -> ActResult:
        async with self.lock:
            action = self._action(request)
            query = decide.selection_query(self.case, self.pack, action)
            if query is not None:
                count: SelectionCount = await workflow.execute_activity(
                    "count_selected",
                    query,
                    result_type=SelectionCount,
                    summary=f"count {query.provider_type} providers selected in {query.sectors}",
                    start_to_close_timeout=TIMEOUT,
                    retry_policy=RETRY,
                )
                action.selected_in_sector, action.selection_max = count.fullest, query.maximum
            reason = await self._perform(action)
            if reason:
                raise ApplicationError(reason, type="Refused", non_retryable=True)
            return ActResult(state=self.case.state, seq=len(self.case.history))

    @act.validator
    def _validate_act(self, request: ActRequest) -> None:
        reason = decide.refusal(self.case, self.pack, self._action(request))
        if reason:
            raise ValueError(reason)

    @workflow.signal
    async def event(self, event: ExternalEvent) -> None:
        async with self.lock:
            try:
                reason = await self._perform(self._action(event))
            except ApplicationError as exc:
                reason = str(exc)
            if reason:  # a signal has no caller to answer: the refusal is logged
                workflow.logger.warning(
                    "event refused", extra={"event_id": event.event_id, "reason": reason}
                )

    async def _perform(self, action: Action) -> str | None:
        """Applies the action and what follows from it; returns the refusal instead, if any."""
        reason = decide.refusal(self.case, self.pack, action)
        if reason:
            return reason
        self.pending.append(decide.apply(self.case, self.pack, action, self.now()))
        self.pending += decide.follow_up(self.case, self.pack, self.now())
        await self._settle()
        self.changed = True
        return None

    @workflow.query
    def view(self) -> CaseView:
        return CaseView(
            case=self.case,
            business_now=self.now(),
            overdue=self.case.overdue(),
            actions=CaseMachine(self.pack, self.case.state).actions(),
        )

    def _action(self, request: ActRequest) -> Action:
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

    # --- after every change: deadlines, the read model, what the Web UI shows -----------------

    async def _settle(self, project: bool = False) -> None:
        for deadline in decide.round_deadlines(self.case, self.pack, self.start.round):
            self.case.deadlines[deadline.name] = deadline
        today = self.now().astimezone(SHANGHAI).date()
        window = decide.window_request(self.case, self.pack, today)
        if window is not None:
            result = await self._count_window(
                window.opens, window.working_days, window.opening_day_counts
            )
            self.case.deadlines[window.name] = CaseDeadline(
                name=window.name,
                state=window.state,
                date=result.date,
                closes_at=result.closes_at,
                provisional=result.provisional,
                fires=window.fires,
                opens=window.opens,
                working_days=window.working_days,
                opening_day_counts=window.opening_day_counts,
            )
        if self.pending or project:
            entries, self.pending = self.pending, []
            await workflow.execute_activity(
                "record_case",
                RecordInput(snapshot=self._snapshot(), entries=entries),
                result_type=RecordResult,
                summary="record "
                + (", ".join(f"#{e.seq} {e.action}" for e in entries) or "the case's deadlines"),
                start_to_close_timeout=TIMEOUT,
                retry_policy=RETRY,
            )
        self._show()

    async def _count_window(self, opens: dt.date, days: int, first: bool) -> DeadlineResult:
        return await workflow.execute_activity(
            "compute_deadline",
            DeadlineInput(rule="window", date=opens, working_days=days, opening_day_counts=first),
            result_type=DeadlineResult,
            summary=f"close the {days}-working-day window opened {opens}",
            start_to_close_timeout=TIMEOUT,
            retry_policy=RETRY,
        )

    async def _moved_later(self, deadline: CaseDeadline) -> bool:
        """A provisional window, counted again now the calendar may hold that year's notice
        (DOMAIN §3); True when it now closes later, so the case keeps waiting."""
        if deadline.opens is None or deadline.working_days is None:
            return False
        result = await self._count_window(
            deadline.opens, deadline.working_days, deadline.opening_day_counts
        )
        updated = deadline.model_copy(
            update={
                "date": result.date,
                "closes_at": result.closes_at,
                "provisional": result.provisional,
            }
        )
        self.case.deadlines[deadline.name] = updated
        await self._settle(project=True)  # the read model and the Web UI show the new date
        return updated.closes_at > deadline.closes_at

    def _snapshot(self) -> CaseSnapshot:
        nxt = self.case.next_deadline()
        return CaseSnapshot(
            case_id=self.case.case_id,
            policy=self.case.policy,
            round=self.case.round,
            credit_code=self.case.credit_code,
            provider_name=self.case.name,
            district=self.case.district,
            parent_credit_code=self.start.application.parent_credit_code,
            provider_type=self.case.provider_type,
            sectors=self.case.sectors,
            state=self.case.state.value,
            next_deadline=nxt.closes_at if nxt else None,
            next_deadline_provisional=nxt.provisional if nxt else False,
            last_seq=len(self.case.history),
            updated_at=self.now(),
        )

    def _show(self) -> None:
        nxt = self.case.next_deadline()
        if self.start.indexed:
            workflow.upsert_search_attributes(
                [
                    attrs.CASE_STATE.value_set(self.case.state.value),
                    attrs.NEXT_DEADLINE.value_set(nxt.closes_at)
                    if nxt
                    else attrs.NEXT_DEADLINE.value_unset(),
                ]
            )
        lines = [f"**{self.case.state.value}** · {self.pack.id} round {self.case.round}"]
        if nxt:
            flag = " (provisional)" if nxt.provisional else ""
            lines.append(f"Next deadline: {nxt.name} {nxt.date} 24:00{flag}")
        if self.case.overdue():
            lines.append("Overdue: " + ", ".join(self.case.overdue()))
        if self.case.open_objections:
            lines.append(f"Open objections: {self.case.open_objections}")
        if self.case.open_findings:
            lines.append(f"Open findings: {self.case.open_findings}")
        workflow.set_current_details("\n\n".join(lines))
