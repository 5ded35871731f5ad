"""How a programme scores its providers, as pack data: rubric items of a few
kinds, the grades the total falls into and what each grade brings. One scoring engine
(lifecycle.domain.scoring) reads them for every programme."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal[
    "proportional",  # max × min(1, value / target), rounded half-up to 2 decimals
    "threshold",  # max when value ≥ at_least (or true), else 0
    "per_unit",  # each point per unit, at most max
    "minus_per_count",  # max less each per count, at least 0
    "elements_missing",  # 0 when the gate is false; else max less each per missing element
    "tiers",  # the points of the highest tier reached
    "direct",  # the evaluators' points, 0 to max
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tier(Strict):
    at_least: float = Field(ge=0)
    points: float = Field(ge=0)


class RubricItem(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    clause: str
    kind: Kind
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="the input key it reads")
    max: float = Field(gt=0)
    target: float | None = Field(None, gt=0, description="proportional: full marks from here")
    at_least: float | None = Field(None, gt=0, description="threshold; none: a yes/no input")
    each: float | None = Field(None, gt=0, description="points per unit, count or element")
    elements: int | None = Field(None, ge=1, description="elements_missing: how many there are")
    gate: str | None = Field(
        None, pattern=r"^[a-z][a-z0-9_]*$", description="elements_missing: a yes/no input"
    )
    tiers: list[Tier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _parameters(self) -> RubricItem:
        needs = {
            "proportional": ("target",),
            "per_unit": ("each",),
            "minus_per_count": ("each",),
            "elements_missing": ("each", "elements"),
        }.get(self.kind, ())
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} item needs {', '.join(missing)}")
        if self.kind == "tiers":
            if not self.tiers:
                raise ValueError("a tiers item needs tiers")
            ordered = sorted(self.tiers, key=lambda t: t.at_least)
            if ordered != self.tiers or any(t.points > self.max for t in self.tiers):
                raise ValueError("tiers go up from the lowest, none above max")
        return self

    @property
    def keys(self) -> list[str]:
        return ([self.gate] if self.gate else []) + [self.key]


class Grade(Strict):
    grade: str = Field(pattern=r"^[a-z][a-z_]*$")
    label: str
    at_least: float = Field(ge=0, description="the lowest total of this grade")
    clause: str
    reward_cap_cny: int | None = Field(None, ge=0, description="none: no reward")
    reward: str | None = Field(
        None,
        max_length=80,
        description="a reward the programme gives this grade without an amount, with its "
        "clause (anhui-2019 运营 第十七条: 优良 给予奖补); recorded on the case",
    )
    eliminated: bool = False


class Consequences(Strict):
    """What a round's results bring the cases, applied by the round in rank
    order. Exit reasons name codes of the pack's ``exit.reasons``; grades name rubric grades.
    Rewards come from the grades' ``reward_cap_cny`` (paid within the round's budget)."""

    clause: str | None = Field(None, description="the clause the round's results cite")
    exit_reason: str | None = Field(
        None, description="a grade that eliminates: the case exits with this reason"
    )
    excellent_top: int | None = Field(
        None, ge=1, description="the first N in rank order are named excellent"
    )
    white_list: list[str] = Field(default_factory=list, description="grades on the white list")
    fail_grades: list[str] = Field(default_factory=list, description="grades that count a failure")
    failures_to_propose: int | None = Field(
        None, ge=1, description="failures in total that propose the exit failures_reason"
    )
    failures_reason: str | None = None
    missed_reason: str | None = Field(
        None, description="a provider that missed the evaluation: this exit is proposed"
    )
    reward_clause: str | None = None

    @model_validator(mode="after")
    def _paired(self) -> Consequences:
        if (self.failures_to_propose is None) != (self.failures_reason is None):
            raise ValueError("failures_to_propose and failures_reason go together")
        return self


class Rubric(Strict):
    """``set_by = "bureau"``: the seed gives no rubric; this default is the bureau's setting,
    to be replaced by a new pack version when the bureau issues its own."""

    set_by: Literal["seed", "bureau"]
    clause: str
    items: list[RubricItem] = Field(min_length=1)
    grades: list[Grade] = Field(min_length=1)

    @model_validator(mode="after")
    def _coherent(self) -> Rubric:
        ids = [i.id for i in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("item ids must differ")
        keys = [k for i in self.items for k in i.keys]
        if len(set(keys)) != len(keys):
            raise ValueError("each input key is read by one item")
        bounds = [g.at_least for g in self.grades]
        if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
            raise ValueError("grades go down from the highest at_least, each different")
        if bounds[-1] != 0:
            raise ValueError("the last grade starts at 0, so every total has a grade")
        return self

    @property
    def max_total(self) -> float:
        return sum(i.max for i in self.items)
