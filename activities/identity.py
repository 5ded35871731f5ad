"""What a case asks of the worker it runs on about identity: whether this worker's cases take
an actor named without proof (the embedded set-up, or the bureau's own scripts with
LIFECYCLE_ASSERTED_ACTORS=1). A setting of the worker, not of the case: asked as an activity so
that the answer is kept in the history and a replay on another worker decides the same."""

from __future__ import annotations

from temporalio import activity

from lifecycle.domain import assurance


@activity.defn(name="takes_asserted")
async def takes_asserted(actor: str) -> bool:
    """Whether ``actor``, named without proof, is taken here."""
    return assurance.takes_asserted()
