"""Applying, acting on and reading cases: what every face calls. It speaks to the case workflow
by name, with the contracts; it never imports the workflow."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio.client import (
    Client,
    WorkflowHandle,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from lifecycle.app.calls import resolve_round
from lifecycle.app.failures import unavailable
from lifecycle.app.packs import missing_action
from lifecycle.app.rules import ref as current_rules
from lifecycle.app.system import System
from lifecycle.calendar import SHANGHAI, Deadline
from lifecycle.clock import BusinessClock
from lifecycle.config import TASK_QUEUE
from lifecycle.contracts import (
    ACT,
    CALENDAR_CHANGED,
    EVENT,
    MOVE_RULES,
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
)
from lifecycle.contracts.case import ENGINE, HISTORY_EVENTS
from lifecycle.domain import limits
from lifecycle.domain.application import Application, intake_refusal
from lifecycle.domain.assurance import sign
from lifecycle.domain.states import TERMINAL_STATES
from lifecycle.errors import ENGINE_RULE, Invalid, NoAnswer, NotFound, Refused, Unavailable
from lifecycle.policies import REGISTRY, PackRef, PolicyPack
from lifecycle.policies.schema import Round
from lifecycle.store.repo import Store
from lifecycle.temporal import search_attributes as attrs
from lifecycle.temporal import updates
from lifecycle.temporal.codec import SealedElsewhere


async def _wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def case_id_for(policy: str, round_name: str, credit_code: str) -> str:
    return f"case:{policy}:{round_name}:{credit_code}"


def policy_of(case_id: str) -> str:
    """The programme a case id names (``case:{policy}:…``)."""
    return checked_case_id(case_id).split(":")[1]


def checked_case_id(case_id: str) -> str:
    """A case id as ``case_id_for`` makes them, or one sentence naming what is wrong."""
    parts = case_id.split(":")
    problem = limits.text("CASE_ID", case_id, 120)
    if problem is None and (len(parts) != 4 or parts[0] != "case" or not all(parts[1:])):
        problem = (
            f"CASE_ID is '{limits.shorten(case_id)}'; a case id reads "
            "case:POLICY:ROUND:CREDIT_CODE ('lifecycle case list' shows them)."
        )
    if problem:
        raise Invalid(problem)
    return case_id


def stamped(case_id: str, request: ActRequest, sent_at: dt.datetime) -> ActRequest:
    """The request with the time it was sent and its idempotency key: the one given, else one
    derived from what it says and the case's change it was decided on (the same command sent
    again is the same request), else a new one."""
    key = request.request_id
    if key is None and request.expected_seq is not None:
        content = request.model_dump(mode="json", exclude={"request_id", "sent_at"})
        text = json.dumps([case_id, content], sort_keys=True, ensure_ascii=False, default=str)
        key = "r-" + hashlib.sha256(text.encode()).hexdigest()[:32]
    return request.model_copy(
        update={"request_id": key or f"r-{uuid.uuid4().hex}", "sent_at": sent_at}
    )


class CaseService:
    def __init__(
        self,
        client: Client,
        store: Store,
        clock: BusinessClock | None = None,
        task_queue: str = TASK_QUEUE,
        indexed: bool = True,
        history_budget: int = HISTORY_EVENTS,
        act_timeout: float = 30.0,
        real_now: Callable[[], Awaitable[dt.datetime]] | None = None,
        spread: int = 0,
    ) -> None:
        self.client, self.store, self.clock = client, store, clock or BusinessClock()
        self.spread = spread  # LIFECYCLE_DEADLINE_SPREAD: seconds a deadline's firing is spread
        self.task_queue, self.indexed, self.history_budget = task_queue, indexed, history_budget
        self.act_timeout = act_timeout
        # The time a request is sent at: the wall clock, or a test server's own clock.
        self.real_now = real_now or _wall_clock

    def business_now(self) -> dt.datetime:
        real = dt.datetime.now(dt.UTC)
        return self.clock.anchored(real).now(real)

    async def apply(
        self,
        policy: str,
        app: Application,
        round_name: str | None = None,
        now: dt.datetime | None = None,
        rules: PackRef | None = None,
    ) -> str:
        """Opens a case under the programme's current rules (or the version ``rules`` names).
        ``now`` (tests) starts that case's business time at ``now``, not the system clock's."""
        rules = rules or REGISTRY.current(policy)
        pack = REGISTRY.get(rules)
        refusal = intake_refusal(pack, app)
        if refusal:
            raise Invalid(refusal, pack.admission.required_fields_clause)
        name, rnd = resolve_round(self.store, pack, round_name)
        clock = self.clock
        if now is not None:
            clock = BusinessClock(business_origin=now, day_seconds=self.clock.day_seconds)
        today = now or self.business_now()
        self._check_open(pack, name, rnd, today)
        self._check_ban(pack, app, today.astimezone(SHANGHAI).date())
        case_id = case_id_for(pack.id, name, app.credit_code)
        claimed = self._claim(pack, name, app, case_id)
        start = CaseStart(
            case_id=case_id,
            application=app,
            round_name=name,
            round=rnd,
            rules=rules,
            clock=clock,
            indexed=self.indexed,
            history_budget=self.history_budget,
            spread=self.spread,
            engine=ENGINE,
        )
        try:
            await self.client.start_workflow(
                WORKFLOW,
                start,
                id=case_id,
                task_queue=self.task_queue,
                result_type=CaseOutcome,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                search_attributes=self._attributes(pack, app),
                # The details (the provider, its district, the rules) are the case's own, set by
                # the workflow from what it holds: nothing carried twice in the start event.
                static_summary=f"{app.name} · {pack.title} ({pack.id}, round {name})",
            )
        except WorkflowAlreadyStartedError as exc:
            raise Refused(
                f"{app.name} ({app.credit_code}) already has a case in {pack.id} round {name}: "
                f"{case_id}; a second application is refused (engine rule)."
            ) from exc
        except RPCError as exc:
            if claimed:
                self.store.release_claim(pack.id, name, app.entity, case_id)
            raise self._rpc(case_id, exc) from exc
        except BaseException:
            if claimed:
                self.store.release_claim(pack.id, name, app.entity, case_id)
            raise
        return case_id

    def _attributes(self, pack: PolicyPack, app: Application) -> TypedSearchAttributes | None:
        if not self.indexed:
            return None
        return TypedSearchAttributes(
            [
                SearchAttributePair(attrs.CASE_STATE, pack.initial.value),
                SearchAttributePair(attrs.POLICY_ID, pack.id),
                SearchAttributePair(attrs.PROVIDER_NAME, app.name),
                SearchAttributePair(attrs.CREDIT_CODE, app.credit_code),
                SearchAttributePair(attrs.DISTRICT, app.district),
            ]
        )

    def _check_open(self, pack: PolicyPack, name: str, rnd: Round, now: dt.datetime) -> None:
        if rnd.applications_close is None:
            return
        closes = Deadline(date=rnd.applications_close, provisional=False).closes_at()
        if now >= closes:
            raise Refused(
                f"Applications to {pack.id} round {name} closed at {rnd.applications_close} "
                f"24:00 (Asia/Shanghai) ({pack.admission.required_fields_clause}); this one "
                f"arrived {now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}.",
                f"{pack.id} {pack.admission.required_fields_clause}",
            )

    def _check_ban(self, pack: PolicyPack, app: Application, today: dt.date) -> None:
        codes = [app.credit_code, *([app.parent_credit_code] if app.parent_credit_code else [])]
        ban = self.store.active_ban(codes, pack.id, today)
        if ban is not None:
            until = f"until {ban.ends}" if ban.ends else "permanently"
            raise Refused(
                f"{ban.credit_code} is banned from applying {until}: {ban.reason} ({ban.clause}).",
                ban.clause,
            )

    def _claim(self, pack: PolicyPack, name: str, app: Application, case_id: str) -> bool:
        clause = pack.admission.one_entity_clause
        if clause is None:
            return False
        holder = self.store.claim(pack.id, name, app.entity, case_id)
        if holder is not None:
            raise Refused(
                f"{app.name} ({app.credit_code}) belongs to entity {app.entity}, which already "
                f"applies in {pack.id} round {name} as {holder}; branches or subsidiaries of one "
                f"entity may not both apply ({clause}).",
                f"{pack.id} {clause}",
            )
        return True

    # --- acting and reading ------------------------------------------------------------------

    def handle(self, case_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(case_id, result_type=CaseOutcome)

    async def act(self, case_id: str, request: ActRequest) -> ActResult:
        """Sends a person's decision, stamped with when it was sent and its idempotency key: the
        case applies a key once and answers it again with that outcome, while an attempt that
        failed (a calendar or store that could not be used) may be sent again and decided
        afresh."""
        request = stamped(case_id, request, await self.real_now())
        problem = request.problem()
        if problem:
            raise Invalid(problem)
        request = request.model_copy(update={"proof": sign(request.proof_fields(case_id))})
        return await self._update(case_id, ACT, request, request.request_id)

    async def send_event(self, case_id: str, event: ExternalEvent) -> None:
        """Another system's event (fire and forget), stamped with when it was sent; the case
        applies it once, or refuses it and keeps it for the sender ('lifecycle events
        rejected')."""
        event = event.model_copy(update={"sent_at": await self.real_now()})
        problem = event.problem()
        if problem:
            raise Invalid(problem)
        event = event.model_copy(update={"proof": sign(event.proof_fields(case_id))})
        try:
            await self.handle(case_id).signal(EVENT, event)
        except RPCError as exc:
            raise self._rpc(case_id, exc) from exc

    async def move(self, case_id: str, request: MoveRequest) -> ActResult:
        problem = request.problem()
        if problem:
            raise Invalid(problem)
        request = request.model_copy(update={"proof": sign(request.proof_fields(case_id))})
        return await self._update(case_id, MOVE_RULES, request)

    async def last_seq(self, case_id: str, wait: float = 3.0) -> int:
        """The number of the case's last change as the actor reads it: from the case itself,
        or from the store when the case does not answer in time (a worker down)."""
        checked_case_id(case_id)
        try:
            return (await asyncio.wait_for(self.view(case_id), wait)).case.seq
        except (TimeoutError, NoAnswer, Unavailable, NotFound):
            row = self.store.case(case_id)
            if row is None:
                raise NotFound(f"There is no case '{case_id}'.") from None
            return row.last_seq

    async def _update(
        self, case_id: str, name: str, request: Any, request_id: str | None = None
    ) -> ActResult:
        checked_case_id(case_id)
        return await updates.execute(
            self.handle(case_id),
            name,
            request,
            ActResult,
            self.act_timeout,
            f"{case_id} did not answer within {self.act_timeout:g} s (is the worker running?); "
            "the action may still be applied when it does. Check with 'lifecycle case show "
            f"{case_id}', or send the same command again: it carries the same request id "
            f"({request_id}) and is applied once.",
            lambda exc: self._rpc(case_id, exc),
        )

    async def view(self, case_id: str) -> CaseView:
        checked_case_id(case_id)
        return await updates.query(  # type: ignore[no-any-return]
            self.handle(case_id),
            VIEW,
            CaseView,
            self.act_timeout,
            f"{case_id} did not answer within {self.act_timeout:g} s (is the worker running?); "
            f"'lifecycle case history {case_id}' reads its trail from the store.",
            f"Case {case_id} cannot be shown",
            lambda exc: self._rpc(case_id, exc),
        )

    async def check_keys(self, case_id: str) -> None:
        """Whether this process's codec keys open the case's data (its summary, read from the
        server alone): a command whose settings are not the running system's is told so before
        it sends anything the case could not read."""
        try:
            described = await self.handle(checked_case_id(case_id)).describe()
            await described.static_summary()
        except SealedElsewhere:
            raise
        except RPCError as exc:
            raise self._rpc(case_id, exc) from exc

    async def tell_calendar(self, notice: CalendarNotice) -> list[str]:
        """Signals every open case whose deadlines touch the year; returns their ids."""
        told = []
        for case_id in self.store.cases_touching(notice.year):
            try:
                await self.handle(case_id).signal(CALENDAR_CHANGED, notice)
            except RPCError as exc:
                if exc.status != RPCStatusCode.NOT_FOUND:
                    raise
                continue
            told.append(case_id)
        return told

    def _rpc(self, case_id: str, exc: RPCError) -> Exception:
        """What Temporal's answer means for a person: the case is closed, there is none, or
        Temporal cannot be used now."""
        if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            row = self.store.case(case_id)
            closed = row is not None and (
                row.state in {s.value for s in TERMINAL_STATES}
                or exc.status == RPCStatusCode.NOT_FOUND  # known here, gone from Temporal
            )
            if row is not None and closed:
                return Refused(f"Case {case_id} is closed ({row.state}); it takes no actions.")
            if exc.status == RPCStatusCode.NOT_FOUND:
                return NotFound(f"There is no case '{case_id}'.")
        if exc.status == RPCStatusCode.INVALID_ARGUMENT:
            return Invalid(f"Temporal refused the request for {case_id}: {exc.message}.")
        return Unavailable(f"Temporal refused the request for {case_id}: {exc.message}.")


# --- what the faces call -----------------------------------------------------------------------


async def cases(system: System) -> CaseService:
    return CaseService(
        await system.client(),
        system.store,
        system.clock(),
        act_timeout=system.settings.act_timeout,
        spread=system.settings.deadline_spread,
    )


async def apply(system: System, policy: str, app: Application, round_name: str | None) -> str:
    """Opens a case under the programme's current rules; its id."""
    current_rules(policy)
    return await (await cases(system)).apply(policy, app, round_name)


async def act(system: System, case_id: str, request: ActRequest) -> ActResult:
    """Sends a decision, decided on the case's last change as read now unless the request
    names the one it was decided on; a direct command first checks it can read the case."""
    checked_case_id(case_id)
    behind = _rules_behind(system, case_id, request.action)
    if behind:
        raise Refused(behind, ENGINE_RULE)
    service = await cases(system)
    if system.direct:
        await service.check_keys(case_id)
    if request.expected_seq is None:
        seq = await service.last_seq(case_id)
        request = request.model_copy(update={"expected_seq": seq})
    return await service.act(case_id, request)


def _rules_behind(system: System, case_id: str, action: str) -> str | None:
    """An action the case's own version of its rules lacks but the current one has, said with
    the version and the move (from the read model; nothing is said while it cannot be read)."""
    try:
        row = system.store.case(case_id)
    except Exception as exc:
        if unavailable(exc) is None:
            raise
        return None
    if row is None:
        return None
    return missing_action(row.policy, row.rules_version, action, case_id)


async def move(system: System, case_id: str, request: MoveRequest) -> tuple[ActResult, str]:
    """Moves a running case to another version of its programme's rules ('current': the
    programme's current one); the result and the version moved to."""
    version = request.version
    if version == "current":
        version = current_rules(policy_of(case_id)).version
    service = await cases(system)
    if system.direct:
        await service.check_keys(case_id)
    result = await service.move(case_id, request.model_copy(update={"version": version}))
    return result, version


@dataclasses.dataclass(frozen=True)
class Whose:
    """Whose case it is, as access asks it: the provider and the district."""

    credit_code: str
    district: str | None


async def whose(system: System, case_id: str) -> Whose | None:
    """Whose case it is: from the read model, or, while the store cannot be used, from the case
    itself (None: there is no such case in the store)."""
    try:
        row = system.store.case(checked_case_id(case_id))
    except Exception as exc:
        if unavailable(exc) is None:
            raise
        case = (await (await cases(system)).view(case_id)).case
        return Whose(case.credit_code, case.district)
    return Whose(row.credit_code, row.district) if row is not None else None


async def show(system: System, case_id: str) -> tuple[CaseView, list[Any] | None]:
    """The case as it stands (from the case itself) and its audit trail (from the store; None
    while the store cannot be used: the case still answers)."""
    view = await (await cases(system)).view(checked_case_id(case_id))
    try:
        return view, system.store.audit(case_id)
    except Exception as exc:
        if unavailable(exc) is None:
            raise
        return view, None
