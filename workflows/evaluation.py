"""An evaluation round (DOMAIN.md §7): one workflow per programme and period that gathers the
providers in the directory, takes each evaluator's scores as an Update (checked by the
programme's rubric before anything reaches history), and, when an officer closes it, ranks them,
publishes the results and takes the actions each result brings the provider's case, paying
rewards in rank order within the budget. A Schedule per programme starts the
:class:`EvaluationTrigger`, which opens the round for the period that ended last.

Every rule is asked of :mod:`lifecycle.domain.evaluations`; what fails outside (the store, a
case that does not answer) is retried and shown, never a failed round."""

from __future__ import annotations

import asyncio
import datetime as dt

from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from lifecycle.calendar import SHANGHAI
    from lifecycle.contracts import ActRequest
    from lifecycle.contracts.rounds import (
        CLOSE,
        ROUND_VIEW,
        ROUND_WORKFLOW,
        SCORE,
        TRIGGER_WORKFLOW,
        AwardRequest,
        AwardResult,
        CaseActInput,
        CaseActOutcome,
        CloseRequest,
        PublishInput,
        Roster,
        RosterInput,
        RoundStart,
        RoundView,
        ScoreRequest,
        Status,
        TriggerStart,
    )
    from lifecycle.domain import assurance, evaluations
    from lifecycle.domain.actors import Actor, ActorError
    from lifecycle.domain.evaluations import Entrant, Result, Scored
    from lifecycle.domain.states import Role
    from lifecycle.errors import ENGINE_RULE
    from lifecycle.policies.registry import REGISTRY
    from lifecycle.policies.schema import PolicyPack
    from lifecycle.policies.versions import PackRef
    from lifecycle.temporal.search_attributes import policy_attribute

from workflows.core import BACKOFF
from workflows.inputs import read

BOUNDED = RetryPolicy(  # a few quick tries; then the round shows what it waits on
    initial_interval=dt.timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=dt.timedelta(seconds=4),
    maximum_attempts=3,
)
AT_ONCE = 4  # cases acted on at a time: the server never queues many Updates at once
ENGINE_OPENED = "engine"  # a round the programme's schedule opened
# A change made safe for running rounds: a round opened by an actor named without proof, where
# the workers take none, takes nothing (rounds opened before asked no one).
OPENER_PROVEN = "round-opener-proven"


