"""The keys the gateway signs how a caller was known with, and the workers check it with
(engine rule: without the proof a case records the actor as asserted). Made by the system on
first start, readable by its owner only; rotated like the codec's keys, old ones kept so a
case replayed later proves what it proved then."""

from __future__ import annotations

import os

from lifecycle.app.access import ASSERTED
from lifecycle.config import Settings
from lifecycle.domain import assurance
from lifecycle.temporal.codec import ensure_keys


def install(settings: Settings) -> None:
    """Installs this process's assurance keys (the gateway's and the worker's), and whether
    its cases take a named actor without proof (as a person's command does: ``access``)."""
    ring = ensure_keys(settings.assurance_keys)
    assurance.install(ring.keys, ring.current)
    assurance.take_asserted(settings.embedded or os.environ.get(ASSERTED) == "1")
