"""The case workflow's calls to its activities: by name (the workflow module imports no
database library), retries bounded so that a stuck call cannot hold a case's lock for ever, and
one sentence when a call fails.

Since ``LOCAL_CALLS`` the questions a decision asks (working days, a place, the bureau's
settings, an event seen before) and the keeping of refused events run as local activities: in
the worker, within the workflow task that asked, with one marker holding the result in the
history and no extra round trip. Each is short and idempotent, and a failed one still leaves the
case as it was and is retried and shown. ``record_case`` stays a scheduled activity: the Web
UI's timeline shows each recorded change by its summary (who did what and why), which it does
not for a local one. Runs recorded before keep replaying their activities as they were
scheduled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, FailureError

from workflows.versions import follows

with workflow.unsafe.imports_passed_through():
    from lifecycle.contracts import (
        CALENDAR_QUESTION,
        WHOLE_WANTED,
        ClaimRequest,
        ClaimResult,
        Counted,
        DeadlineRequest,
        EventSeen,
        EventSeenInput,
        ObtainRequest,
        RecordInput,
        RejectedEvent,
        RejectedEvents,
        ReservationRequest,
        SelectionCount,
        SelectionQuery,
        SettingsFound,
        SettingsInput,
        SlotResult,
    )
    from lifecycle.domain import limits
    from lifecycle.domain.case import AuditEntry
    from lifecycle.domain.plan import Obtained, Plan

TIMEOUT = dt.timedelta(seconds=10)
BOUNDED = RetryPolicy(
    initial_interval=dt.timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=dt.timedelta(seconds=4),
    maximum_attempts=3,
    non_retryable_error_types=[CALENDAR_QUESTION],
)
# A change made safe for running cases: the questions a decision asks run locally from then on.
LOCAL_CALLS = "local-calls"


# One try: a record asked while the store is known to be down (a person's action then answers
# at once; the case's own rounds try again).
ONCE = RetryPolicy(maximum_attempts=1)


async def _call(
    name: str, arg: Any, result_type: type | None, summary: str, retry: RetryPolicy = BOUNDED
) -> Any:
    if name != "record_case" and follows(LOCAL_CALLS):
        # A local call's summary is not shown by the Web UI: what it waits on is shown in the
        # case's details when it fails.
        try:
            return await workflow.execute_local_activity(
                name,
                arg,
                result_type=result_type,
                start_to_close_timeout=TIMEOUT,
                retry_policy=BOUNDED,
                summary=None,
            )
        except FailureError as err:
            if isinstance(err, ActivityError | CancelledError):
                raise
            # A local activity's failure arrives as itself: wrapped as a scheduled one's is.
            raise ActivityError(
                f"{name} failed",
                scheduled_event_id=0,
                started_event_id=0,
                identity="",
                activity_type=name,
                activity_id="",
                retry_state=None,
            ) from err
    return await workflow.execute_activity(
        name,
        arg,
        result_type=result_type,
        start_to_close_timeout=TIMEOUT,
        retry_policy=retry,
        summary=summary,
    )


class Unavailable(Exception):
    """Something the case needs from outside failed after its retries: ``what`` it was (the
    calendar, the store) and the failure in one clause. The case is left as it was."""

    def __init__(self, what: str, detail: str, fixable: bool = True) -> None:
        super().__init__(f"{what}: {detail}")
        self.what, self.detail, self.fixable = what, detail, fixable

    @property
    def kind(self) -> str:
        """The kind of error it is for the person who acted (``lifecycle.errors``): the store
        down is unavailable; a calendar file or a bureau setting to fix is a setting that does
        not fit; a question no calendar answers is the input's."""
        if not self.fixable:
            return "Invalid"
        return "Unavailable" if self.what == "the store" else "Misconfigured"

    def refusal(self, action: str) -> str:
        return (
            f"'{action}' was not applied: {self.what} cannot be used ({self.detail.rstrip('.')}); "
            "nothing was changed, so try again once it is fixed."
        )


def _failure(what: str, err: ActivityError) -> Unavailable:
    cause = err.cause
    detail = getattr(cause, "message", None) or str(cause or err)
    fixable = not (isinstance(cause, ApplicationError) and cause.type == CALENDAR_QUESTION)
    return Unavailable(what, detail, fixable)


async def count(request: DeadlineRequest) -> Counted:
    try:
        return await _call(
            "compute_deadline",
            request,
            Counted,
            f"count {request.name or 'a deadline'}: {request.working_days} working days "
            f"{request.rule} {request.date}",
        )
    except ActivityError as err:
        raise _failure("the working-day calendar", err) from err


