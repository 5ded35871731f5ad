"""A case run's state and its decision pipeline: everything an action needs from outside is
obtained first (working-day counts, places under shared caps); only then does the case change,
whole; what changed goes to an outbox the store receives (retried until it does).

Failures are classified by :class:`~workflows.calls.Unavailable`: for a person's action the
caller gets one sentence and the case is as before; for the engine's own steps (a deadline
passing, a record, a recount) the case shows what it waits on, logs it, and tries again later.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from lifecycle.clock import BusinessClock
    from lifecycle.contracts import (
        RecordInput,
        RejectedEvent,
        ReservationRequest,
        SelectionQuery,
        SlotResult,
    )
    from lifecycle.contracts.activities import change_of, kept
    from lifecycle.contracts.case import RECENT_EVENTS, CaseStart, RunState
    from lifecycle.domain import deadlines, decide, engine
    from lifecycle.domain.case import Action, AuditEntry, Case, CaseDeadline
    from lifecycle.domain.plan import Obtained, Plan
    from lifecycle.domain.refusal import clause_of
    from lifecycle.domain.states import Role
    from lifecycle.policies.schema import PolicyPack
    from lifecycle.policies.versions import PackRef

from workflows import calls, display
from workflows.versions import follows

# A change made safe for running cases: histories recorded before it counted selections in the
# read model, and did not project the case when a deadline passed.
CORE_V2 = "case-core-v2"
RECOMPUTE_PROVISIONAL = "recompute-provisional-deadlines"
# What a decision needs from outside asked in one local activity (engine 4).
ONE_CALL = "one-call"
# A change made safe for running cases: a decision's deadlines and its audit row take the one
# business instant it was decided at (before, the day could turn while the calendar counted,
# on a compressed clock above all, and a window then opened a day before its audit row).
ONE_INSTANT = "one-instant-decisions"
# A change made safe for running cases (engine 2): what a deadline drives (a transition, a
# finding) is dated when the deadline fell due, with the time it was applied beside it.
WHEN_DUE = "dated-when-due"
# Real seconds between attempts at what waits (each attempt is itself up to 3 tries): quick at
# first, then every half hour, so a long outage adds few events to the history. A calendar
# loaded with `lifecycle calendar load` makes the cases it touches try again at once.
BACKOFF = (10, 30, 60, 300, 900, 1800)
# A change made safe for running cases (engine 3): a round of retries advances the schedule
# once (before, each failed call in it did), a store that failed in a turn is not asked again in
# that turn, and a person's action tries the store once (the round after tries it in full).
# A case need not wait out its schedule for the store: the worker tells it (STORE_BACK) within
# seconds of the store taking writes again, so it catches up within a minute.
ROUNDS = "one-advance-a-round"
# A change made safe for running cases (engine 6): the worker's word that the store is back
# (STORE_BACK), come while a try of the store was under way that then failed, is not lost: the
# case tries again at the first step of its schedule, not at the next (up to half an hour).
TOLD_BACK = "told-back"
FOLLOW_UPS = 8
# Changes a case holds for the store at most before it refuses people's actions: a long outage
# must not grow the case (what the engine does by itself is few and still goes on).
OUTBOX_LIMIT = 50
REJECTED_BATCH = 50  # refused events are kept in the store this many at a time
REJECTED_KEPT = 200  # refused events waiting for a store that is down, at most (then logged only)


# What a kind of waiting waits on, as the log says it.
_WHAT = MappingProxyType(
    {
        "store": "the store",
        "deadlines": "the working-day calendar",
        "recount": "the working-day calendar",
        "calendar": "the working-day calendar",
        "follow-up": "what a passed deadline needs",
    }
)


class Refused(Exception):
    """An action the rules (or the engine) refuse: the sentence, and the clause it cites."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.clause = clause_of(reason)


