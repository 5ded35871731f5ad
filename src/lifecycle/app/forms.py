"""The actions a person may take on a case now, each as a form built from the case's rules (the
fields its data takes, whether it needs a reason, its clause), and a filled form read back into
the action's data, or refused in one sentence naming the field, the value and the rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lifecycle.app.identity import Principal
from lifecycle.contracts import CaseView
from lifecycle.domain import credit_code, evaluations
from lifecycle.domain.decide import needs_reason, open_actions
from lifecycle.domain.forms import FormField
from lifecycle.domain.phases.forms import form
from lifecycle.domain.states import Role
from lifecycle.errors import Invalid
from lifecycle.policies import REGISTRY, PackRef


@dataclass(frozen=True)
class ActionForm:
    action: str
    clause: str
    fields: list[FormField]
    reason_required: bool


def forms(view: CaseView, who: Principal) -> list[ActionForm]:
    """What ``who`` may take on the case now (its role named by the rule, its own case when
    it is a provider), in the rules' order; none for a case whose rules this system lacks."""
    if view.rules is None or not REGISTRY.has(view.rules):
        return []
    case, pack = view.case, REGISTRY.get(view.rules)
    if who.role == Role.PROVIDER and who.credit_code != case.credit_code:
        return []
    found = []
    for opened in open_actions(case, pack):
        if who.role not in opened.roles:
            continue
        rule = next(t for t in pack.transition(opened.trigger) if case.state in t.source)
        found.append(
            ActionForm(
                action=opened.trigger,
                clause=opened.clause,
                fields=form(opened.trigger, case, pack),
                reason_required=needs_reason(rule),
            )
        )
    return found


def one(view: CaseView, who: Principal, action: str) -> ActionForm | None:
    return next((f for f in forms(view, who) if f.action == action), None)


def data_of(fields: list[FormField], filled: Mapping[str, list[str]]) -> dict[str, Any]:
    """A filled form's values as the action's data (``filled``: each field's values as sent;
    a dotted key is a field of an object); one sentence for the first value that does not fit."""
    data: dict[str, Any] = {}
    for f in fields:
        values = [v.strip() for v in filled.get(f.key, []) if v.strip()]
        value = _value(f, values)
        if value is None:
            continue
        head, _, tail = f.key.partition(".")
        if tail:
            data.setdefault(head, {})[tail] = value
        else:
            data[head] = value
    return data


def _value(f: FormField, values: list[str]) -> Any:
    if f.kind == "flag":
        return bool(values) and values[-1] in ("true", "on", "1", "yes")
    if f.kind == "choices":
        allowed = {str(c.value) for c in f.choices}
        wrong = [v for v in values if v not in allowed]
        if wrong:
            raise _bad(f, wrong[0], "one of " + ", ".join(sorted(allowed)))
        if not values and f.required:
            raise _bad(f, "", "at least one of its choices")
        return values or None
    if not values:
        if f.required:
            raise Invalid(f"{f.label} ({f.key}) is empty; it must be filled in.")
        return None
    text = values[-1]
    if f.kind in ("integer", "item"):
        return _number(f, text, int)
    if f.kind == "number":
        return _number(f, text, float)
    if f.kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise _bad(f, text, "a date written YYYY-MM-DD") from None
    if f.kind == "choice":
        by_text = {str(c.value): c.value for c in f.choices}
        if text not in by_text:
            raise _bad(f, text, "one of " + ", ".join(by_text))
        return by_text[text]
    if f.kind == "code":
        problem = credit_code.problem(text.upper())
        if problem:
            raise _bad(f, text, f"a unified social credit code ({problem})")
        return text.upper()
    if f.high is not None and len(text) > f.high:
        raise _bad(f, text[:40] + "…", f"at most {f.high:g} characters")
    return text


def _number(f: FormField, text: str, kind: type) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise _bad(f, text, "a whole number" if kind is int else "a number") from None
    if (f.low is not None and value < f.low) or (f.high is not None and value > f.high):
        low = "" if f.low is None else f"{f.low:g}"
        high = "" if f.high is None else f"{f.high:g}"
        span = (
            f"from {low} to {high}"
            if low and high
            else f"{low} or more"
            if low
            else f"at most {high}"
        )
        raise _bad(f, text, span)
    return value


def _bad(f: FormField, value: str, what: str) -> Invalid:
    return Invalid(f"{f.label} ({f.key}) is '{value}'; it must be {what}.")


# --- an evaluator's scores ----------------------------------------------------------------


def rubric_form(rules: PackRef | None) -> list[FormField]:
    """The fields of a programme's rubric (the version a round runs under), each named in the
    programme's own words, with its clause and its most points."""
    if rules is None or not REGISTRY.has(rules):
        return []
    rubric = REGISTRY.get(rules).evaluation.rubric
    if rubric is None:
        return []
    found = []
    for item in rubric.items:
        if item.gate:
            found.append(FormField(key=item.gate, kind="flag", label=item.label, help=item.clause))
        yes_no = item.kind == "threshold" and item.at_least is None
        kind = "flag" if yes_no else "number" if item.kind in ("direct", "tiers") else "integer"
        high = (
            item.elements
            if item.kind == "elements_missing"
            else item.max
            if kind == "number" and item.kind == "direct"
            else None
        )
        found.append(
            FormField(
                key=item.key,
                kind=kind,  # type: ignore[arg-type]
                label=item.label,
                low=0,
                high=high,
                help=f"{item.clause} · {item.max:g}",
            )
        )
    return found


def scores_of(rules: PackRef | None, filled: Mapping[str, list[str]]) -> dict[str, Any]:
    """A filled rubric as the round takes it (every key given: a yes/no left unticked is no)."""
    return data_of(rubric_form(rules), filled)


def preview(rules: PackRef | None, filled: Mapping[str, list[str]]) -> tuple[Any, str | None]:
    """The points a filled rubric gives, as the evaluator types (nothing is sent): the score,
    or the sentence saying what is not right yet."""
    if rules is None or not REGISTRY.has(rules):
        return None, None
    try:
        data = scores_of(rules, filled)
        _, score = evaluations.score_input(REGISTRY.get(rules), data)
    except Invalid as exc:
        return None, exc.message
    except ValueError as exc:
        return None, str(exc)
    return score, None


def rubric_labels(rules: PackRef | None) -> dict[str, str]:
    """Each rubric item's id and its name in the programme's words."""
    if rules is None or not REGISTRY.has(rules):
        return {}
    rubric = REGISTRY.get(rules).evaluation.rubric
    return {i.id: i.label for i in rubric.items} if rubric else {}