async def obtain(policy: str, plan: Plan) -> Obtained:
    """Everything ``plan`` asks, in one local activity (the separate calls' order and
    meaning); a failure names what failed, as theirs did."""
    asked = [f"count {d.name or 'a deadline'}" for d in plan.deadlines]
    asked += [f"claim {c.what}" for c in plan.claims] + (["read settings"] if plan.settings else [])
    asked += ["reserve a place"] if plan.reservation else []
    try:
        obtained: Obtained = await _call(
            "obtain", ObtainRequest(policy=policy, plan=plan), Obtained, "; ".join(asked)
        )
    except ActivityError as err:
        cause = err.cause
        details = getattr(cause, "details", None) or ()
        raise _failure(str(details[0]) if details else "the store", err) from err
    check_settings(policy, plan.settings, obtained.settings)
    return obtained


async def reserve(request: ReservationRequest) -> SlotResult:
    try:
        return await _call(
            "reserve",
            request,
            SlotResult,
            "reserve a place in " + ", ".join(request.pools.values()),
        )
    except ActivityError as err:
        raise _failure("the store", err) from err


async def claim(request: ClaimRequest) -> ClaimResult:
    try:
        return await _call(
            "claim",
            request,
            ClaimResult,
            f"claim {request.what}",
        )
    except ActivityError as err:
        raise _failure("the store", err) from err


async def settings(policy: str, keys: list[str]) -> dict[str, Any]:
    """The bureau's settings; one it has not set is a wait (the bureau sets it), not a fault."""
    try:
        found = await _call(
            "read_settings",
            SettingsInput(policy=policy, keys=keys),
            SettingsFound,
            "read the bureau's " + ", ".join(keys),
        )
    except ActivityError as err:
        raise _failure("the store", err) from err
    check_settings(policy, keys, found.values)
    return found.values


def check_settings(policy: str, keys: list[str], found: dict[str, Any]) -> None:
    """A setting the bureau has not set is a wait (the bureau sets it), not a fault."""
    missing = [k for k in keys if k not in found]
    if missing:
        key = missing[0]
        raise Unavailable(
            "the bureau's settings",
            f"{key} is not set; the bureau sets it with 'lifecycle setting set {policy} {key} VALUE'",
        )


# People's own words (a complaint, an objection) stay out of summaries; officers read them in the
# case with --texts.
PRIVATE_WORDS = ("complain", "object", "object_partner")


def _said(e: AuditEntry) -> str:
    """Who did what and why, as the Web UI's timeline shows it: '#3 pass_preliminary by
    district_officer:wang → expert_review [§三(二)]: 材料齐全'."""
    moved = f" → {e.to_state.value}" if e.to_state != e.from_state else ""
    why = "" if e.action in PRIVATE_WORDS or not e.reason else f": {limits.shorten(e.reason, 60)}"
    return f"#{e.seq} {e.action} by {e.actor_role}:{e.actor_id}{moved} [{e.clause or '-'}]{why}"


async def record(data: RecordInput, once: bool = False, whole: RecordInput | None = None) -> None:
    """``whole``: the same record with the case's whole projection, sent if ``data`` carries
    only its change and the store does not hold the case."""
    try:
        await _call(
            "record_case",
            data,
            None,
            "record "
            + ("; ".join(_said(e) for e in data.entries) or "the case's deadlines")
            + (" and give back its places" if data.release else ""),
            ONCE if once else BOUNDED,
        )
    except ActivityError as err:
        cause = err.cause
        wanted = isinstance(cause, ApplicationError) and cause.type == WHOLE_WANTED
        if wanted and whole is not None and data.snapshot is None:
            return await record(whole, once)
        raise _failure("the store", err) from err


async def takes_asserted(actor: str) -> bool:
    """Whether this worker's cases take ``actor`` named without proof (kept in the history)."""
    try:
        return bool(await _call("takes_asserted", actor, bool, "take a named actor?"))
    except ActivityError as err:
        raise _failure("the worker's settings", err) from err


async def seen(case_id: str, event_id: str) -> int | None:
    """The change an event (or a request key) made to the case, if the store has it."""
    try:
        found = await _call(
            "event_seen",
            EventSeenInput(case_id=case_id, event_id=event_id),
            EventSeen,
            f"was {event_id} applied before?",
        )
    except ActivityError as err:
        raise _failure("the store", err) from err
    return found.seq if found.seen else None


async def reject(events: list[RejectedEvent]) -> None:
    """Keeps refused events for their senders."""
    try:
        await _call(
            "reject_events",
            RejectedEvents(events=events),
            None,
            f"keep {len(events)} refused event(s) for their senders",
        )
    except ActivityError as err:
        raise _failure("the store", err) from err


async def count_selected(query: SelectionQuery) -> SelectionCount:
    """Only on the path histories recorded before places were reserved took."""
    return await _call(
        "count_selected",
        query,
        SelectionCount,
        f"count {query.provider_type} providers selected in {', '.join(query.sectors)}",
    )
