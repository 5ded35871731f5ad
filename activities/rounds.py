"""An evaluation round's effects: its roster from the read model, its published results, the
rewards granted against its budget, and the actions its results bring each provider's case,
sent as the case's own ``act`` Update with a key per round and action (applied once however
often an attempt is retried). A case that refuses an action is an outcome, not a failure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.store import in_store
from lifecycle.app.cases import CaseService
from lifecycle.contracts.rounds import (
    AwardRequest,
    AwardResult,
    CaseActInput,
    CaseActOutcome,
    PublishInput,
    Roster,
    RosterInput,
)
from lifecycle.domain.evaluations import ROSTER_LIMIT
from lifecycle.errors import LifecycleError, NoAnswer, Unavailable
from lifecycle.policies import REGISTRY
from lifecycle.store.repo import Store

T = TypeVar("T")
# What a case's answer may be besides applied: refused by its rules (kept as the outcome), or
# not reachable now (the round tries again).
NOT_NOW = (Unavailable, NoAnswer)


class RoundActivities:
    def __init__(self, store: Callable[[], Store], client: Client | None) -> None:
        self._store, self._client = store, client

    async def _run(self, work: Callable[[Store], T]) -> T:
        return await in_store(self._store, work)

    @activity.defn(name="round_roster")
    async def round_roster(self, data: RosterInput) -> Roster:
        """The providers in the programme's directory as the round opens, and its rules."""
        rules = data.rules or REGISTRY.current(data.policy)
        entrants = await self._run(lambda s: s.rounds.directory(data.policy))
        if len(entrants) > ROSTER_LIMIT:
            raise ApplicationError(
                f"{data.policy} has {len(entrants)} providers in its directory; a round "
                f"evaluates at most {ROSTER_LIMIT} (engine rule).",
                type="RosterTooLarge",
            )
        await self._run(lambda s: s.rounds.open(data, rules.version, len(entrants)))
        return Roster(rules=rules, entrants=entrants)

    @activity.defn(name="publish_results")
    async def publish_results(self, data: PublishInput) -> None:
        await self._run(lambda s: s.rounds.publish(data))

    @activity.defn(name="award")
    async def award(self, request: AwardRequest) -> AwardResult:
        now = dt.datetime.now(dt.UTC)
        granted = await self._run(
            lambda s: s.rounds.award(request.round_id, request.case_id, request.amount_cny, now)
        )
        return AwardResult(granted_cny=granted)

    @activity.defn(name="act_on_case")
    async def act_on_case(self, data: CaseActInput) -> CaseActOutcome:
        """One action on a provider's case; a refusal is returned, an outage retried."""
        assert self._client is not None, "the worker gives round activities a client"
        sent = data.request.sent_at or dt.datetime.now(dt.UTC)

        async def when_sent() -> dt.datetime:  # when the round sent it, however late it lands
            return sent

        service = CaseService(self._client, self._store(), real_now=when_sent)
        try:
            result = await service.act(data.case_id, data.request)
        except NOT_NOW as exc:
            raise ApplicationError(str(exc), type="CaseUnavailable") from exc
        except LifecycleError as exc:
            return CaseActOutcome(applied=False, refusal=str(exc))
        return CaseActOutcome(applied=True, result=result)
