"""Opening, scoring, closing and reading evaluation rounds: what every face calls. It speaks to
the round workflow by name, with the contracts."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

from temporalio.client import (
    Client,
    WorkflowHandle,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from lifecycle.app import rules
from lifecycle.app.system import System
from lifecycle.clock import BusinessClock
from lifecycle.config import TASK_QUEUE
from lifecycle.contracts.rounds import (
    CLOSE,
    ROUND_VIEW,
    ROUND_WORKFLOW,
    SCORE,
    CloseRequest,
    RoundStart,
    RoundView,
    ScoreRequest,
)
from lifecycle.domain import evaluations
from lifecycle.domain.actors import Actor, ActorError
from lifecycle.domain.assurance import sign
from lifecycle.domain.evaluations import Scored
from lifecycle.errors import Invalid, NoAnswer, NotFound, Refused, Unavailable
from lifecycle.policies import REGISTRY
from lifecycle.store.models import EvaluationRoundRow
from lifecycle.store.repo import Store
from lifecycle.temporal import updates
from lifecycle.temporal.search_attributes import policy_attribute

ROUND_ID = re.compile(r"^evaluation:[a-z]+-\d{4}:\d{4}(-Q[1-4])?$")


def checked_round_id(text: str) -> str:
    if not ROUND_ID.match(text):
        raise Invalid(
            f"ROUND is '{text[:60]}'; a round id reads evaluation:POLICY:PERIOD, e.g. "
            "evaluation:wuhan-2021:2026 ('lifecycle round list' shows them)."
        )
    return text


def check_start(policy: str, period: str, budget: int | None, today: dt.date) -> None:
    """Refuses, in one sentence, a round the programme does not hold (before connecting)."""
    pack = rules.pack(policy)
    try:
        evaluations.cadence(pack)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    problem = evaluations.period_problem(pack, period, today)
    if problem:
        raise Invalid(problem)
    problem = evaluations.budget_problem(pack, "", budget, closing=False)
    if problem:
        raise Invalid(problem)


class RoundService:
    def __init__(
        self,
        client: Client,
        store: Store,
        clock: BusinessClock | None = None,
        task_queue: str = TASK_QUEUE,
        indexed: bool = True,
        timeout: float = 30.0,
    ) -> None:
        self.client, self.store, self.clock = client, store, clock or BusinessClock()
        self.task_queue, self.indexed, self.timeout = task_queue, indexed, timeout

    async def start(
        self,
        policy: str,
        period: str,
        budget: int | None = None,
        opened_by: str | None = None,
        today: dt.date | None = None,
        assurance: str = "asserted",
    ) -> str:
        """Opens the round of ``policy`` for ``period`` under the programme's current rules,
        signed with how the opener was known (the gateway's key; a command has none)."""
        check_start(policy, period, budget, today or self.clock.today())
        current = REGISTRY.current(policy)
        pack = REGISTRY.get(current)
        rid = evaluations.round_id(policy, period)
        opening = RoundStart(
            round_id=rid,
            policy=policy,
            period=period,
            rules=current,
            budget_cny=budget,
            clock=self.clock,
            opened_by=opened_by,
            indexed=self.indexed,
            assurance=assurance,  # type: ignore[arg-type]  # checked by the model
        )
        opening = opening.model_copy(update={"proof": sign(opening.proof_fields())})
        try:
            await self.client.start_workflow(
                ROUND_WORKFLOW,
                opening,
                id=rid,
                task_queue=self.task_queue,
                result_type=RoundView,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                search_attributes=policy_attribute(policy) if self.indexed else None,
                static_summary=f"{pack.title}: evaluation {period} ({policy})",
                static_details=f"Evaluation round of {pack.title} for {period}, rules {current}; "
                f"{pack.evaluation.scheme or ''}",
            )
        except WorkflowAlreadyStartedError:
            raise Refused(
                f"{policy} already has a round for {period}: {rid} ('lifecycle round show "
                f"{rid}'); a period is evaluated once (engine rule)."
            ) from None
        return rid

    def handle(self, round_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(checked_round_id(round_id), result_type=RoundView)

    async def score(self, round_id: str, request: ScoreRequest) -> Scored:
        """An evaluator's scores, signed with how the evaluator was known (the gateway's key;
        a command has none: its actor is named, not proven)."""
        problem = request.problem()
        if problem:
            raise Invalid(problem)
        request = request.model_copy(update={"proof": sign(request.proof_fields(round_id))})
        return await self._update(round_id, SCORE, request, Scored)

    async def close(self, round_id: str, request: CloseRequest) -> RoundView:
        problem = request.problem()
        if problem:
            raise Invalid(problem)
        request = request.model_copy(update={"proof": sign(request.proof_fields(round_id))})
        return await self._update(round_id, CLOSE, request, RoundView)

    async def view(self, round_id: str) -> RoundView:
        return await updates.query(  # type: ignore[no-any-return]
            self.handle(round_id),
            ROUND_VIEW,
            RoundView,
            self.timeout,
            f"{round_id} did not answer within {self.timeout:g} s (is the worker running?).",
            f"{round_id} cannot be shown",
            lambda exc: self._rpc(round_id, exc),
        )

    async def opened(self, round_id: str, wait: float = 30.0) -> RoundView:
        """The round once it has gathered its providers, or as it stands after ``wait`` s."""
        return await self._until(round_id, lambda v: v.gathered or v.refused, wait)

    async def closed(self, round_id: str, wait: float) -> RoundView:
        """The round once it has applied every result, or as it stands after ``wait`` s."""
        return await self._until(round_id, lambda v: v.status == "closed", wait)

    async def _until(self, round_id: str, done: Any, wait: float) -> RoundView:
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            view = await self.view(round_id)
            if done(view) or asyncio.get_running_loop().time() > deadline:
                return view
            await asyncio.sleep(0.2)

    async def _update(self, round_id: str, name: str, request: Any, result: type) -> Any:
        return await updates.execute(
            self.handle(round_id),
            name,
            request,
            result,
            self.timeout,
            f"{round_id} did not answer within {self.timeout:g} s (is the worker running?); "
            f"check with 'lifecycle round show {round_id}'.",
            lambda exc: self._rpc(round_id, exc),
        )

    def _rpc(self, round_id: str, exc: RPCError) -> Exception:
        row = self.store.rounds.round(round_id)
        if row is not None and exc.status in (
            RPCStatusCode.NOT_FOUND,
            RPCStatusCode.FAILED_PRECONDITION,
        ):
            return Refused(
                f"{round_id} is closed (results published {row.closed_at:%Y-%m-%d}); it takes "
                "no more scores."
                if row.closed_at
                else f"{round_id} has ended; it takes no more scores."
            )
        if exc.status == RPCStatusCode.NOT_FOUND:
            return NotFound(f"There is no round '{round_id}' ('lifecycle round list').")
        return Unavailable(f"Temporal refused the request for {round_id}: {exc.message}.")


async def rounds(system: System) -> RoundService:
    return RoundService(
        await system.client(), system.store, system.clock(), timeout=system.settings.act_timeout
    )


async def report(store: Store, service: RoundService, round_id: str) -> RoundReport:
    """A round as it stands: from the round itself, or, once it has ended, from what it
    published to the store."""
    row = store.rounds.round(round_id)
    try:
        view = await service.view(round_id)
    except (NoAnswer, NotFound, Refused, Unavailable):
        if row is None or row.status != "closed":
            raise
        return RoundReport(row=row, results=store.rounds.results(round_id))
    return RoundReport(view=view, spent=store.rounds.spent(round_id))


class RoundReport:
    """The round's own view (with what its rewards spent), or its stored row and results."""

    def __init__(
        self,
        view: RoundView | None = None,
        spent: int | None = None,
        row: EvaluationRoundRow | None = None,
        results: list[Any] | None = None,
    ) -> None:
        self.view, self.spent, self.row, self.results = view, spent, row, results or []


def rows(store: Store, policy: str | None) -> list[EvaluationRoundRow]:
    return store.rounds.rounds(policy)


def officer(actor: str | None, what: str) -> str | None:
    """The bureau officer who opens or closes a round (``what``), as ROLE:ID."""
    if actor is None:
        return None
    try:
        who = Actor.parse(actor)
    except ActorError as exc:
        raise Invalid(str(exc)) from None
    if who.role not in evaluations.CLOSED_BY:
        raise Invalid(f"--as is '{actor}'; a round is {what} by a bureau_officer (engine rule).")
    return str(who)


async def start(
    system: System,
    policy: str,
    period: str,
    budget: int | None,
    opened_by: str | None,
    assurance: str = "asserted",
) -> RoundView:
    """Opens a programme's round for a period; the round once it has gathered its providers."""
    check_start(policy, period, budget, system.today())
    service = await rounds(system)
    rid = await service.start(policy, period, budget, opened_by, assurance=assurance)
    return await service.opened(rid)


async def score(system: System, round_id: str, **fields: Any) -> Scored:
    """An evaluator's scores for one provider (``case``, ``actor``, ``data``, ``missed``,
    ``reason``), or that it did not take part."""
    return await (await rounds(system)).score(checked_round_id(round_id), ScoreRequest(**fields))


async def close(system: System, round_id: str, wait: float, **fields: Any) -> RoundView:
    """Closes a round (``actor``, ``reason``, ``budget_cny``); the round once it has acted on
    every case, or as it stands after ``wait`` seconds."""
    service = await rounds(system)
    round_id = checked_round_id(round_id)
    await service.close(round_id, CloseRequest(**fields))
    return await service.closed(round_id, wait)


async def show(system: System, round_id: str) -> RoundReport:
    return await report(system.store, await rounds(system), checked_round_id(round_id))
