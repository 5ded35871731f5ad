"""Yearly caps on the diagnoses and design plans the government buys from one provider
(wenzhou-2021 第十条), computed from the pack's numbers: pure, used by the case when its year
opens and by `lifecycle quota`."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

from lifecycle.domain import limits
from lifecycle.domain.listed import Quota, QuotaPart
from lifecycle.policies.listed_rules import QuotaRules
from lifecycle.policies.schema import PolicyPack

KEYS = ("city_diagnosis_target", "recognition", "served_demo_enterprise", "excellent_years_running")


def _exact(share: float) -> Fraction:
    """The share as written in the pack (0.1 is a tenth, not 0.1000000000000000055…)."""
    return Fraction(repr(share))


def caps(
    rules: QuotaRules,
    year: int,
    target: int,
    recognition: str | None,
    served_demo_enterprise: bool,
    excellent_years_running: int,
) -> Quota:
    share = math.floor(target * _exact(rules.share_of_target))
    parts = [
        QuotaPart(
            rule=f"{rules.share_of_target:.0%} of the city's yearly diagnosis target {target}",
            clause=rules.share_clause,
            amount=share,
        )
    ]
    if recognition is not None:
        parts.append(
            QuotaPart(
                rule=f"recognised at {recognition} level",
                clause=rules.recognition_clause,
                amount=rules.recognition[recognition],
            )
        )
    if served_demo_enterprise:
        parts.append(
            QuotaPart(
                rule="served an enterprise that became a demonstration",
                clause=rules.demonstration_clause,
                amount=rules.demonstration,
            )
        )
    parts += _excellence(rules, excellent_years_running)
    diagnosis = sum(p.amount for p in parts)
    return Quota(
        year=year,
        diagnosis_cap=diagnosis,
        design_cap=math.floor(diagnosis * _exact(rules.design_share)),
        parts=parts,
    )


def _excellence(rules: QuotaRules, running: int) -> list[QuotaPart]:
    if not running:
        return []
    one, more = rules.excellence
    return [
        QuotaPart(
            rule=f"rated excellent {'two or more years running' if running >= 2 else 'last year'}",
            clause=rules.excellence_clause,
            amount=more if running >= 2 else one,
        )
    ]


def with_excellence(rules: QuotaRules, held: Quota, running: int) -> Quota:
    """The open year's caps once last year's excellence is known (第十条(四): it is usually
    named after the year has opened): the excellence part replaced, what was used kept."""
    parts = [p for p in held.parts if p.clause != rules.excellence_clause]
    parts += _excellence(rules, running)
    diagnosis = sum(p.amount for p in parts)
    return held.model_copy(
        update={
            "parts": parts,
            "diagnosis_cap": diagnosis,
            "design_cap": math.floor(diagnosis * _exact(rules.design_share)),
        }
    )


def read_input(rules: QuotaRules, pack_id: str, data: Any) -> dict[str, Any]:
    """The command's input, checked key by key (one sentence naming the first bad key)."""
    where = f"({pack_id} {rules.clause})"
    if not isinstance(data, dict):
        raise ValueError(f"the input must be a JSON object with {', '.join(KEYS)} {where}.")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ValueError(
            f"{unknown[0]} is not an input of the quota; give {', '.join(KEYS)} {where}."
        )
    for key in KEYS:
        if key not in data:
            raise ValueError(f"{key} is missing; give {', '.join(KEYS)} {where}.")
    for key in ("city_diagnosis_target", "excellent_years_running"):
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{key} is {value!r}; it must be a whole number, 0 or more {where}.")
    if data["recognition"] is not None and data["recognition"] not in rules.recognition:
        allowed = ", ".join(f'"{r}"' for r in rules.recognition)
        raise ValueError(
            f"recognition is {data['recognition']!r}; it must be {allowed} or null {where}."
        )
    if not isinstance(data["served_demo_enterprise"], bool):
        raise ValueError(
            f"served_demo_enterprise is {data['served_demo_enterprise']!r}; it must be true or "
            f"false {where}."
        )
    return data


def setting_names(pack: PolicyPack) -> dict[str, str]:
    """The bureau settings this programme reads: name pattern → what it holds."""
    rules = pack.listed.quota
    if rules is None:
        return {}
    return {
        f"{rules.target_setting}.YEAR": (
            f"the city's diagnosis target for YEAR, a whole number ({pack.id} {rules.share_clause})"
        )
    }


def checked_setting(pack: PolicyPack, key: str, value: str) -> int:
    """The value a bureau setting may take, or ValueError with one sentence naming the key."""
    rules = pack.listed.quota
    match = rules and re.fullmatch(re.escape(rules.target_setting) + r"\.([0-9]{4})", key)
    if not rules or not match:
        known = "; ".join(f"{n}: {what}" for n, what in setting_names(pack).items())
        raise ValueError(
            f"KEY '{limits.shorten(key)}' is not a setting of {pack.id}; "
            + (f"its settings are {known}." if known else f"{pack.id} has no settings.")
        )
    year = int(match.group(1))
    if not 2000 <= year <= 2200:
        raise ValueError(f"KEY '{key}' names the year {year}; give a year 2000–2200.")
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise ValueError(
            f"VALUE '{limits.shorten(value)}' for {key} must be a whole number of diagnoses, 0 or more "
            f"({pack.id} {rules.share_clause})."
        )
    return int(value)
