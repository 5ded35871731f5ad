"""Evaluation rounds in the store: the round and its roster, the published results, and the
rewards granted against a round's budget. Every write is idempotent on its business key; a
reward is granted with the round's row locked (PostgreSQL ``FOR UPDATE``; SQLite transactions
begin IMMEDIATE), so concurrent grants never spend more than the budget."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.contracts.rounds import PublishInput, RosterInput
from lifecycle.domain.evaluations import Entrant, Result
from lifecycle.store.db import reader
from lifecycle.store.models import AwardRow, CaseRow, EvaluationResultRow, EvaluationRoundRow

IN_DIRECTORY = ("listed", "rectification")


class Rounds:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.reads = reader(sessions)  # reads never take SQLite's write lock

    def open(self, data: RosterInput, rules_version: str, entrants: int) -> None:
        """Records a round as it opens (a retried call finds it there and changes nothing)."""
        with self.sessions.begin() as s:
            if s.get(EvaluationRoundRow, data.round_id) is None:
                s.add(
                    EvaluationRoundRow(
                        round_id=data.round_id,
                        policy=data.policy,
                        period=data.period,
                        rules_version=rules_version,
                        budget_cny=data.budget_cny,
                        status="open",
                        entrants=entrants,
                        opened_by=data.opened_by,
                        opened_as=data.opened_as,
                        opened_at=data.opened_at,
                    )
                )

    def directory(self, policy: str) -> list[Entrant]:
        """The programme's providers in its directory now (listed, or under rectification)."""
        with self.reads() as s:
            rows = s.scalars(
                select(CaseRow)
                .where(CaseRow.policy == policy, CaseRow.state.in_(IN_DIRECTORY))
                .order_by(CaseRow.case_id)
            )
            return [
                Entrant(
                    case_id=r.case_id,
                    credit_code=r.credit_code,
                    name=r.provider_name,
                    district=r.district,
                )
                for r in rows
            ]

    def publish(self, data: PublishInput) -> None:
        """The round's results as published (again: the same rows), and its budget."""
        with self.sessions.begin() as s:
            row = s.get(EvaluationRoundRow, data.round_id, with_for_update=True)
            if row is None:
                raise LookupError(f"round {data.round_id} was never opened in the store")
            row.status, row.budget_cny = data.status, data.budget_cny
            row.closed_by, row.closed_at = data.closed_by, data.closed_at
            row.closed_as = data.closed_as
            for r in data.results:
                s.merge(_result_row(data, r))

    def award(self, round_id: str, case_id: str, amount: int, now: dt.datetime) -> int:
        """Grants up to ``amount`` against the round's budget, once per case; returns what was
        granted (what is left of the budget, when that is less; the same again on a retry)."""
        with self.sessions.begin() as s:
            row = s.get(EvaluationRoundRow, round_id, with_for_update=True)
            if row is None:
                raise LookupError(f"round {round_id} was never opened in the store")
            held = s.get(AwardRow, (round_id, case_id))
            if held is not None:
                return held.amount_cny
            spent = (
                s.scalar(
                    select(func.coalesce(func.sum(AwardRow.amount_cny), 0)).where(
                        AwardRow.round_id == round_id
                    )
                )
                or 0
            )
            granted = max(0, min(amount, (row.budget_cny or 0) - int(spent)))
            s.add(AwardRow(round_id=round_id, case_id=case_id, amount_cny=granted, awarded_at=now))
            return granted

    def spent(self, round_id: str) -> int:
        with self.reads() as s:
            total = s.scalar(
                select(func.coalesce(func.sum(AwardRow.amount_cny), 0)).where(
                    AwardRow.round_id == round_id
                )
            )
            return int(total or 0)

    def rounds(self, policy: str | None = None) -> list[EvaluationRoundRow]:
        query = select(EvaluationRoundRow).order_by(
            EvaluationRoundRow.opened_at, EvaluationRoundRow.round_id
        )
        if policy:
            query = query.where(EvaluationRoundRow.policy == policy)
        with self.reads() as s:
            return list(s.scalars(query))

    def round(self, round_id: str) -> EvaluationRoundRow | None:
        with self.reads() as s:
            return s.get(EvaluationRoundRow, round_id)

    def results(self, round_id: str) -> list[EvaluationResultRow]:
        with self.reads() as s:
            return list(
                s.scalars(
                    select(EvaluationResultRow)
                    .where(EvaluationResultRow.round_id == round_id)
                    .order_by(
                        EvaluationResultRow.rank.is_(None),
                        EvaluationResultRow.rank,
                        EvaluationResultRow.case_id,
                    )
                )
            )


def _result_row(data: PublishInput, r: Result) -> EvaluationResultRow:
    return EvaluationResultRow(
        round_id=data.round_id,
        case_id=r.case_id,
        policy=data.policy,
        period=data.period,
        credit_code=r.credit_code,
        provider_name=r.name,
        district=r.district,
        missed=r.missed,
        total=r.total,
        grade=r.grade,
        grade_label=r.grade_label,
        clause=r.clause,
        rank=r.rank,
        reward_cny=r.reward_cny,
        excellent=r.excellent,
        white_list=r.white_list,
        items=[i.model_dump() for i in r.items],
        outcome=list(r.outcome),
    )