@workflow.defn(name=ROUND_WORKFLOW)
class EvaluationRoundWorkflow:
    @workflow.init
    def __init__(self, start: RoundStart) -> None:
        self.start = start
        self.status: Status = "open"
        self.rules: PackRef | None = start.rules
        self.roster: list[Entrant] = []
        self.scores: dict[str, Scored] = {}
        self.results: list[Result] = []
        self.budget = start.budget_cny
        self.opened_at: dt.datetime | None = None
        self.closed_by: str | None = None
        self.closed_as: str = assurance.ASSERTED  # how the closing officer was known (proven)
        self.opened_as = self._opener(start)
        self.refused: str | None = None
        self.closed_at: dt.datetime | None = None
        self.applied = 0
        self.ready = False
        self.waiting: str | None = None

    def now(self) -> dt.datetime:
        return self.start.clock.anchored(workflow.info().start_time).now(workflow.now())

    @property
    def pack(self) -> PolicyPack:
        assert self.rules is not None
        return REGISTRY.get(self.rules)

    def _opener(self, start: RoundStart) -> str:
        """How the opening officer was known: the gateway's proof, or the engine's own when
        the programme's schedule opened the round (as its child: no client starts one so)."""
        if start.opened_by == "schedule" and workflow.info().parent is not None:
            return ENGINE_OPENED
        return assurance.proven(start.assurance, start.proof, start.proof_fields())

    @workflow.run
    async def run(self, start: RoundStart) -> RoundView:
        self.opened_at = self.now()
        if workflow.patched(OPENER_PROVEN) and not await self._opener_taken(start):
            # Opened by a client that reached Temporal directly, where the workers take no
            # named actor: the round gathers no one, publishes nothing and ends (engine rule).
            self.refused = assurance.unproven(start.opened_by or "-")
            self.status = "closed"
            workflow.logger.warning("round refused", extra={"refusal": self.refused})
            self._show()
            return self.view()
        roster = await self._call(
            "round_roster",
            Roster,
            RosterInput(
                round_id=start.round_id,
                policy=start.policy,
                period=start.period,
                rules=start.rules,
                budget_cny=start.budget_cny,
                opened_by=start.opened_by,
                opened_at=self.opened_at,
                opened_as=self.opened_as,
            ),
            "gather the providers in the directory",
        )
        self.rules, self.roster, self.ready = roster.rules, roster.entrants, True
        self._show()
        await workflow.wait_condition(lambda: self.status == "closing")
        await self._publish("closing")
        for first in range(0, len(self.results), AT_ONCE):
            batch = self.results[first : first + AT_ONCE]
            await asyncio.gather(*(self._apply(result) for result in batch))
            self._show()
        await self._publish("closed")
        self.status = "closed"
        self._show()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.view()

    async def _opener_taken(self, start: RoundStart) -> bool:
        if self.opened_as != assurance.ASSERTED:
            return True
        taken = await workflow.execute_local_activity(
            "takes_asserted",
            start.opened_by or "",
            result_type=bool,
            start_to_close_timeout=dt.timedelta(seconds=10),
            retry_policy=BOUNDED,
        )
        return bool(taken)

    # --- evaluators and the officer ----------------------------------------------------------

    @workflow.update(name=SCORE)
    def score(self, raw: RawValue) -> Scored:
        request = read(raw, ScoreRequest, "the score")
        entrant = self._entrant(request.case)
        scored = self._scored(request)
        self.scores[entrant.case_id] = scored
        self._show()
        return scored

    @score.validator
    def _validate_score(self, raw: RawValue) -> None:
        request = read(raw, ScoreRequest, "the score", check_size=True)
        problem = request.problem()
        if problem:
            raise ValueError(problem)
        self._proven(request, request.actor)
        self._open("score")
        self._entrant(request.case)
        self._scored(request)

    def _scored(self, request: ScoreRequest) -> Scored:
        actor = self._actor(request.actor, evaluations.evaluators(self.pack), "score")
        if request.missed:
            return Scored(missed=True, by=str(actor), reason=request.reason)
        try:
            data, score = evaluations.score_input(self.pack, request.data)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        return Scored(input=data, score=score, by=str(actor), reason=request.reason)

    @workflow.update(name=CLOSE)
    def close(self, raw: RawValue) -> RoundView:
        request = read(raw, CloseRequest, "the closing")
        actor = self._actor(request.actor, list(evaluations.CLOSED_BY), "close")
        if request.budget_cny is not None:
            self.budget = request.budget_cny
        results = evaluations.rank(self.pack, self.roster, self.scores)
        rewards = evaluations.allocate(self.pack, results, self.budget)
        self.results = [
            r.model_copy(update={"reward_cny": rewards.get(r.case_id)}) for r in results
        ]
        self.closed_by, self.closed_at, self.status = str(actor), self.now(), "closing"
        self.closed_as = self._known(request)
        self._show()
        return self.view()

    @close.validator
    def _validate_close(self, raw: RawValue) -> None:
        request = read(raw, CloseRequest, "the closing", check_size=True)
        problem = request.problem()
        if problem:
            raise ValueError(problem)
        self._proven(request, request.actor)
        self._open("close")
        self._actor(request.actor, list(evaluations.CLOSED_BY), "close")
        budget = request.budget_cny if request.budget_cny is not None else self.budget
        problem = evaluations.budget_problem(self.pack, self.start.round_id, budget, closing=True)
        if problem:
            raise ValueError(problem)

    def _known(self, request: ScoreRequest | CloseRequest) -> str:
        """How the actor was known, as the gateway's proof shows it (asserted without one)."""
        fields = request.proof_fields(self.start.round_id)
        return assurance.proven(request.assurance, request.proof, fields)

    def _proven(self, request: ScoreRequest | CloseRequest, actor: str) -> None:
        """An actor named without proof is refused where this worker takes none (engine rule):
        a client that reaches Temporal directly scores and closes no round."""
        unproven = assurance.refusal(self._known(request), actor)
        if unproven:
            raise ApplicationError(unproven, ENGINE_RULE, type="NotAllowed", non_retryable=True)

    def _open(self, what: str) -> None:
        if self.refused:
            raise ValueError(f"{self.start.round_id} takes no '{what}': {self.refused}")
        if not self.ready:
            raise ValueError(
                f"{self.start.round_id} is still gathering its providers; {what} again shortly."
            )
        if self.status != "open":
            raise ValueError(f"{self.start.round_id} is {self.status}; it takes no '{what}'.")

    def _entrant(self, case: str) -> Entrant:
        found = next((e for e in self.roster if case in (e.case_id, e.credit_code)), None)
        if found is None:
            raise ValueError(
                f"CASE '{case[:120]}' is not among the {len(self.roster)} provider(s) "
                f"{self.start.round_id} evaluates ('lifecycle round show {self.start.round_id}' "
                "lists them)."
            )
        return found

    def _actor(self, text: str, roles: list[Role], what: str) -> Actor:
        try:
            actor = Actor.parse(text)
        except ActorError as exc:
            raise ValueError(str(exc)) from None
        if actor.role not in roles:
            who = ", ".join(r.value for r in roles)
            raise ValueError(
                f"a {actor.role.value} may not '{what}' in an evaluation round; only {who} "
                f"may ({self.pack.id} {', '.join(self.pack.evaluation.clauses) or 'engine rule'})."
            )
        return actor

    @workflow.query(name=ROUND_VIEW)
    def view(self) -> RoundView:
        return RoundView(
            round_id=self.start.round_id,
            policy=self.start.policy,
            period=self.start.period,
            rules=self.rules,
            status=self.status,
            gathered=self.ready,
            budget_cny=self.budget,
            opened_by=self.start.opened_by,
            opened_at=self.opened_at,
            closed_by=self.closed_by,
            closed_at=self.closed_at,
            opened_as=self.opened_as,
            closed_as=self.closed_as if self.closed_by else None,
            refused=self.refused,
            roster=self.roster,
            scores=self.scores,
            results=self.results,
            applied=self.applied,
            waiting=self.waiting,
        )

    # --- closing -----------------------------------------------------------------------------

    async def _publish(self, status: Status) -> None:
        assert self.closed_by is not None and self.closed_at is not None
        await self._call(
            "publish_results",
            None,
            PublishInput(
                round_id=self.start.round_id,
                policy=self.start.policy,
                period=self.start.period,
                budget_cny=self.budget,
                closed_by=self.closed_by,
                closed_at=self.closed_at,
                results=self.results,
                status=status,
                closed_as=self.closed_as,
            ),
            f"publish {len(self.results)} result(s) ({status})",
        )

    async def _apply(self, result: Result) -> None:
        """The reward granted against the budget, then each action the result brings the case,
        in order; a refused action ends that case's actions and is kept as its outcome."""
        index = self.results.index(result)
        if result.reward_cny:
            granted = await self._call(
                "award",
                AwardResult,
                AwardRequest(
                    round_id=self.start.round_id,
                    case_id=result.case_id,
                    amount_cny=result.reward_cny,
                ),
                f"grant {result.reward_cny} CNY to {result.name}",
            )
            result = result.model_copy(update={"reward_cny": granted.granted_cny})
        outcome = []
        for step in evaluations.steps(self.pack, self.start.round_id, self.start.period, result):
            request = ActRequest(
                action=step.action,
                actor=self.closed_by or "",
                assurance=self.closed_as,  # signed by the activity with the worker's key
                reason=step.reason,
                data=step.data,
                request_id=f"{self.start.round_id}:{step.action}",
                sent_at=workflow.now(),
            )
            done = await self._call(
                "act_on_case",
                CaseActOutcome,
                CaseActInput(case_id=result.case_id, request=request),
                f"{step.action} on {result.name}",
            )
            if not done.applied:
                outcome.append(f"{step.action} refused: {done.refusal}")
                break
            assert done.result is not None
            outcome.append(f"{step.action} #{done.result.seq} ({done.result.state.value})")
        self.results[index] = result.model_copy(update={"outcome": outcome})
        self.applied += 1

    async def _call(self, activity: str, result_type, arg, summary: str):  # type: ignore[no-untyped-def]
        """An activity tried until it succeeds: a store or a case that cannot be reached is
        shown as what the round waits on (Web UI details, ``round show``), logged, and tried
        again later (after 10 s, 30 s, 1 min, 5 min, 15 min, then every 30 min)."""
        attempt = 0
        while True:
            try:
                result = await workflow.execute_activity(
                    activity,
                    arg,
                    result_type=result_type,
                    start_to_close_timeout=dt.timedelta(seconds=60),
                    retry_policy=BOUNDED,
                    summary=summary,
                )
            except ActivityError as err:
                cause = err.cause
                problem = getattr(cause, "message", None) or str(cause or err)
                if self.waiting is None:
                    workflow.logger.warning(
                        "round is waiting", extra={"waiting_on": summary, "problem": problem}
                    )
                self.waiting = f"{summary}: {problem}"
                self._show()
                delay = BACKOFF[min(attempt, len(BACKOFF) - 1)]
                await workflow.sleep(delay, summary=f"try again: {summary}")
                attempt += 1
                continue
            if self.waiting is not None:
                self.waiting = None
                self._show()
            return result

    def _show(self) -> None:
        scored = sum(1 for s in self.scores.values())
        lines = [
            f"**{self.status}** · {self.start.policy} evaluation {self.start.period}",
            f"Providers: {len(self.roster)}; scored: {scored}",
        ]
        if self.budget is not None:
            lines.append(f"Budget: {self.budget:,} CNY")
        if self.status != "open":
            lines.append(f"Closed by {self.closed_by}; results applied: {self.applied}")
        if self.waiting:
            lines.append(f"⚠ Waiting: {self.waiting}")
        if self.refused:
            lines.append(f"⚠ Refused: {self.refused}")
        workflow.set_current_details("\n\n".join(lines))


@workflow.defn(name=TRIGGER_WORKFLOW)
class EvaluationTrigger:
    """What a programme's Schedule runs: opens the round for the period that ended last, once
    (a round that exists already is left as it is)."""

    @workflow.run
    async def run(self, start: TriggerStart) -> str:
        clock = start.clock.anchored(workflow.info().start_time)
        today = clock.now(workflow.now()).astimezone(SHANGHAI).date()
        period = evaluations.ended_period(start.every, today)
        rid = evaluations.round_id(start.policy, period)
        try:
            await workflow.start_child_workflow(
                EvaluationRoundWorkflow.run,
                RoundStart(
                    round_id=rid,
                    policy=start.policy,
                    period=period,
                    clock=start.clock,
                    opened_by="schedule",
                    indexed=start.indexed,
                ),
                id=rid,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                parent_close_policy=ParentClosePolicy.ABANDON,
                static_summary=f"{start.policy} evaluation {period} (opened by its schedule)",
                search_attributes=policy_attribute(start.policy) if start.indexed else None,
            )
        except WorkflowAlreadyStartedError:
            return f"{rid} exists already"
        return rid
