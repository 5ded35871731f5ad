"""Recomputes the audit log's chains and checks their seals: the first row of a case that does
not match its content, does not follow the row before it, is missing, or whose seal (an HMAC
under the audit key, kept outside the database) does not match, is named. Without the key a
row rewritten with its hashes recomputed still passes the chain; with it, it does not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecycle.store import chain
from lifecycle.store.models import AuditRow, AuditSealRow, CaseRow


@dataclass(frozen=True)
class Checked:
    cases: int
    rows: int
    breaks: list[str]
    keyed: bool = False  # the seals were checked (the audit key was given)


def trails(s: Session, case_id: str | None = None) -> Iterator[tuple[str, list[AuditRow]]]:
    """Each case's audit rows, in order."""
    query = select(AuditRow).order_by(AuditRow.case_id, AuditRow.seq)
    if case_id is not None:
        query = query.where(AuditRow.case_id == case_id)
    current: str | None = None
    rows: list[AuditRow] = []
    for row in s.scalars(query):
        if row.case_id != current and rows:
            yield current or "", rows
            rows = []
        current = row.case_id
        rows.append(row)
    if rows:
        yield current or "", rows


def verify(s: Session, case_id: str | None = None, keys: chain.Keys | None = None) -> Checked:
    seals: dict[str, dict[int, str]] = {}
    if keys is not None:
        query = select(AuditSealRow)
        if case_id is not None:
            query = query.where(AuditSealRow.case_id == case_id)
        for sealed in s.scalars(query):
            seals.setdefault(sealed.case_id, {})[sealed.seq] = sealed.seal
    breaks, cases, count = [], 0, 0
    for case, rows in trails(s, case_id):
        cases, count = cases + 1, count + len(rows)
        problem = first_break(rows)
        if problem is None and keys is not None:
            problem = _unsealed(keys, rows, seals.get(case, {}))
        last = s.get(CaseRow, case)
        if problem is None and last is not None and last.last_seq > rows[-1].seq:
            problem = (
                f"rows after #{rows[-1].seq} are missing (the case's last change is "
                f"#{last.last_seq})"
            )
        if problem:
            breaks.append(f"case {case}: {problem}.")
    return Checked(cases, count, breaks, keyed=keys is not None)


def first_break(rows: list[AuditRow]) -> str | None:
    previous = chain.GENESIS
    for expected, row in enumerate(rows, start=1):
        if row.seq != expected:
            return f"row #{row.seq} stands where #{expected} should (a row was removed or added)"
        if (row.prev_hash or chain.GENESIS) != previous:
            return f"row #{row.seq} does not follow row #{row.seq - 1} (a row before it changed)"
        content = {field: getattr(row, field) for field in (*chain.FIELDS, *chain.OPTIONAL)}
        if chain.digest(previous, content) != row.hash:
            return f"row #{row.seq} ({row.action}) was changed after it was written"
        previous = row.hash or ""
    return None


def _unsealed(keys: chain.Keys, rows: list[AuditRow], seals: dict[int, str]) -> str | None:
    """The first row whose seal fails, or the rows after the last seal (which nothing
    authenticates); a sealed row covers those before it through the chain."""
    for row in rows:
        sealed = seals.get(row.seq)
        if sealed is None:
            continue
        why = chain.unsealed(keys, row.hash or "", sealed)
        if why:
            return f"row #{row.seq} ({row.action}) was changed after it was written: {why}"
    last_sealed = max((seq for seq in seals if seq <= rows[-1].seq), default=0)
    if last_sealed < rows[-1].seq:
        return (
            f"row #{last_sealed + 1} and after carry no seal of the audit key (written or "
            "rewritten without it)"
        )
    return None
