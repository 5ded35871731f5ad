"""Repository over the store. Every write is idempotent on a business key."""

from __future__ import annotations

import contextlib
import datetime as dt

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.config import UserError
from lifecycle.domain.case import AuditEntry
from lifecycle.store.db import session_factory
from lifecycle.store.models import AuditRow, BanRow, CaseRow, ProviderRow, RoundClaimRow, RoundRow

SELECTED_STATES = ("publicity", "listed", "rectification")


class CaseSnapshot(BaseModel):
    """The projection of a case the read model keeps (no enterprise secrets)."""

    case_id: str
    policy: str
    round: str
    credit_code: str
    provider_name: str
    district: str
    parent_credit_code: str | None = None
    provider_type: str | None = None
    sectors: list[str] = []
    state: str
    next_deadline: dt.datetime | None = None
    next_deadline_provisional: bool = False
    last_seq: int
    updated_at: dt.datetime


class Store:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @classmethod
    def from_url(cls, url: str) -> Store:
        """The store at ``url``, its schema created or migrated; one sentence if unusable."""
        try:
            return cls(session_factory(url))
        except (SQLAlchemyError, ValueError, OSError) as exc:
            shown = url
            with contextlib.suppress(SQLAlchemyError, ValueError):
                shown = make_url(url).render_as_string(hide_password=True)
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(
                f"LIFECYCLE_DB_URL '{shown}' cannot be used: {detail.rstrip('.')}.", exit_code=1
            ) from exc

    # --- writes -----------------------------------------------------------------------------

    def record(self, snap: CaseSnapshot, entries: list[AuditEntry]) -> int:
        """Upserts provider and case, appends audit rows; returns how many rows were new."""
        with self.sessions.begin() as s:
            s.merge(
                ProviderRow(
                    credit_code=snap.credit_code,
                    name=snap.provider_name,
                    district=snap.district,
                    parent_credit_code=snap.parent_credit_code,
                    updated_at=snap.updated_at,
                )
            )
            row = s.get(CaseRow, snap.case_id, with_for_update=True)
            fields = snap.model_dump(exclude={"parent_credit_code"})
            fields["selected"] = snap.state in SELECTED_STATES
            if row is None:
                s.add(CaseRow(**fields))
            elif row.last_seq <= snap.last_seq:
                for key, value in fields.items():
                    setattr(row, key, value)
            s.flush()
            added = 0
            for e in entries:
                values = dict(
                    case_id=snap.case_id,
                    seq=e.seq,
                    at=e.at,
                    actor_role=e.actor_role,
                    actor_id=e.actor_id,
                    action=e.action,
                    from_state=e.from_state.value,
                    to_state=e.to_state.value,
                    reason=e.reason,
                    clause=e.clause,
                )
                added += len(s.execute(self._insert_ignore(s, values)).all())
            return added

    def _insert_ignore(self, s: Session, values: dict):  # type: ignore[no-untyped-def]
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        return (
            insert(AuditRow)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["case_id", "seq"])
            .returning(AuditRow.seq)
        )

    def claim(self, policy: str, round_: str, entity: str, case_id: str) -> str | None:
        """Claims the round for a legal entity; returns the other case holding it, if any."""
        try:
            with self.sessions.begin() as s:
                s.add(
                    RoundClaimRow(policy=policy, round=round_, entity_code=entity, case_id=case_id)
                )
        except IntegrityError:
            with self.sessions() as s:
                held = s.get(RoundClaimRow, (policy, round_, entity))
                holder = held.case_id if held else None
            return None if holder == case_id else holder
        return None

    def release(self, policy: str, round_: str, entity: str, case_id: str) -> None:
        with self.sessions.begin() as s:
            held = s.get(RoundClaimRow, (policy, round_, entity))
            if held is not None and held.case_id == case_id:
                s.delete(held)

    def add_ban(
        self,
        credit_code: str,
        reason: str,
        clause: str,
        starts: dt.date,
        ends: dt.date | None,
        policy: str | None = None,
        case_id: str | None = None,
    ) -> None:
        with self.sessions.begin() as s:
            s.add(
                BanRow(
                    credit_code=credit_code,
                    policy=policy,
                    reason=reason,
                    clause=clause,
                    starts=starts,
                    ends=ends,
                    case_id=case_id,
                )
            )

    def set_round(self, policy: str, name: str, **dates: dt.date | None) -> None:
        with self.sessions.begin() as s:
            s.merge(RoundRow(policy=policy, round=name, **dates))

    # --- reads ------------------------------------------------------------------------------

    def active_ban(self, codes: list[str], policy: str, on: dt.date) -> BanRow | None:
        with self.sessions() as s:
            return s.scalars(
                select(BanRow)
                .where(BanRow.credit_code.in_(codes))
                .where(or_(BanRow.policy.is_(None), BanRow.policy == policy))
                .where(BanRow.starts <= on)
                .where(or_(BanRow.ends.is_(None), BanRow.ends >= on))
                .order_by(BanRow.ends.is_(None).desc(), BanRow.ends.desc())
            ).first()

    def round(self, policy: str, name: str) -> RoundRow | None:
        with self.sessions() as s:
            return s.get(RoundRow, (policy, name))

    def case(self, case_id: str) -> CaseRow | None:
        with self.sessions() as s:
            return s.get(CaseRow, case_id)

    def cases(self, state: str | None = None, policy: str | None = None) -> list[CaseRow]:
        query = select(CaseRow).order_by(CaseRow.policy, CaseRow.case_id)
        if state:
            query = query.where(CaseRow.state == state)
        if policy:
            query = query.where(CaseRow.policy == policy)
        with self.sessions() as s:
            return list(s.scalars(query))

    def audit(self, case_id: str) -> list[AuditRow]:
        with self.sessions() as s:
            return list(
                s.scalars(
                    select(AuditRow).where(AuditRow.case_id == case_id).order_by(AuditRow.seq)
                )
            )

    def selected_counts(
        self, policy: str, round_: str, provider_type: str, sectors: list[str], exclude: str
    ) -> dict[str, int]:
        with self.sessions() as s:
            rows = s.scalars(
                select(CaseRow)
                .where(CaseRow.policy == policy, CaseRow.round == round_)
                .where(CaseRow.provider_type == provider_type, CaseRow.selected.is_(True))
                .where(CaseRow.case_id != exclude)
            ).all()
        return {sector: sum(1 for r in rows if sector in r.sectors) for sector in sectors}
