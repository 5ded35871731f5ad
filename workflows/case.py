"""One provider's case (DOMAIN.md §4): a durable workflow that lives as long as the case.

People's decisions arrive as Updates (validated before anything reaches history), other systems'
events and calendar changes as Signals (de-duplicated by event id), reads as the ``view`` Query.
Every rule is asked of :mod:`lifecycle.domain`; the pipeline is :mod:`workflows.core`. The case
continues as new before its history grows large, carrying the same small state at any age. No
input, by any route, can make it fail its tasks over and over: its start input and its events
are read by the case itself, and what cannot be read is refused in one sentence.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import AsyncIterator
from typing import NamedTuple, TypeVar

from temporalio import workflow
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from lifecycle.contracts import RejectedEvent
    from lifecycle.contracts.case import (
        ACT,
        CALENDAR_CHANGED,
        EVENT,
        HISTORY_BYTES,
        MOVE_RULES,
        RESEAL,
        STORE_BACK,
        VIEW,
        WORKFLOW,
        ActRequest,
        ActResult,
        CalendarNotice,
        CaseOutcome,
        CaseStart,
        CaseView,
        ExternalEvent,
        MoveRequest,
        RunState,
    )
    from lifecycle.domain import admissible, assurance, deadlines, decide, engine, limits
    from lifecycle.domain.actors import Actor, ActorError
    from lifecycle.domain.application import findings, input_problem
    from lifecycle.domain.case import Action, Case
    from lifecycle.domain.listed import ListedRecord
    from lifecycle.domain.phases.partners import opening
    from lifecycle.domain.refusal import cited, clause_of
    from lifecycle.domain.states import Role
    from lifecycle.errors import ENGINE_RULE
    from lifecycle.policies.registry import REGISTRY, UnknownVersion
    from lifecycle.policies.schema import PolicyPack
    from lifecycle.policies.versions import PackRef

from workflows import calls, display
from workflows.core import CORE_V2, ONE_INSTANT, CaseRun, Refused
from workflows.inputs import INPUT_BYTES
from workflows.inputs import read as _read
from workflows.inputs import unopenable as _unopenable
from workflows.rules import carried_rules, rules_of
from workflows.versions import ENGINE, follows

# A change made safe for running cases: limits on every input, retries answered once, actions
# judged at the time they were sent, refused events kept for their senders.
INPUTS = "case-inputs-v3"
# A change made safe for running cases: one timer for the next wake-up, not one per change.
QUIET_TIMERS = "quiet-timers"
PERIODS = "continue-at-new-periods"  # also continue when a quarter's or year's report was met
# A change made safe for running cases: an event over the engine's input limit is refused.
INPUT_BYTES_LIMIT = "input-bytes"
# How an actor was known is proven by the gateway's signature, not taken from the request:
# followed by runs of engine 2 on (validators ask it, so runs before keep what they did).
# A change made safe for running cases (engine 3): an event whose actor is named without proof
# is refused (kept for its sender) where the worker takes no named actor, as a person's action
# is; the worker's answer is kept in the history.
PROVEN_EVENTS = "proven-events"
# A change made safe for running cases (engine 5): an action or event that comes while a deadline
# of the case has fallen due but is not applied yet (its firing spread over the bureau's window,
# or the worker behind) applies that deadline first and is judged on the case as it then stands;
# validators, which cannot apply it, leave the judgement to the handler (by engine only).
DUE_FIRST = "due-first"


@workflow.defn(name=WORKFLOW)
class CaseWorkflow:
    @workflow.init
    def __init__(self, start: RawValue) -> None:
        self.lock = asyncio.Lock()
        self._turns = 0  # turns taken with the lock (a judgement holds only in the next)
        self._judged: dict[str, _Judged] = {}  # by Update id: what its validator judged
        self.changed = False
        self.reseal = False  # the operator asked for a new run (plaintext retired)
        self._asserted: bool | None = None  # whether the worker takes named actors (asked once)
        self._timer: asyncio.Future[None] | None = None
        self._timer_at: dt.datetime | None = None
        self.unreadable: str | None = None
        self.engine = 0  # asks the history's patch markers until the start input says
        try:
            unopenable = _unopenable(start)
            if unopenable:
                raise ValueError(unopenable)
            self.start = workflow.payload_converter().from_payload(start.payload, CaseStart)
        except Exception as exc:  # a start input no case can be made of
            self.unreadable = f"this case cannot start: its input is not a case ({_short(exc)})"
            return
        self.engine = self.start.engine
        rules, pack = rules_of(self.start)
        clock = self.start.clock.anchored(workflow.info().start_time)
        carried = self.start.carried
        state = carried if carried is not None else RunState(case=_opened(self.start, pack))
        self.core = CaseRun(self.start, state, rules, pack, clock)
        if carried is None:
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
        core.state.outbox.append(
            decide.record(core.case, action, core.case.state, clause, data, core.now())
        )

    # --- the life of the case ----------------------------------------------------------------

    @workflow.run
    async def run(self, start: RawValue) -> CaseOutcome:
        if self.unreadable is None and self.start.carried is None and follows(INPUTS):
            app, name = self.start.application, self.start.round_name
            self.unreadable = input_problem(app) or limits.round_name("round", name)
        if self.unreadable is not None:
            raise ApplicationError(self.unreadable, type="Unreadable", non_retryable=True)
        async with self._turn():
            await self.core.catch_up()
            self._show()
        while not (self.core.case.terminal and self.core.settled):
            self.changed = False
            if not await self._sleep():
                async with self._turn():
                    await self._on_time()
            elif self.core.events_unwritten:  # what events did meanwhile, written in one go
                async with self._turn():
                    await self.core.write_events()
                    self._show()
            turned = self.core.period_turned
            if not turned and self.core.new_period() and follows(PERIODS):
                turned = True
            if self._history_full() or turned or self.reseal:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._carried())
        await workflow.wait_condition(workflow.all_handlers_finished)
        return CaseOutcome(case=self.core.case, rules=self.core.rules)

    async def _sleep(self) -> bool:
        """Waits for a change, the next deadline or the next retry of what waits; True when
        something changed first."""
        core = self.core
        nxt = core.case.next_deadline()
        if nxt is not None and core.state.retry_at is not None and nxt.closes_at <= core.now():
            nxt = None  # due, but held by what the case waits on: the retry wakes it
        delays = []
        spread = deadlines.share(core.case.case_id, self.start.spread)
        if nxt is not None:
            delays.append(core.clock.real_delay(nxt.closes_at, workflow.now(), spread))
        reminder = deadlines.next_reminder(core.case)
        if reminder is not None:
            delays.append(core.clock.real_delay(reminder, workflow.now()))
        if core.state.retry_at is not None:
            delays.append(max(core.state.retry_at - workflow.now(), dt.timedelta(0)))
        if not delays:
            self._stop_timer()
            await workflow.wait_condition(lambda: self.changed)
            return True
        delay = min(delays)
        if delay <= dt.timedelta(0):
            return False
        summary = "retry what the case waits on"
        if nxt is not None and delays[0] == delay:
            flag = " (provisional)" if nxt.provisional else ""
            later = (
                f", applied {spread.total_seconds():g} s after (bureau setting)" if spread else ""
            )
            summary = f"{nxt.name}: {nxt.date} 24:00 Asia/Shanghai{flag}{later}"
        if follows(QUIET_TIMERS):
            return await self._wait_on_timer(workflow.now() + delay, delay, summary)
        try:
            await workflow.wait_condition(
                lambda: self.changed, timeout=delay, timeout_summary=summary
            )
        except TimeoutError:
            return False
        return True

    async def _wait_on_timer(self, at: dt.datetime, delay: dt.timedelta, summary: str) -> bool:
        """One timer for the next wake-up, kept across changes that do not move it (a change
        costs the history no timer events)."""
        if self._timer is None or self._timer_at != at:
            self._stop_timer()
            self._timer = asyncio.ensure_future(workflow.sleep(delay, summary=summary))
            self._timer_at = at
        timer = self._timer
        await workflow.wait_condition(lambda: self.changed or timer.done())
        if timer.done():
            self._timer = None
            return False
        return True

    def _stop_timer(self) -> None:
        if self._timer is not None and not self._timer.done():
            self._timer.cancel()
        self._timer = None

    async def _on_time(self) -> None:
        core = self.core
        core.in_round = True
        try:
            await self._timely()
        finally:
            core.in_round = False

    async def _timely(self) -> None:
        core = self.core
        if not core.settled:
            await core.catch_up()
        await core.pass_due()
        await core.ensure_running()
        await core.follow_ups()
        await core.flush(projection=follows(CORE_V2))
        self._show()

    def _history_full(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self.start.history_budget
            or info.get_current_history_size() >= HISTORY_BYTES
        )

    def _carried(self) -> CaseStart:
        """The next run's start: this one's state, whole, one run further on."""
        core = self.core
        state = core.state.model_copy(update={"run": core.state.run + 1})
        return self.start.model_copy(
            update={
                "engine": ENGINE,
                "carried": state,
                "clock": core.clock,
                **carried_rules(self.start, core.rules),
            }
        )

    # --- people's decisions ------------------------------------------------------------------

    @workflow.update(name=ACT)
    async def act(self, raw: RawValue) -> ActResult:
        request = _read(raw, ActRequest, "the request")
        async with self._turn():
            core = self.core
            strict = follows(INPUTS)
            key = request.key if strict else None
            judged = self._judged.pop(_update_id(), None)
            earlier = await self._earlier(key)
            if earlier is not None:
                return ActResult(state=core.case.state, seq=earlier, duplicate=True)
            passed: tuple[int, int] | None = None
            try:
                action = _action(request, strict, core.sent(request.sent_at) if strict else None)
                verdict = None
                if strict:
                    passed = await self._due_first(action)
                    if passed:  # judged again on the case as it now stands
                        judged, request = None, _read_after(request, passed)
                    verdict = judged.verdict if judged and judged.holds(self) else None
                    verdict = verdict or self._judge(request, action)
                    if verdict.refusal:
                        raise Refused(verdict.refusal)
                await core.decide(action, verdict)
            except Refused as exc:
                if passed:  # what fell due is recorded even so
                    await self._settle()
                raise _failure(str(exc), "Refused", exc.clause) from None
            except calls.Unavailable as exc:
                if passed:
                    await self._settle()
                raise _failure(exc.refusal(request.action), exc.kind) from None
            if key is not None:
                core.remember(key, core.case.seq)
            return await self._settle()

    @act.validator
    def _validate_act(self, raw: RawValue) -> None:
        if self.unreadable is not None:
            raise _failure(self.unreadable, "Refused")
        request = _read(raw, ActRequest, "the request", check_size=True)
        unproven = assurance.refusal(_proven(request), request.actor)
        if unproven and _engine_at_least(2):
            raise _failure(unproven, "NotAllowed")
        problem = request.problem()
        if problem:
            raise _failure(problem, "Invalid")
        if self.core.knows(request.key):
            return  # a retry of a request applied before: answered with that outcome
        try:
            action = _action(request, True, self.core.sent(request.sent_at))
        except Refused as exc:
            raise _failure(str(exc), "Invalid") from None
        if _engine_at_least(5) and self._due_pending(action):
            return  # the handler applies what fell due first, then judges the action
        verdict = self._judge(request, action)
        if verdict.refusal:
            raise _failure(verdict.refusal, "Refused", clause_of(verdict.refusal))
        if not self.lock.locked():  # the case as it stands, not half-way through a change
            self._judged[_update_id()] = _Judged(self._turns, workflow.now(), verdict)

    def _judge(self, request: ActRequest, action: Action) -> decide.Verdict:
        """The action judged once: the engine's gate (the case as the actor read it, the time
        it was sent, the budget of what the public and other systems may add), then the rules."""
        core = self.core
        problem = admissible.stale(core.case, request.expected_seq) or admissible.refusal(
            core.case, core.pack, action, core.sent(request.sent_at)
        )
        if problem:
            return decide.Verdict(None, cited(problem, None))
        return decide.judge(core.case, core.pack, action)

    def _due_pending(self, action: Action) -> bool:
        """A deadline of the case fell due before ``action`` was sent and is not applied yet
        (its firing is spread over the bureau's window, or the worker is behind); not while the
        case waits on something (its retry round applies it then), nor for the public's action
        sent after its window closed (refused on the case as it stood, naming the close)."""
        core = self.core
        sent = action.at or core.now()
        return (
            not core.state.trouble
            and bool(deadlines.due(core.case, sent))
            and not admissible.late(core.case, core.pack, action, sent)
        )

    async def _due_first(self, action: Action) -> tuple[int, int] | None:
        """Applies what fell due before ``action`` was sent, before it is judged, as the
        deadline's own turn would (its changes dated when it fell due); what fell due only after
        it was sent waits for that turn, so the action is judged on the case as it stood when
        sent. The case's change numbers before and after, or None when nothing was due."""
        if not self._due_pending(action) or not follows(DUE_FIRST, since=5):
            return None
        core = self.core
        before = core.case.seq
        await core.pass_due(upto=action.at)
        await core.ensure_running()
        await core.follow_ups()
        self.changed = True
        return before, core.case.seq

    @contextlib.asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """The case's lock, counted: a judgement made before a turn still holds in the next
        turn only if no other turn came between (the case is then as it was judged)."""
        async with self.lock:
            self._turns += 1
            self.core.failed_now.clear()
            yield

    async def _earlier(self, key: str | None) -> int | None:
        """The change a request or event with this key made before, if it was applied."""
        core = self.core
        if key is None:
            return None
        if key in core.state.remembered:
            return core.state.remembered[key]
        pending = next((e.seq for e in core.state.outbox if e.event_id == key), None)
        if pending is not None or not core.may_have_forgotten():
            return pending
        return await calls.seen(core.case.case_id, key)

    @workflow.update(name=MOVE_RULES)
    async def move_rules(self, raw: RawValue) -> ActResult:
        """Moves the case to another version of its programme's rules (audited: who, why,
        from which version to which); the case keeps its state and its deadlines' dates."""
        request = _read(raw, MoveRequest, "the move")
        async with self._turn():
            target, new, action = self._move(request)
            core = self.core
            decided = core.now()
            try:
                obtained = await core.obtain(
                    engine.move_plan(core.case, new, decided, self.start.round)
                )
            except calls.Unavailable as exc:
                raise _failure(exc.refusal(engine.MOVE), exc.kind) from None
            case = core.case.model_copy(deep=True)
            at = decided if follows(ONE_INSTANT) else core.now()
            entry = engine.move(
                case, new, action, obtained, at, self.start.round, core.rules, target
            )
            core.commit(case, [entry])
            core.rules, core.pack = target, new
            return await self._settle()

    @move_rules.validator
    def _validate_move(self, raw: RawValue) -> None:
        if self.unreadable is not None:
            raise _failure(self.unreadable, "Refused")
        request = _read(raw, MoveRequest, "the move", check_size=True)
        unproven = assurance.refusal(_proven(request), request.actor)
        if unproven and _engine_at_least(2):
            raise _failure(unproven, "NotAllowed")
        problem = request.problem()
        if problem:
            raise _failure(problem, "Invalid")
        try:
            self._move(request)
        except (ValueError, Refused) as exc:
            raise _failure(str(exc), "Refused") from None

    def _move(self, request: MoveRequest) -> tuple[PackRef, PolicyPack, Action]:
        core = self.core
        try:
            target = PackRef(id=core.rules.id, version=request.version)
            new = REGISTRY.get(target)
        except (ValueError, UnknownVersion):
            raise ValueError(
                f"version '{limits.shorten(request.version)}' is not a version of "
                f"{core.rules.id} this worker serves; 'lifecycle policy versions "
                f"{core.rules.id}' lists them."
            ) from None
        action = _action(
            ActRequest(action=engine.MOVE, actor=request.actor, reason=request.reason),
            known=_proven(request),
        )
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
    async def event(self, raw: RawValue) -> None:
        async with self._turn():
            if self.unreadable is None:
                await self._event(raw, follows(INPUTS))
            self.changed = True

    async def _event(self, raw: RawValue, strict: bool) -> None:
        """Applies another system's event once; one that cannot be read or is refused is logged
        with its event id and reason (never its content) and kept for its sender."""
        unopenable = _unopenable(raw)
        if unopenable:
            await self._refused(_event_id(raw), "?", "?", f"the event {unopenable}", strict)
            return
        size = raw.payload.ByteSize()
        if size > INPUT_BYTES and follows(INPUT_BYTES_LIMIT, since=2):
            reason = f"the event is {size} bytes; a case takes at most {INPUT_BYTES} (engine rule)"
            await self._refused(_event_id(raw), "?", "?", reason, strict)
            return
        try:
            event = workflow.payload_converter().from_payload(raw.payload, ExternalEvent)
        except Exception as exc:
            await self._refused(
                _event_id(raw), "?", "?", f"the event cannot be read ({_short(exc)})", strict
            )
            return
        try:
            with limits.hidden_values():
                await self._apply_event(event, strict)
        except (Refused, ApplicationError, calls.Unavailable) as exc:
            message = exc.message if isinstance(exc, ApplicationError) else str(exc)
            role = event.actor.partition(":")[0]
            await self._refused(event.event_id, event.action, role, message, strict)

    async def _apply_event(self, event: ExternalEvent, strict: bool) -> None:
        core = self.core
        if core.knows(event.key):
            workflow.logger.info("event already applied", extra={"event_id": event.event_id})
            return
        if not strict and await self._earlier(event.key) is not None:
            workflow.logger.info("event already applied", extra={"event_id": event.event_id})
            return
        problem = event.problem() if strict else None
        if problem:
            raise Refused(problem)
        if (
            strict
            and _proven(event) == assurance.ASSERTED
            and follows(PROVEN_EVENTS, since=3)
            and not await self._takes_asserted(event.actor)
        ):
            raise Refused(assurance.unproven(event.actor))
        action = _action(event, strict, core.sent(event.sent_at) if strict else None)
        passed = await self._due_first(action) if strict else None
        if passed:
            core.events_unwritten = True  # what fell due is written even if the event is refused
            event = _read_after(event, passed)
        if strict:
            verdict = self._judge(event, action)
        else:  # judged again below at the time it is applied, as these runs did
            verdict = decide.judge(core.case, core.pack, action)
        if verdict.refusal:
            raise Refused(verdict.refusal)
        judged_at = workflow.now()
        if strict and await self._earlier(event.key) is not None:  # older than the case recalls
            workflow.logger.info("event already applied", extra={"event_id": event.event_id})
            return
        # Judged on the case as it stands (the lock is held) at this very time: it holds.
        await core.decide(action, verdict if strict and workflow.now() == judged_at else None)
        core.remember(event.event_id, core.case.seq)
        if strict:  # written by the run loop, with the other events since the last write
            await core.follow_ups()
            core.events_unwritten = self.changed = True
        else:
            await self._settle()

    async def _takes_asserted(self, actor: str) -> bool:
        """Whether the worker takes a named actor: asked once a run (the answer is in the
        history), so a flood of events costs one question."""
        if self._asserted is None:
            self._asserted = await calls.takes_asserted(actor)
        return self._asserted

    async def _refused(
        self, event_id: str, action: str, role: str, reason: str, strict: bool
    ) -> None:
        if not strict:
            workflow.logger.warning("event refused", extra={"event_id": event_id, "reason": reason})
            return
        await self.core.refused_event(
            RejectedEvent(
                case_id=self.core.case.case_id,
                event_id=limits.shorten(event_id, 200),
                action=limits.shorten(action, 60),
                actor_role=limits.shorten(role, 40),
                reason=limits.shorten(reason, 400),
                received_at=self.core.now(),
            )
        )

    @workflow.signal(name=CALENDAR_CHANGED)
    async def calendar_changed(self, raw: RawValue) -> None:
        try:  # the system's own notice; one that cannot be read changes nothing
            notice = _read(raw, CalendarNotice, "the calendar notice")
        except ApplicationError as exc:
            workflow.logger.warning("calendar notice refused", extra={"reason": exc.message})
            return
        async with self._turn():
            if self.unreadable is None and notice.event_id not in self.core.state.remembered:
                core = self.core
                core.remember(notice.event_id, core.case.seq)
                await core.recount_year(notice.year, notice.notice)
                await core.flush(projection=True)
                core.retry_now()  # what waited on the calendar may go on now
                self._show()
            self.changed = True

    @workflow.signal(name=STORE_BACK)
    def store_back(self) -> None:
        """The worker saw the store take writes again: what waits on it is tried at once."""
        self.core.store_back()
        self.changed = True

    @workflow.signal(name=RESEAL)
    def reseal_now(self) -> None:
        """Continues the case as a new run at its next turn: the old run, with whatever an
        earlier version wrote into it unsealed, closes and leaves with the namespace's
        retention."""
        self.reseal = self.changed = True

    # --- reads and display ---------------------------------------------------------------------

    @workflow.query(name=VIEW)
    def view(self) -> CaseView:
        if self.unreadable is not None:
            raise ValueError(self.unreadable)
        core = self.core
        return CaseView(
            case=core.case,
            rules=core.rules,
            business_now=core.now(),
            clock=core.clock,
            overdue=core.case.overdue(),
            actions=[a.trigger for a in decide.open_actions(core.case, core.pack)],
            trouble=list(core.state.trouble.values()),
            unrecorded=len(core.state.outbox),
            run=core.state.run,
        )

    def _show(self) -> None:
        core = self.core
        state = core.state
        display.show(
            core.case, core.rules, self.start, state.trouble, len(state.outbox), core.now()
        )


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
        listed=ListedRecord(partners=opening(app.ecosystem_partners)),
    )


