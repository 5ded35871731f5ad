"""What crosses the workflow boundary: inputs and outputs of the case workflow, its messages and
its activities, in one place. Clients (the command, later the HTTP gateway) and the workflow
both import these; nothing here imports a workflow."""

from lifecycle.contracts.activities import (
    CaseSnapshot,
    EventSeen,
    EventSeenInput,
    RecordInput,
    RecordResult,
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
    "EventSeen",
    "EventSeenInput",
    "ExternalEvent",
    "MoveRequest",
    "RecordInput",
    "RecordResult",
    "SelectionCount",
    "SelectionQuery",
    "SnapshotDeadline",
]
