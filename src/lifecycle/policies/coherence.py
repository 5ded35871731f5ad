"""Rules that tie a pack's parts together; each failure names the path inside the pack."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lifecycle.policies.vocabulary import DECISIONS, GUARDS, TERMINAL_STATES, CaseState

if TYPE_CHECKING:
    from lifecycle.policies.schema import PolicyPack


def check(pack: PolicyPack) -> None:
    """Raises the first problem (the loader's gate: a pack with one is not used)."""
    found = problems(pack)
    if found:
        raise found[0]


def problems(pack: PolicyPack) -> list[PackCoherenceError]:
    """Every problem of the pack as a whole, each naming its path (what `policy check` lists)."""
    found: list[PackCoherenceError] = []
    states = set(pack.states)
    steps = [
        lambda: _check_initial(pack, states),
        *(lambda i=i: _check_transition(pack, i, states) for i in range(len(pack.transitions))),
        lambda: _check_triggers_unique_per_source(pack),
        lambda: _check_terminals(pack, states),
        lambda: _check_reachable(pack),
        lambda: _check_path(pack),
        lambda: _check_clauses(pack),
        lambda: _check_admission(pack),
        lambda: _check_deadlines(pack),
        lambda: _check_consequences(pack),
        lambda: _check_rubric(pack),
    ]
    for step in steps:
        with _collecting(found):
            step()
    return found


def _check_initial(pack: PolicyPack, states: set[CaseState]) -> None:
    if pack.initial not in states:
        _fail("initial", f"'{pack.initial}' is not one of the pack's states")


def _check_rubric(pack: PolicyPack) -> None:
    """Each grade a rubric gives must be within reach of its points."""
    rubric = pack.evaluation.rubric
    if rubric is None:
        return
    for i, g in enumerate(rubric.grades):
        if g.at_least > rubric.max_total:
            _fail(
                f"evaluation.rubric.grades[{i}].at_least",
                f"grade '{g.grade}' starts at {g.at_least:g} points, but the rubric's items "
                f"give at most {rubric.max_total:g}",
            )


def _check_transition(pack: PolicyPack, i: int, states: set[CaseState]) -> None:
    t = pack.transitions[i]
    for j, s in enumerate(t.source):
        if s not in states:
            _fail(f"transitions[{i}].source[{j}]", f"'{s}' is not one of the pack's states")
    if t.dest is not None and t.dest not in states:
        _fail(f"transitions[{i}].dest", f"'{t.dest}' is not one of the pack's states")
    for j, r in enumerate(t.roles):
        if r not in pack.roles:
            _fail(f"transitions[{i}].roles[{j}]", f"'{r}' is not one of the pack's roles")
    for j, c in enumerate(t.conditions):
        if c not in GUARDS:
            known = ", ".join(sorted(GUARDS))
            _fail(f"transitions[{i}].conditions[{j}]", f"'{c}' is not a known condition ({known})")


def _check_triggers_unique_per_source(pack: PolicyPack) -> None:
    seen: dict[tuple[str, CaseState], int] = {}
    for i, t in enumerate(pack.transitions):
        for s in t.source:
            if (t.trigger, s) in seen:
                _fail(
                    f"transitions[{i}]",
                    f"trigger '{t.trigger}' from '{s}' is already defined by "
                    f"transitions[{seen[(t.trigger, s)]}]",
                )
            seen[(t.trigger, s)] = i


def _check_terminals(pack: PolicyPack, states: set[CaseState]) -> None:
    for i, t in enumerate(pack.transitions):
        for j, s in enumerate(t.source):
            if s in TERMINAL_STATES:
                _fail(
                    f"transitions[{i}].source[{j}]", f"'{s}' is terminal; no transition leaves it"
                )
    leaving = {s for t in pack.transitions if t.dest is not None for s in t.source}
    for i, s in enumerate(pack.states):
        if s not in TERMINAL_STATES and s not in leaving:
            _fail(f"states[{i}]", f"'{s}' is not terminal but no transition leaves it")


def _check_reachable(pack: PolicyPack) -> None:
    reached, frontier = {pack.initial}, [pack.initial]
    while frontier:
        state = frontier.pop()
        for t in pack.transitions:
            if state in t.source and t.dest is not None and t.dest not in reached:
                reached.add(t.dest)
                frontier.append(t.dest)
    for i, s in enumerate(pack.states):
        if s not in reached:
            _fail(f"states[{i}]", f"'{s}' cannot be reached from '{pack.initial}'")


def _check_path(pack: PolicyPack) -> None:
    path = pack.admission.path
    if path[0] != pack.initial:
        _fail("admission.path[0]", f"'{path[0]}' must be the initial state '{pack.initial}'")
    if path[-1] != CaseState.LISTED:
        _fail(f"admission.path[{len(path) - 1}]", f"'{path[-1]}' must be 'listed'")
    for k, (a, b) in enumerate(zip(path, path[1:], strict=False), start=1):
        if not any(a in t.source and t.dest == b for t in pack.transitions):
            _fail(f"admission.path[{k}]", f"no transition leads from '{a}' to '{b}'")
    if CaseState.PUBLICITY in path and not any(
        d.on_pass.action for d in pack.deadlines_in(CaseState.PUBLICITY)
    ):
        _fail("deadlines", "the path has 'publicity' but no deadline closes the public notice")


def _check_clauses(pack: PolicyPack) -> None:
    refs: list[tuple[str, str | None]] = [
        (f"transitions[{i}].clause", t.clause) for i, t in enumerate(pack.transitions)
    ]
    refs += [(f"deadlines[{i}].clause", d.clause) for i, d in enumerate(pack.deadlines)]
    refs.append(("admission.types_clause", pack.admission.types_clause))
    refs += [
        (f"admission.requirements[{i}].clause", r.clause)
        for i, r in enumerate(pack.admission.requirements)
    ]
    refs += [(f"exit.reasons[{i}].clause", r.clause) for i, r in enumerate(pack.exit.reasons)]
    refs += [(f"listed.reports[{i}].clause", r.clause) for i, r in enumerate(pack.listed.reports)]
    refs.append(("rectification.clause", pack.rectification.clause))
    refs += [
        (f"rectification.grounds[{i}].clause", g.clause)
        for i, g in enumerate(pack.rectification.grounds)
    ]
    refs.append(("evaluation.consequences.clause", pack.evaluation.consequences.clause))
    refs.append(
        ("evaluation.consequences.reward_clause", pack.evaluation.consequences.reward_clause)
    )
    refs.append(("exit.proposal_clause", pack.exit.proposal_clause))
    refs.append(("exit.announcement_clause", pack.exit.announcement_clause))
    rubric = pack.evaluation.rubric
    if rubric is not None:
        refs.append(("evaluation.rubric.clause", rubric.clause))
        refs += [
            (f"evaluation.rubric.items[{i}].clause", t.clause) for i, t in enumerate(rubric.items)
        ]
        refs += [
            (f"evaluation.rubric.grades[{i}].clause", g.clause) for i, g in enumerate(rubric.grades)
        ]
    refs.append(("admission.required_fields_clause", pack.admission.required_fields_clause))
    refs.append(("admission.sectors_clause", pack.admission.sectors_clause))
    refs.append(("admission.one_entity_clause", pack.admission.one_entity_clause))
    for where, ref in refs:
        if ref is not None and ref not in pack.clauses:
            _fail(where, f"clause '{ref}' is not listed under [clauses]")


def _check_admission(pack: PolicyPack) -> None:
    adm = pack.admission
    if adm.provider_types and adm.types_by is None:
        _fail("admission.types_by", "must say how applicants choose among provider_types")
    if adm.default_round not in adm.rounds:
        _fail("admission.default_round", f"'{adm.default_round}' is not one of admission.rounds")
    types = {t.id for t in adm.provider_types}
    for i, r in enumerate(adm.requirements):
        for j, a in enumerate(r.applies_to):
            if types and a not in types:
                _fail(
                    f"admission.requirements[{i}].applies_to[{j}]", f"'{a}' is not a provider type"
                )
    for i, t in enumerate(adm.provider_types):
        if t.per_sector and t.per_sector[0] > t.per_sector[1]:
            _fail(f"admission.provider_types[{i}].per_sector", "minimum exceeds maximum")


def _check_deadlines(pack: PolicyPack) -> None:
    names: set[str] = set()
    for i, d in enumerate(pack.deadlines):
        where = f"deadlines[{i}]"
        if d.name in names:
            _fail(f"{where}.name", f"'{d.name}' is declared twice")
        names.add(d.name)
        for j, s in enumerate(d.states):
            if s not in pack.states or s in TERMINAL_STATES:
                _fail(f"{where}.states[{j}]", f"'{s}' is not a non-terminal state of the pack")
        if d.on_pass.action and not all(
            any("system" in t.roles and s in t.source for t in pack.transition(d.on_pass.action))
            for s in d.states
        ):
            _fail(
                f"{where}.on_pass.action",
                f"'{d.on_pass.action}' is not an action the system may take in {d.states}",
            )
        for action in [*([d.met_by] if d.met_by else []), *d.restarted_by]:
            if not any(s in t.source for s in d.states for t in pack.transition(action)):
                _fail(f"{where}", f"'{action}' is not an action of the pack in {d.states}")


def _check_consequences(pack: PolicyPack) -> None:
    """Evaluation consequences name the pack's own exit reasons and rubric grades."""
    then = pack.evaluation.consequences
    codes = {r.code for r in pack.exit.reasons}
    for name in ("exit_reason", "failures_reason", "missed_reason"):
        code = getattr(then, name)
        if code is not None and code not in codes:
            _fail(f"evaluation.consequences.{name}", f"'{code}' is not one of exit.reasons")
    rubric = pack.evaluation.rubric
    grades = {g.grade for g in rubric.grades} if rubric else set()
    for name in ("white_list", "fail_grades"):
        for j, grade in enumerate(getattr(then, name)):
            if grade not in grades:
                _fail(f"evaluation.consequences.{name}[{j}]", f"'{grade}' is not a rubric grade")
    for i, r in enumerate(pack.exit.reasons):
        if r.after_decision is not None and r.after_decision not in DECISIONS:
            _fail(
                f"exit.reasons[{i}].after_decision",
                f"'{r.after_decision}' is not a decision a case opens ({', '.join(DECISIONS)})",
            )


class PackCoherenceError(ValueError):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


_LOCAL = threading.local()


@contextlib.contextmanager
def _collecting(into: list[PackCoherenceError]) -> Iterator[None]:
    """Within it, each problem is kept and the check goes on to the next."""
    before = getattr(_LOCAL, "sink", None)
    _LOCAL.sink = into
    try:
        yield
    finally:
        _LOCAL.sink = before


def _fail(where: str, message: str) -> None:
    problem = PackCoherenceError(where, message)
    sink = getattr(_LOCAL, "sink", None)
    if sink is not None:
        sink.append(problem)
        return
    raise problem
