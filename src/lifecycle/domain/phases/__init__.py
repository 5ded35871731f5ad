"""The rules by phase of a case's life. Importing this package registers every phase's
handlers; the engine (lifecycle.domain.decide) asks the registry, never an ``if`` chain."""

from lifecycle.domain.phases import (
    admission,
    changes,
    complaints,
    evaluation,
    exits,
    partners,
    rectification,
    reports,
    services,
    training,
)

PHASES = (
    admission,
    services,
    training,
    complaints,
    reports,
    changes,
    partners,
    evaluation,
    rectification,
    exits,
)