def _action(
    request: ActRequest,
    strict: bool = True,
    at: dt.datetime | None = None,
    known: str | None = None,
) -> Action:
    try:
        actor = Actor.parse(request.actor, strict)
    except ActorError as exc:
        raise Refused(str(exc)) from exc
    return Action(
        trigger=request.action,
        actor=actor,
        reason=request.reason,
        clause=request.clause,
        data=request.data,
        event_id=request.key if strict else getattr(request, "event_id", None),
        assurance=known or _proven(request),
        at=at,
    )


_Request = TypeVar("_Request", bound=ActRequest)


def _read_after(request: _Request, passed: tuple[int, int]) -> _Request:
    """A request read at the change before what just fell due was applied: read as of now
    (nobody could have read the deadline's changes before they were applied; the action is
    judged on the case with them)."""
    if request.expected_seq != passed[0]:
        return request
    return request.model_copy(update={"expected_seq": passed[1]})


def _engine_at_least(version: int) -> bool:
    return int(getattr(workflow.instance(), "engine", 0)) >= version


def _proven(request: ActRequest | MoveRequest) -> str:
    """How the actor was known, as the gateway's proof shows it (asserted without one)."""
    if not _engine_at_least(2):  # asked in validators too: no patch marker for runs before
        return request.assurance
    fields = request.proof_fields(workflow.info().workflow_id)
    return assurance.proven(request.assurance, request.proof, fields)


