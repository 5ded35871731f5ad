"""Recomputes the audit log's chains: the first row of a case that does not match its content,
does not follow the row before it, or is missing, is named."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecycle.store import chain
from lifecycle.store.models import AuditRow, CaseRow


@dataclass(frozen=True)
class Checked:
    cases: int
    rows: int
    breaks: list[str]


def verify(s: Session, case_id: str | None = None) -> Checked:
    query = select(AuditRow).order_by(AuditRow.case_id, AuditRow.seq)
    if case_id is not None:
        query = query.where(AuditRow.case_id == case_id)
    by_case: dict[str, list[AuditRow]] = {}
    for row in s.scalars(query):
        by_case.setdefault(row.case_id, []).append(row)
    breaks = []
    for case, rows in by_case.items():
        problem = _first_break(rows)
        last = s.get(CaseRow, case)
        if problem is None and last is not None and last.last_seq > rows[-1].seq:
            problem = (
                f"rows after #{rows[-1].seq} are missing (the case's last change is "
                f"#{last.last_seq})"
            )
        if problem:
            breaks.append(f"case {case}: {problem}.")
    return Checked(len(by_case), sum(len(r) for r in by_case.values()), breaks)


def _first_break(rows: list[AuditRow]) -> str | None:
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
