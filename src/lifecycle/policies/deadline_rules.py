"""Deadlines as pack data: what a deadline counts from, while which states it runs, and what its
passing does. The engine reads these; no deadline is named in code.

Rules (working days as the State Council's calendar has them, Asia/Shanghai):

- ``date``: 24:00 of a calendar date (the round's, an action's, the day the state began, or the
  last day of a period);
- ``window``: the N-th working day of a window opening on the anchor (公示N个工作日);
- ``after``: the N-th working day after the anchor (报送: N working days after the quarter ends);
- ``before``: the latest on-time date, N working days before the anchor (提前N个工作日).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lifecycle.policies.vocabulary import CaseState, Role

ROUND_DATES = ("applications_close", "preliminary_review_due", "expert_review_due")
ANCHOR = r"^(round\.(applications_close|preliminary_review_due|expert_review_due)|entered|period_end|data\.[a-z][a-z0-9_]*)$"
Rule = Literal["date", "window", "after", "before"]
Period = Literal["week", "month", "quarter", "year"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FindingSpec(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str = Field(min_length=1)


class Reminder(Strict):
    """A notice written to the notifications outbox: ``before`` working days before the last
    day (0: on it), or ``passed``: on the day it becomes overdue. It never changes the case."""

    before: int | None = Field(None, ge=0, le=60)
    passed: bool = False
    role: Role
    text: str = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _when(self) -> Reminder:
        if (self.before is None) == (not self.passed):
            raise ValueError("give exactly one of before (working days) and passed = true")
        return self


class OnPass(Strict):
    """Exactly one of: a system action the engine takes, an overdue mark shown while the state
    lasts (a person still decides), or a finding recorded against the case."""

    action: str | None = None
    overdue: bool = False
    finding: FindingSpec | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> OnPass:
        if sum((self.action is not None, self.overdue, self.finding is not None)) != 1:
            raise ValueError("give exactly one of action, overdue = true and finding")
        return self


class DeadlineRule(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    rule: Rule
    working_days: int | None = Field(None, ge=1, le=366)
    opening_day_counts: bool = Field(True, description="window: the anchor day is day 1")
    anchor: str = Field(
        pattern=ANCHOR,
        description="round.<date>, entered (the day the state began), data.<field> (a date the "
        "action carries) or period_end (the end of each period, with every)",
    )
    every: Period | None = None
    states: list[CaseState] = Field(min_length=1)
    on_pass: OnPass
    met_by: str | None = Field(None, description="the action that meets it before it passes")
    started_by: str | None = Field(
        None, description="the action that starts it (default: entering one of its states)"
    )
    restarted_by: list[str] = Field(
        default_factory=list,
        description="actions that start it again, a new count replacing the one that ran",
    )
    working_days_from: str | None = Field(
        None,
        pattern=r"^data\.[a-z][a-z0-9_]*$",
        description="data.<field>: the action starting it may give another count (1 to 366)",
    )
    reminders: list[Reminder] = Field(default_factory=list, max_length=4)
    clause: str
    length_clause: str | None = Field(
        None,
        description="where the count's length comes from when the programme asks for the duty "
        "but fixes no length: 'bureau setting' (shown beside the clause)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> DeadlineRule:
        if self.rule == "date" and self.working_days is not None:
            raise ValueError("a date rule counts no working days; drop working_days")
        if self.rule != "date" and self.working_days is None:
            raise ValueError(f"a {self.rule} rule needs working_days")
        if (self.every is not None) != (self.anchor == "period_end"):
            raise ValueError("every and anchor = 'period_end' go together")
        if self.anchor.startswith("round.") and self.rule != "date":
            raise ValueError("a round date is a calendar date; use rule = 'date'")
        if self.working_days_from is not None and self.working_days is None:
            raise ValueError("working_days_from gives another count; it needs working_days")
        if self.anchor.startswith("data.") and self.started_by is None:
            raise ValueError("a date an action carries needs started_by, the action carrying it")
        return self

    @property
    def counts_working_days(self) -> bool:
        return self.rule != "date"
