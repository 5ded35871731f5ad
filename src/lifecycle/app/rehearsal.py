"""A programme rehearsed before it goes live: a scripted case run through a pack file on
Temporal's time-skipping test server (a year passes in seconds), from its application to the
state the script names, with the script's actions, actors, business dates and expected refusals.
Each step is printed: the business date, what was done and by whom, the state it left, the
deadlines running (their dates and how many working days away) and refusals with their clauses.
The same script checks the programme's later versions.

The script is TOML:

    start = 2027-03-01               # the business date the application is made
    application = "application.json" # beside the script (or an [application] table)
    round = "2027-1"                 # optional: the pack's default round
    end = "listed"                   # the state the case must end in

    [round_dates]                    # optional: the round's dates as the bureau sets them
    applications_close = 2027-03-05

    [[steps]]
    on = 2027-03-08                  # business time runs to 10:00 of this day first
    act = "begin_review"
    as = "bureau_officer:li"
    reason = ""                      # optional, and data = { … }, clause = "…"
    expect = "preliminary_review"    # optional: the state after
    refused = "needs a reason"       # optional: a refusal is expected, containing this

The worker that runs the case is the composition root's (this layer names no workflow): it is
installed in ``hooks`` when the command starts."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lifecycle.app import hooks
from lifecycle.app.inputs import sentence
from lifecycle.calendar import CalendarError, WorkingCalendar
from lifecycle.errors import Invalid, Misconfigured


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    on: dt.date | None = None
    act: str | None = None
    actor: str | None = Field(None, alias="as")
    reason: str = ""
    clause: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    expect: str | None = None
    refused: str | None = None


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: dt.date
    application: str | dict[str, Any]
    round: str | None = None
    round_dates: dict[str, dt.date] = Field(default_factory=dict)
    end: str | None = None
    steps: list[Step] = Field(default_factory=list)


def read_script(path: Path) -> tuple[Script, dict[str, Any]]:
    """The script and its application, or one sentence naming what is wrong."""
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise Invalid(f"SCRIPT '{path}' cannot be read ({exc.strerror}).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise Invalid(f"SCRIPT '{path}' is not valid TOML ({exc}).") from None
    try:
        script = Script.model_validate(raw)
    except ValidationError as exc:
        raise Invalid(f"SCRIPT '{path}': {sentence(exc.errors()[0], 'the script')}") from None
    for n, step in enumerate(script.steps, start=1):
        if step.act and not step.actor:
            raise Invalid(f"SCRIPT '{path}': step {n} acts ('{step.act}') but names no 'as'.")
        if not step.act and not (step.on or step.expect):
            raise Invalid(f"SCRIPT '{path}': step {n} neither acts, moves time nor expects.")
    if isinstance(script.application, dict):
        return script, script.application
    source = (path.parent / script.application).resolve()
    try:
        return script, json.loads(source.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise Invalid(f"SCRIPT '{path}': application '{source}' cannot be read ({exc}).") from None


@dataclass
class Said:
    """What a step did, as the rehearsal prints it."""

    when: str
    what: str
    state: str
    deadlines: list[str] = field(default_factory=list)
    failed: str | None = None


@dataclass
class Rehearsed:
    policy: str
    version: str
    case_id: str
    steps: list[Said] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        return [s.failed for s in self.steps if s.failed]


async def rehearse(pack: Path, script: Path) -> Rehearsed:
    """The rehearsal, by the runner the composition root installed (``hooks``)."""
    if hooks.rehearsal_runner is None:
        raise Misconfigured(
            "This installation has no rehearsal runner (run the lifecycle command)."
        )
    done = await hooks.rehearsal_runner(pack, script)
    assert isinstance(done, Rehearsed)
    return done


def working_days_until(today: dt.date, day: dt.date) -> int:
    """Working days after ``today`` up to ``day`` (inclusive); 0 when it is today or past."""
    try:
        working: WorkingCalendar | None = WorkingCalendar.from_env()
    except CalendarError:  # a bureau file that does not read: weekdays only
        working = None
    count, cursor = 0, today
    while cursor < day and count < 400:
        cursor += dt.timedelta(days=1)
        is_work = working.is_workday(cursor) if working else cursor.weekday() < 5
        count += 1 if is_work else 0
    return count
