"""What crosses the workflow boundary: inputs and outputs of the case workflow, its messages and
its activities, in one place. Clients (the command, later the HTTP gateway), the workflow and
the activities import these; nothing here imports a workflow. What the domain plans and is
handed back (deadline counts, reservations) is defined beside the rules that use it and
exported from here."""

from lifecycle.contracts.activities import (
    CaseSnapshot,
    EventSeen,
    EventSeenInput,
    RecordInput,
    RecordResult,
    RejectedEvent,
    RejectedEvents,
    SelectionCount,
    SelectionQuery,
    SnapshotDeadline,
)
from lifecycle.contracts.case import (
    ACT,
    CALENDAR_CHANGED,
    EVENT,
    MOVE_RULES,
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
from lifecycle.domain.plan import Counted, DeadlineRequest, ReservationRequest, SlotResult

__all__ = [
    "ACT",
    "CALENDAR_CHANGED",
    "EVENT",
    "MOVE_RULES",
    "VIEW",
    "WORKFLOW",
    "ActRequest",
    "ActResult",
    "CalendarNotice",
    "Carried",
    "CaseOutcome",
    "CaseSnapshot",
    "CaseStart",
    "CaseView",
    "Counted",
    "DeadlineRequest",
    "EventSeen",
    "EventSeenInput",
    "ExternalEvent",
    "MoveRequest",
    "RecordInput",
    "RecordResult",
    "RejectedEvent",
    "RejectedEvents",
    "ReservationRequest",
    "SelectionCount",
    "SelectionQuery",
    "SlotResult",
    "SnapshotDeadline",
]
