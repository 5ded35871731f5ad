"""One scoring engine for every programme's rubric (DOMAIN.md §7): the input checked key by key,
each item's points rounded half-up to 2 decimals, the total, its grade and what the grade brings.
Pure: used by `lifecycle score`, by evaluation rounds and by cases."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel

from lifecycle.policies.evaluation_rules import Grade, Rubric, RubricItem
from lifecycle.policies.schema import PolicyPack

CENT = Decimal("0.01")


class ItemScore(BaseModel):
    id: str
    points: float
    max: float
    clause: str


class Score(BaseModel):
    total: float
    items: list[ItemScore]
    grade: str
    reward_cap_cny: int | None
    eliminated: bool


def rubric_of(pack: PolicyPack) -> Rubric:
    rubric = pack.evaluation.rubric
    if rubric is None:
        raise ValueError(f"{pack.id} (this version of its rules) has no evaluation rubric.")
    return rubric


def _dec(value: float) -> Decimal:
    """The number as written (0.1 is a tenth), so rounding half-up is exact."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def points(item: RubricItem, value: Any, gate: Any = True) -> Decimal:
    top = _dec(item.max)
    if item.kind == "proportional":
        assert item.target is not None
        return _half_up(top * min(Decimal(1), _dec(value) / _dec(item.target)))
    if item.kind == "threshold":
        met = value if item.at_least is None else value >= item.at_least
        return top if met else Decimal(0)
    if item.kind == "per_unit":
        assert item.each is not None
        return _half_up(min(top, _dec(item.each) * _dec(value)))
    if item.kind == "minus_per_count":
        assert item.each is not None
        return _half_up(max(Decimal(0), top - _dec(item.each) * _dec(value)))
    if item.kind == "elements_missing":
        assert item.each is not None
        if not gate:
            return Decimal(0)
        return _half_up(max(Decimal(0), top - _dec(item.each) * _dec(value)))
    if item.kind == "tiers":
        reached = [t.points for t in item.tiers if value >= t.at_least]
        return _dec(reached[-1]) if reached else Decimal(0)
    return _half_up(_dec(value))  # direct


def _expect(item: RubricItem, key: str) -> str:
    if key == item.gate or (item.kind == "threshold" and item.at_least is None):
        return "true or false"
    if item.kind == "elements_missing":
        return f"a whole number from 0 to {item.elements}"
    if item.kind == "direct":
        return f"a number from 0 to {item.max:g}"
    if item.kind == "tiers":
        return "an amount, 0 or more"
    return "a whole number, 0 or more"


def _valid(item: RubricItem, key: str, value: Any) -> bool:
    if key == item.gate or (item.kind == "threshold" and item.at_least is None):
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return False
    if item.kind == "direct":
        return 0 <= value <= item.max
    if item.kind == "tiers":
        return 0 <= value < 1e18
    if not isinstance(value, int) or value < 0:
        return False
    return item.kind != "elements_missing" or value <= (item.elements or 0)


def read_input(rubric: Rubric, pack_id: str, data: Any) -> dict[str, Any]:
    """The scores' input, checked key by key: one sentence naming the first bad key."""
    keys = [k for item in rubric.items for k in item.keys]
    where = f"({pack_id} {rubric.clause})"
    if not isinstance(data, dict):
        raise ValueError(
            f"the input must be a JSON object with the keys {', '.join(keys)} {where}."
        )
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise ValueError(
            f"'{str(unknown[0])[:60]}' is not an input of {pack_id}'s rubric; its keys are "
            f"{', '.join(keys)} {where}."
        )
    for item in rubric.items:
        for key in item.keys:
            if key not in data:
                raise ValueError(f"{key} is missing; the rubric reads {', '.join(keys)} {where}.")
            value = data[key]
            if not _valid(item, key, value):
                shown = repr(value) if not isinstance(value, str) else f"'{value[:60]}'"
                raise ValueError(
                    f"{key} is {shown}; it must be {_expect(item, key)} ({pack_id} {item.clause})."
                )
    return data


def grade_of(rubric: Rubric, total: Decimal) -> Grade:
    return next(g for g in rubric.grades if total >= _dec(g.at_least))


def score(rubric: Rubric, data: dict[str, Any]) -> Score:
    """``data`` as read_input returned it."""
    items = [
        ItemScore(
            id=item.id,
            points=float(points(item, data[item.key], data[item.gate] if item.gate else True)),
            max=item.max,
            clause=item.clause + (" (bureau setting)" if rubric.set_by == "bureau" else ""),
        )
        for item in rubric.items
    ]
    total = sum((_dec(i.points) for i in items), Decimal(0))
    grade = grade_of(rubric, total)
    return Score(
        total=float(total),
        items=items,
        grade=grade.grade,
        reward_cap_cny=grade.reward_cap_cny,
        eliminated=grade.eliminated,
    )