class CaseRun:
    """A run of a case: its state (one object, handed whole to the next run) and the rules,
    clock and start input it runs under; what is only this run's (the periods it began in, the
    events not yet written) stays beside it."""

    def __init__(
        self,
        start: CaseStart,
        state: RunState,
        rules: PackRef,
        pack: PolicyPack,
        clock: BusinessClock,
    ) -> None:
        self.start, self.state, self.rules, self.pack, self.clock = start, state, rules, pack, clock
        self.events_unwritten = bool(state.rejected)  # events left their writes to the run loop
        self.period_turned = False  # a quarter or a year passed: a good moment to continue
        self.periods = self._long_periods()  # what this run began in
        self.failed_now: set[str] = set()  # what failed in this turn (not asked again in it)
        self.in_round = False  # the case's own turn (a deadline, a retry), not a person's
        self.told_back = False  # the worker said the store is back since the case last failed it
        # What of the projection the store keeps (KEPT), as this run last wrote it: sent whole
        # on the run's first record and when it changes; otherwise only the change is sent.
        self.stored_kept: tuple[object, ...] | None = None

    @property
    def case(self) -> Case:
        return self.state.case

    @case.setter
    def case(self, case: Case) -> None:
        self.state.case = case

    def _long_periods(self) -> dict[str, str]:
        """The quarter or year each recurring deadline of the case covers now."""
        out = {}
        for held in self.case.running():
            rule = self.pack.deadline(held.name)
            if held.period and rule is not None and rule.every in ("quarter", "year"):
                out[held.name] = held.period
        return out

    def new_period(self) -> bool:
        """Whether a quarter's or a year's deadline this run began with has moved on to the
        next period (met or passed): a good moment to continue as new."""
        turned = False
        for name, period in self._long_periods().items():
            turned |= self.periods.setdefault(name, period) != period
        return turned

    def now(self) -> dt.datetime:
        return self.clock.now(workflow.now())

    # --- deciding -----------------------------------------------------------------------------

    async def decide(self, action: Action, verdict: decide.Verdict | None = None) -> None:
        """Applies ``action`` whole; raises Refused (with the sentence) or Unavailable (what is
        missing) and then leaves the case as it was. ``verdict``: the action judged already on
        the case as it stands (asked here when not given); it is asked once more only when
        something was obtained for it meanwhile (a count, a place, a claim, a setting)."""
        if action.at is None:
            action = action.model_copy(update={"at": self.now()})
        verdict = verdict or decide.judge(self.case, self.pack, action)
        if verdict.refusal:
            raise Refused(verdict.refusal)
        if (
            len(self.state.outbox) >= OUTBOX_LIMIT
            and action.actor.role != Role.SYSTEM
            # a flood of events between two writes is no outage (engine 3)
            and ("store" in self.state.trouble or not follows(ROUNDS, since=3))
        ):
            raise Refused(
                f"'{action.trigger}' was not applied: {len(self.state.outbox)} changes of this "
                "case wait for the store, which cannot be used; nothing was changed, so try "
                "again once it is back."
            )
        decided = self.now()
        applied = decided
        due = action.at or decided
        if action.actor.role == Role.SYSTEM and due < decided and follows(WHEN_DUE, since=2):
            decided = due  # a deadline's change, dated when it fell due
        plan = decide.plan(self.case, self.pack, action, decided, self.start.round, verdict)
        if not plan.empty:
            obtained = await self.obtain(plan)
            action = action.model_copy(
                update={
                    "slot": obtained.slot,
                    "counted": obtained.counted,
                    "claims": obtained.claims,
                    "settings": obtained.settings,
                }
            )
            verdict = decide.judge(self.case, self.pack, action)  # with what was obtained
            if verdict.refusal:
                raise Refused(verdict.refusal)
        else:
            obtained = Obtained()
        case = self.case.model_copy(deep=True)
        at = decided if follows(ONE_INSTANT) else self.now()
        entry = decide.apply(case, self.pack, action, obtained, at, self.start.round, verdict)
        if applied != decided:
            entry = decide.applied_late(entry, applied)
        self.commit(case, [entry])

    def commit(self, case: Case, entries: list[AuditEntry]) -> None:
        self.case = case
        self.state.outbox += entries
        self.state.release = self.state.release or case.terminal

    async def obtain(self, plan: Plan) -> Obtained:
        if not plan.empty and follows(ONE_CALL, since=4):
            return await calls.obtain(self.case.policy, plan)
        slot = None
        legacy = plan.reservation is not None and not follows(CORE_V2)
        if legacy and plan.reservation is not None:
            slot = await self._counted_slot(plan.reservation)
        counted = {r.name: await calls.count(r) for r in plan.deadlines}
        settings = await calls.settings(self.case.policy, plan.settings) if plan.settings else {}
        claims = {c.key: await calls.claim(c) for c in plan.claims}
        if plan.reservation is not None and not legacy and all(c.granted for c in claims.values()):
            slot = await calls.reserve(plan.reservation)
        return Obtained(counted=counted, slot=slot, claims=claims, settings=settings)

    async def _counted_slot(self, request: ReservationRequest) -> SlotResult:
        """How histories recorded before reservations decided: a count from the read model."""
        count = await calls.count_selected(
            SelectionQuery(
                policy=self.case.policy,
                round=self.case.round,
                provider_type=self.case.provider_type or "",
                sectors=self.case.sectors,
                case_id=self.case.case_id,
                maximum=request.capacity,
            )
        )
        return SlotResult(
            granted=count.fullest < request.capacity,
            held=count.fullest,
            capacity=request.capacity,
            what=next(iter(request.pools.values()), ""),
            clause=request.clause,
        )

    async def follow_ups(self) -> None:
        """System actions a passed deadline takes, once they may (the notice closed and no
        objection is open). One that cannot get what it needs waits and is tried again."""
        for _ in range(FOLLOW_UPS):
            judged = [
                (a, decide.judge(self.case, self.pack, a))
                for a in decide.follow_ups(self.case, self.now(), follows(WHEN_DUE, since=2))
            ]
            due = [(a, verdict) for a, verdict in judged if not verdict.refusal]
            if not due:
                break
            try:
                await self.decide(*due[0])
            except calls.Unavailable as exc:
                self.wait_on("follow-up", f"'{due[0][0].trigger}' needs {exc}")
                return
            except Refused:
                break
        self.clear("follow-up")

    def remember(self, key: str, seq: int) -> None:
        """An event id or request key the case applied, with the change it made (the last 64;
        the store's unique key knows the older ones)."""
        self.state.remembered[key] = seq
        while len(self.state.remembered) > RECENT_EVENTS:
            del self.state.remembered[next(iter(self.state.remembered))]
        self.state.events += 1

    def knows(self, key: str | None) -> bool:
        return key is not None and (
            key in self.state.remembered or any(e.event_id == key for e in self.state.outbox)
        )

    def may_have_forgotten(self) -> bool:
        """Whether a key could have left the bounded window (the store then knows)."""
        return self.state.events > len(self.state.remembered)

    def sent(self, at: dt.datetime | None) -> dt.datetime:
        """The business time an action was sent (never later than now)."""
        return min(self.clock.now(at), self.now()) if at is not None else self.now()

    # --- deadlines ----------------------------------------------------------------------------

    async def ensure_running(self) -> None:
        """Starts the deadlines of the state that are not running (and renews recurring ones
        that passed or were met); a count that fails is tried again later."""
        now = self.now()
        starts = deadlines.starting(
            self.pack, self.case, self.case.state, decide.today(now), self.start.round
        )
        starts += [
            s
            for d in self.case.running()
            if not d.open and (s := deadlines.renewal(self.pack, d)) is not None
        ]
        for start in starts:
            request = start.request()
            try:
                counted = await calls.count(request) if request else None
            except calls.Unavailable as exc:
                self.wait_on("deadlines", f"{start.rule.name}: {exc}")
                return
            self.case.deadlines[start.rule.name] = start.instance(counted)
        self.clear("deadlines")

    async def pass_due(self, upto: dt.datetime | None = None) -> None:
        """Passes the deadlines due now (or, for an action sent earlier, those due by ``upto``,
        when it was sent)."""
        now = self.now()
        self.state.notices += deadlines.reminders_due(self.case, now)
        for held in deadlines.due(self.case, upto or now):
            if (
                held.provisional
                and held.counts_working_days
                and follows(RECOMPUTE_PROVISIONAL)
                and await self._moved_later(held)
            ):
                continue
            self.state.outbox += decide.pass_deadline(
                self.case, self.pack, held, now, follows(WHEN_DUE, since=2)
            )
            rule = self.pack.deadline(held.name)
            self.period_turned |= rule is not None and rule.every in ("quarter", "year")
        self.state.notices += deadlines.reminders_due(self.case, now)  # those of what just passed

    async def _moved_later(self, held: CaseDeadline) -> bool:
        """A provisional deadline is counted again when it fires (the year's calendar may have
        been published since); True when it now closes later, so the case keeps waiting."""
        before = held.closes_at
        try:
            await self.recount(held)
        except calls.Unavailable as exc:
            self.wait_on("recount", f"{held.name}: {exc}")
            return True
        self.clear("recount")
        await self.flush(projection=True)
        return held.closes_at > before

    async def recount(self, held: CaseDeadline, notice: str | None = None) -> None:
        request = deadlines.recount(held)
        if request is None:
            return
        counted = await calls.count(request)
        source = notice or "; ".join(counted.notices) or "the working-day calendar"
        entry = engine.recounted(self.case, held, counted, self.now(), source)
        if entry is not None:
            self.state.outbox.append(entry)

    async def recount_year(self, year: int, notice: str) -> None:
        """A year's calendar was installed: every open deadline whose count crossed it is
        counted again now, and each that moved is recorded citing the notice."""
        self.state.recounts[year] = notice
        for held in self.case.running():
            if held.open and held.touches(year):
                try:
                    await self.recount(held, notice)
                except calls.Unavailable as exc:
                    self.wait_on("calendar", f"recount for {year}: {exc}")
                    return
        del self.state.recounts[year]
        self.clear("calendar")

    # --- the store ----------------------------------------------------------------------------

    async def flush(self, projection: bool = False) -> bool:
        """Sends the outbox (and a release of held places) to the store; True when the store
        has everything."""
        if not (self.state.outbox or self.state.release or self.state.notices or projection):
            return True
        if "store" in self.failed_now and follows(ROUNDS, since=3):
            return False  # failed in this turn already: the next round tries again
        entries, notices = list(self.state.outbox), list(self.state.notices)
        whole = display.snapshot(self.case, self.start, self.rules, self.now(), self.pack)
        data = RecordInput(
            snapshot=whole,
            entries=entries,
            release=self.state.release,
            notifications=notices,
        )
        if kept(whole) == self.stored_kept:  # the store has the rest from this run
            change = change_of(whole, workflow.info().workflow_id)
            data = data.model_copy(update={"snapshot": None, "change": change})
        rounds = follows(ROUNDS, since=3)
        try:
            # A change outside the case's own rounds (a person's action, an event) tries the
            # store once, so the person has the answer at once; if it fails, the case's round
            # 10 s later tries it in full. A store that does not hold the case is sent it whole.
            await calls.record(
                data,
                once=rounds and not self.in_round,
                whole=data.model_copy(update={"snapshot": whole, "change": None}),
            )
        except calls.Unavailable as exc:
            self.wait_on("store", str(exc))
            return False
        self.stored_kept = kept(whole)
        self.state.outbox = self.state.outbox[len(entries) :]
        self.state.notices = self.state.notices[len(notices) :]
        self.state.release = self.state.release and not data.release
        self.clear("store")
        return True

    async def refused_event(self, event: RejectedEvent) -> None:
        workflow.logger.warning(
            "event refused", extra={"event_id": event.event_id, "reason": event.reason}
        )
        self.state.rejected = [*self.state.rejected, event][-REJECTED_KEPT:]
        self.events_unwritten = True
        if len(self.state.rejected) >= REJECTED_BATCH and "store" not in self.state.trouble:
            await self.write_events()

    async def write_events(self) -> None:
        """What events did since the last write: their changes and the refused ones, in one
        go each (a flood of events costs the history little)."""
        if not await self.flush():
            return
        if self.state.rejected:
            batch = list(self.state.rejected)
            try:
                await calls.reject(batch)
            except calls.Unavailable as exc:
                self.wait_on("store", str(exc))
                return
            self.state.rejected = self.state.rejected[len(batch) :]
        self.events_unwritten = False

    async def catch_up(self) -> None:
        """Tries again whatever waits: deadlines to count, recounts, follow-ups, the store."""
        await self.ensure_running()
        for year, notice in list(self.state.recounts.items()):
            await self.recount_year(year, notice)
        await self.follow_ups()
        await self.write_events()

    # --- what waits -------------------------------------------------------------------------

    def wait_on(self, kind: str, problem: str) -> None:
        rounds = follows(ROUNDS, since=3)
        if kind not in self.state.trouble if rounds else self.state.trouble.get(kind) != problem:
            what = _WHAT.get(kind, kind)
            workflow.logger.warning(
                f"case is waiting on {what}: {problem.removeprefix(f'{what}: ')}",
                extra={"waiting_on": kind, "problem": problem},
            )
        self.state.trouble[kind] = problem
        if rounds:
            self.failed_now.add(kind)
            if self.state.retry_at is not None and self.state.retry_at > workflow.now():
                return  # this round has set its next try already (or a person's action failed)
        delay = BACKOFF[min(self.state.attempt, len(BACKOFF) - 1)]
        if kind == "store" and self.told_back:
            self.told_back = False
            if follows(TOLD_BACK, since=6):
                delay = BACKOFF[0]  # said back while it was being tried: soon again, once
        self.state.attempt += 1
        self.state.retry_at = workflow.now() + dt.timedelta(seconds=delay)

    def retry_now(self) -> None:
        if self.state.trouble:
            self.state.retry_at = workflow.now()

    def store_back(self) -> None:
        """The worker saw the store take writes again: what waits on it is tried at once, and
        a try under way now that fails is followed soon by another."""
        self.told_back = True
        if "store" in self.state.trouble:
            self.retry_now()

    def clear(self, kind: str) -> None:
        if self.state.trouble.pop(kind, None) is not None:
            workflow.logger.info(
                f"case no longer waiting on {_WHAT.get(kind, kind)}", extra={"waiting_on": kind}
            )
        if not self.state.trouble:
            self.state.retry_at, self.state.attempt = None, 0
            self.told_back = False

    @property
    def settled(self) -> bool:
        return not (
            self.state.outbox
            or self.state.release
            or self.state.trouble
            or self.state.recounts
            or self.state.rejected
            or self.state.notices
        )
