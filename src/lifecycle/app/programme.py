"""A programme's closure (guangzhou-2024 §5.2: the rules lapse when the pilot is accepted):
every case still listed, or under rectification, is closed with the closing clause, a few at a
time, each with the same idempotency key, so running it again closes what is left and applies
nothing twice."""

from __future__ import annotations

import asyncio

from lifecycle.app import rules
from lifecycle.app.cases import CaseService
from lifecycle.contracts import ActRequest
from lifecycle.errors import Invalid, LifecycleError, Refused

TRIGGER = "close_programme"
AT_ONCE = 4  # bulk work is paced: the server never queues many Updates at once
KEY = "close-programme"


def closing(policy: str) -> list[str]:
    """The states a programme's closure moves to closed; refused for a programme without one."""
    pack = rules.pack(policy)
    closes = pack.transition(TRIGGER)
    if not closes:
        having = [p for p in rules.ids() if rules.pack(p).transition(TRIGGER)]
        raise Refused(
            f"{policy} has no closing clause; {', '.join(having) or 'no programme'} closes its "
            "programme ('close_programme')."
        )
    return sorted({s.value for r in closes for s in r.source})


def check_reason(reason: str) -> None:
    if not reason.strip():
        raise Invalid("closing a programme needs a reason (--reason), e.g. the acceptance.")


async def close_programme(
    service: CaseService, policy: str, actor: str, reason: str, assurance: str = "asserted"
) -> list[tuple[str, str, bool]]:
    """(case id, what happened, whether it is closed now) for each case the read model shows
    in a state the closure moves."""
    states = closing(policy)
    check_reason(reason)
    cases = [c.case_id for s in states for c in service.store.cases(state=s, policy=policy)]
    gate = asyncio.Semaphore(AT_ONCE)

    async def close(case_id: str) -> tuple[str, str, bool]:
        async with gate:
            request = ActRequest(
                action=TRIGGER,
                actor=actor,
                reason=reason,
                request_id=KEY,
                assurance=assurance,  # type: ignore[arg-type]
            )
            try:
                result = await service.act(case_id, request)
            except LifecycleError as exc:
                return case_id, f"not closed: {exc}", False
            again = ", closed before" if result.duplicate else ""
            return case_id, f"{result.state.value} (#{result.seq}{again})", True

    return list(await asyncio.gather(*(close(c) for c in sorted(cases))))
