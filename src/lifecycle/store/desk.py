"""What the console's lists read: the work waiting for a role, and cases found by what staff
search for, each with its counts. One query each on the read model (indexed), never a
Temporal query, so they stay quick with thousands of open cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.store.db import reader
from lifecycle.store.models import CaseRow, CaseWorkRow, EvaluationRoundRow


@dataclass(frozen=True)
class Scope:
    """Whose lists these are: a role, and the district or credit code it is bound to (a
    district officer sees its district; a provider its own cases)."""

    role: str
    district: str | None = None
    credit_code: str | None = None


@dataclass(frozen=True)
class WorkFilter:
    policy: str | None = None
    district: str | None = None
    state: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class CaseFilter:
    text: str | None = None  # a provider's name (any part) or credit code (its start)
    policy: str | None = None
    district: str | None = None
    state: str | None = None
    deadline_before: dt.datetime | None = None
    pending: bool = False


LIMIT = 200  # rows a page shows at most; the counts are of everything that matches


class Desk:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = reader(sessions)  # lists only read: they never wait for a writer

    # --- work ---------------------------------------------------------------------------------

    def work(
        self, scope: Scope, where: WorkFilter, limit: int = LIMIT
    ) -> list[tuple[CaseWorkRow, CaseRow]]:
        """The work waiting for ``scope``, the soonest due first (then what has no due date)."""
        query = self._work(select(CaseWorkRow, CaseRow), scope, where)
        if where.kind:
            query = query.where(CaseWorkRow.kind == where.kind)
        query = query.order_by(
            CaseWorkRow.due_at.is_(None), CaseWorkRow.due_at, CaseRow.case_id, CaseWorkRow.n
        ).limit(limit)
        with self.sessions() as s:
            return [(w, c) for w, c in s.execute(query)]

    def work_counts(self, scope: Scope, where: WorkFilter) -> dict[str, int]:
        """How much waits for ``scope`` of each kind (the kind filter aside)."""
        query = self._work(select(CaseWorkRow.kind, func.count()), scope, where).group_by(
            CaseWorkRow.kind
        )
        with self.sessions() as s:
            return {kind: n for kind, n in s.execute(query)}

    def _work(self, query: Select, scope: Scope, where: WorkFilter) -> Select:
        query = query.join(CaseRow, CaseRow.case_id == CaseWorkRow.case_id).where(
            CaseWorkRow.role == scope.role
        )
        query = _bound(query, scope)
        if where.policy:
            query = query.where(CaseRow.policy == where.policy)
        if where.district:
            query = query.where(CaseRow.district == where.district)
        if where.state:
            query = query.where(CaseRow.state == where.state)
        return query

    def open_rounds(self) -> list[EvaluationRoundRow]:
        """Evaluation rounds taking scores (for evaluators) or waiting to be closed."""
        with self.sessions() as s:
            return list(
                s.scalars(
                    select(EvaluationRoundRow)
                    .where(EvaluationRoundRow.status == "open")
                    .order_by(EvaluationRoundRow.opened_at)
                )
            )

    # --- cases --------------------------------------------------------------------------------

    def cases(self, scope: Scope, where: CaseFilter, limit: int = LIMIT) -> list[CaseRow]:
        """One row per case (never per run), the next deadline first."""
        query = self._cases(select(CaseRow), scope, where)
        if where.state:
            query = query.where(CaseRow.state == where.state)
        query = query.order_by(
            CaseRow.next_deadline.is_(None), CaseRow.next_deadline, CaseRow.case_id
        ).limit(limit)
        with self.sessions() as s:
            return list(s.scalars(query))

    def state_counts(self, scope: Scope, where: CaseFilter) -> dict[str, int]:
        query = self._cases(select(CaseRow.state, func.count()), scope, where).group_by(
            CaseRow.state
        )
        with self.sessions() as s:
            return {state: n for state, n in s.execute(query)}

    def districts(self, scope: Scope) -> list[str]:
        query = _bound(select(CaseRow.district).distinct(), scope).order_by(CaseRow.district)
        with self.sessions() as s:
            return list(s.scalars(query))

    def _cases(self, query: Select, scope: Scope, where: CaseFilter) -> Select:
        query = _bound(query, scope)
        if where.text:
            text = where.text.strip()
            query = query.where(
                or_(
                    CaseRow.provider_name.contains(text, autoescape=True),
                    CaseRow.credit_code.startswith(text.upper(), autoescape=True),
                    CaseRow.case_id == text,
                )
            )
        if where.policy:
            query = query.where(CaseRow.policy == where.policy)
        if where.district:
            query = query.where(CaseRow.district == where.district)
        if where.deadline_before is not None:
            query = query.where(CaseRow.next_deadline < where.deadline_before)
        if where.pending:
            query = query.where(CaseRow.pending_decision.is_not(None))
        return query


def _bound(query: Select, scope: Scope) -> Select:
    if scope.district is not None:
        query = query.where(CaseRow.district == scope.district)
    if scope.credit_code is not None:
        query = query.where(CaseRow.credit_code == scope.credit_code)
    return query