def _short(exc: Exception) -> str:
    return limits.shorten(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 120)


_EVENT_ID = re.compile(rb'"event_id"\s*:\s*"([A-Za-z0-9][A-Za-z0-9._:@-]{0,127})"')


def _event_id(raw: RawValue) -> str:
    """The id an unreadable event gives itself, if its first bytes hold one; else a digest of
    its content (the same unreadable event is kept once)."""
    found = _EVENT_ID.search(raw.payload.data[:4096])
    if found:
        return found.group(1).decode()
    return "unreadable-" + hashlib.sha256(raw.payload.data).hexdigest()[:16]


class _Judged(NamedTuple):
    """A validator's judgement of an action: the turn and time it was made at."""

    turn: int
    at: dt.datetime
    verdict: decide.Verdict

    def holds(self, case: CaseWorkflow) -> bool:
        """Nothing changed the case since (only the handler's own turn came) and no time
        passed: the same facts, so the same judgement."""
        return case._turns == self.turn + 1 and workflow.now() == self.at


def _update_id() -> str:
    info = workflow.current_update_info()
    return info.id if info else ""


def _failure(message: str, kind: str, clause: str | None = None) -> ApplicationError:
    """A refusal as the caller receives it: the sentence, the kind of error it is (the
    ``lifecycle.errors`` class it stands for) and the clause it cites."""
    return ApplicationError(message, clause or ENGINE_RULE, type=kind, non_retryable=True)
