"""Which of the engine's changes a run of a case follows.

A change to workflow code that running cases would replay differently is guarded: runs recorded
before it keep doing what they did, asked through Temporal's patch markers. A run started by
this engine (a new case, or any case continuing as new) names ``ENGINE`` in its start input and
follows every change listed here without a marker, so its history carries none of them.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    # Every change a run that names ENGINE 1 follows: case-inputs-v3, quiet-timers,
    # continue-at-new-periods, core-v2, one-instant-decisions, recompute-provisional,
    # local-calls, quiet-attributes. ENGINE 2 adds: input-bytes, dated-when-due, and (by engine only: validators
    # ask it) proven assurance. ENGINE 3 adds: one-advance-a-round, proven-events. ENGINE 4 adds: one-call (what a decision
    # needs from outside asked in one local activity). ENGINE 5 adds: due-first (an action or
    # event applies what fell due before it is judged; validators ask the engine). ENGINE 6 adds:
    # told-back (the worker's word that the store is back, come during a try that failed, is
    # not lost). A later change raises
    # ENGINE and is checked with ``follows(change, since=N)``.
    from lifecycle.contracts.case import ENGINE

__all__ = ["ENGINE", "follows"]


def follows(change: str, since: int = 1) -> bool:
    """True when this run follows ``change``: named by its start input, or marked in its
    history (a run recorded before engines were named)."""
    if getattr(workflow.instance(), "engine", 0) >= since:
        return True
    return workflow.patched(change)
