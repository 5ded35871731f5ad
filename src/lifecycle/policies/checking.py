"""A pack file checked whole before any case meets it (`lifecycle policy check`): every problem
the engine would refuse, each in one sentence naming its line and key path and the rule, and
when there is none, what the pack holds. The loader refuses a pack at its first problem; this
names them all, so a bureau mends its file in one pass."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lifecycle.policies.coherence import problems
from lifecycle.policies.migrations import FormatError, upgrade
from lifecycle.policies.schema import PolicyPack
from lifecycle.policies.versions import version_of
from lifecycle.policies.vocabulary import CaseState

ROUND_DATES = ("applications_close", "preliminary_review_due", "expert_review_due")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def sentence(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {self.path or '(top level)'}: {self.message}."


@dataclass
class Checked:
    problems: list[Problem] = field(default_factory=list)
    pack: PolicyPack | None = None
    version: str | None = None

    @property
    def sound(self) -> bool:
        return not self.problems and self.pack is not None


def check_file(path: Path) -> Checked:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or "not UTF-8 text"
        return Checked([Problem("", f"cannot be read ({why})")])
    return check_text(text)


def check_text(text: str) -> Checked:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"line (\d+)", str(exc))
        return Checked([Problem("", f"not valid TOML ({exc})", int(at[1]) if at else None)])
    lines = Lines(text)
    try:
        upgraded = upgrade(doc)
    except FormatError as exc:
        return Checked([Problem("pack_format", str(exc), lines.of("pack_format"))])
    try:
        pack = PolicyPack.model_validate(upgraded)
    except ValidationError as exc:
        return Checked([_schema_problem(e, lines) for e in exc.errors()])
    found = [Problem(p.where, str(p).split(": ", 1)[1], lines.of(p.where)) for p in problems(pack)]
    found += [Problem(w, m, lines.of(w)) for w, m in _more(pack)]
    return Checked(found, pack, version_of(doc))


def _schema_problem(err: Any, lines: Lines) -> Problem:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
    value = err.get("input")
    shown = f" (value {value!r})" if not isinstance(value, dict | list) else ""
    message = f"{err['msg']}{shown}"
    if err["type"] == "extra_forbidden":
        message = "is not a key of the pack format ('lifecycle policy schema' lists them)"
    return Problem(path, message, lines.of(path))


def _more(pack: PolicyPack) -> list[tuple[str, str]]:
    """What the loader does not refuse but a case would meet: deadlines anchored on what never
    happens or started by an action the pack lacks, quotas that count kinds the pack lacks,
    and the Chinese words a notice prints."""
    found: list[tuple[str, str]] = []
    actions = {t.trigger for t in pack.transitions}
    for i, d in enumerate(pack.deadlines):
        where = f"deadlines[{i}]"
        if d.started_by and d.started_by not in actions:
            found.append((f"{where}.started_by", f"'{d.started_by}' is not an action of the pack"))
        for j, action in enumerate(d.restarted_by):
            if action not in actions:
                found.append(
                    (f"{where}.restarted_by[{j}]", f"'{action}' is not an action of the pack")
                )
        kind, _, name = d.anchor.partition(".")
        if kind == "round" and name not in ROUND_DATES:
            found.append(
                (
                    f"{where}.anchor",
                    f"'{d.anchor}' is not a date a round has ({', '.join(ROUND_DATES)})",
                )
            )
        if kind == "data" and d.started_by is None:
            found.append(
                (
                    f"{where}.anchor",
                    f"'{d.anchor}' is a date an action carries, so started_by must name that action",
                )
            )
        if kind == "entered" and not set(d.states) & set(pack.states):
            found.append((f"{where}.anchor", "its states are never entered"))
    quota, services = pack.listed.quota, pack.listed.services
    if quota is not None:
        kinds = set(services.kinds) if services else set()
        for kind, cap in quota.capped_kinds.items():
            if kind not in kinds:
                found.append(
                    (
                        f"listed.quota.capped_kinds.{kind}",
                        f"'{kind}' is not one of listed.services.kinds",
                    )
                )
            if cap not in ("diagnosis", "design"):
                found.append(
                    (
                        f"listed.quota.capped_kinds.{kind}",
                        f"'{cap}' is not a cap (diagnosis or design)",
                    )
                )
    for name, text in (("title", pack.title), ("source.authority", pack.source.authority)):
        if not CJK.search(text or ""):
            found.append((name, "a published notice prints it: write it in Chinese"))
    for i, d in enumerate(pack.deadlines):
        if not CJK.search(d.label):
            found.append(
                (
                    f"deadlines[{i}].label",
                    "a reminder and a case's page print it: write it in Chinese",
                )
            )
    if CaseState.PUBLICITY in pack.states and not pack.transition("publicise"):
        found.append(
            ("transitions", "the pack has 'publicity' but no 'publicise' action opens the notice")
        )
    return found


def summary(checked: Checked) -> str:
    pack = checked.pack
    assert pack is not None
    actions = sorted({t.trigger for t in pack.transitions})
    rubric = pack.evaluation.rubric
    scored = (
        f"rubric {len(rubric.items)} items, 0 to {rubric.max_total:g} points, grades "
        + ", ".join(f"{g.grade} ≥{g.at_least:g}" for g in rubric.grades)
        if rubric
        else "no rubric"
    )
    return (
        f"{pack.id} version {checked.version} is sound: {len(pack.states)} states "
        f"({', '.join(s.value for s in pack.states)}), {len(actions)} actions, "
        f"{len(pack.deadlines)} deadlines, {len(pack.clauses)} clauses; {scored}."
    )


class Lines:
    """Where a key path stands in the file: the line of its table (the n-th ``[[array]]``) and,
    within it, of its key; the nearest one found when a part has no line of its own."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def of(self, path: str) -> int | None:
        if not path:
            return None
        segments = [p for p in re.split(r"\.(?![^\[]*\])", path) if p]
        start, end, table = 0, self._block_end(0, len(self.lines)), ""
        found: int | None = None
        for segment in segments:
            name, _, rest = segment.partition("[")
            index = int(rest.split("]")[0]) if rest else None
            dotted = f"{table}.{name}" if table else name
            header = self._header(dotted, index, start, end)
            if header is not None:
                found, table = header, dotted
                start, end = header + 1, self._block_end(header + 1, end)
                continue
            key = self._key(name, start, end)
            if key is None:
                break
            found = key
            table = dotted
        return None if found is None else found + 1

    def _header(self, dotted: str, index: int | None, start: int, end: int) -> int | None:
        single, array = f"[{dotted}]", f"[[{dotted}]]"
        seen = -1
        for n in range(0, len(self.lines)):
            line = self.lines[n].strip()
            if line == array:
                seen += 1
                if index is None or seen == index:
                    return n
            elif line == single and index is None:
                return n
        return None

    def _block_end(self, start: int, end: int) -> int:
        for n in range(start, len(self.lines)):
            if self.lines[n].strip().startswith("["):
                return n
        return len(self.lines)

    def _key(self, name: str, start: int, end: int) -> int | None:
        pattern = re.compile(rf'^\s*"?{re.escape(name)}"?\s*=')
        for n in range(start, end):
            if pattern.match(self.lines[n]):
                return n
        return None
