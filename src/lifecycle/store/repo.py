"""Repository over the store. Every write is idempotent on a business key."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.clock import BusinessClock
from lifecycle.contracts.activities import CaseChange, CaseSnapshot, RejectedEvent
from lifecycle.domain.case import AuditEntry
from lifecycle.domain.plan import (
    ClaimRequest,
    ClaimResult,
    Notification,
    ReservationRequest,
    SlotResult,
)
from lifecycle.errors import Unavailable
from lifecycle.store import chain, db, reservations, verify, writes
from lifecycle.store.db import make_engine, migrate, reader, session_factory
from lifecycle.store.desk import Desk
from lifecycle.store.keys import ApiKeys
from lifecycle.store.models import (
    AuditRow,
    AuditSealRow,
    BanRow,
    BusinessClockRow,
    CaseDeadlineRow,
    CaseRow,
    ClaimRow,
    NotificationRow,
    RejectedEventRow,
    RoundClaimRow,
    RoundRow,
    SettingRow,
)
from lifecycle.store.rounds import Rounds

OPEN_STATES = (
    "submitted",
    "preliminary_review",
    "expert_review",
    "publicity",
    "listed",
    "rectification",
)


class Store:
    """``seals``: the audit key ring (LIFECYCLE_AUDIT_KEYS) that seals each audit row written
    and checks them in ``audit verify``; None for a store used without it (tests)."""

    def __init__(
        self, sessions: sessionmaker[Session], seals: chain.Keys | None = None, checked: bool = True
    ) -> None:
        self.sessions, self.seals, self.checked = sessions, seals, checked

    @functools.cached_property
    def reads(self) -> sessionmaker[Session]:
        """Sessions that only read: on SQLite they begin deferred, so a read (a command's, the
        gateway's, a case's look-up) neither waits for a writer nor holds one up."""
        return reader(self.sessions)

    @functools.cached_property
    def keys(self) -> ApiKeys:
        """The gateway's API keys and the events it received."""
        return ApiKeys(self.sessions)

    @functools.cached_property
    def desk(self) -> Desk:
        """What the console's lists read: work waiting, cases found, their counts."""
        return Desk(self.sessions)

    @functools.cached_property
    def rounds(self) -> Rounds:
        """Evaluation rounds, their results and rewards."""
        return Rounds(self.sessions)

    @classmethod
    def from_url(cls, url: str, seals: chain.Keys | None = None) -> Store:
        """The store at ``url``, its schema created or migrated; one sentence if unusable."""
        try:
            return cls(session_factory(url), seals)
        except (SQLAlchemyError, ValueError, OSError) as exc:
            raise unusable(url, exc) from exc

    @classmethod
    def unchecked(cls, url: str, seals: chain.Keys | None = None) -> Store:
        """The store at ``url`` as it is, its schema not checked (a store known to this machine
        that does not answer now: each use then fails, as unavailable, until it is back)."""
        return cls(sessionmaker(make_engine(url), expire_on_commit=False), seals, checked=False)

    def check_schema(self) -> None:
        """The schema of a store taken unchecked, created or migrated once it answers."""
        if not self.checked:
            migrate(self.sessions.kw["bind"])
            self.checked = True

    # --- writes -----------------------------------------------------------------------------

    def record(
        self,
        snap: CaseSnapshot | CaseChange,
        entries: list[AuditEntry],
        release: bool = False,
        notifications: list[Notification] | None = None,
    ) -> int:
        """In one transaction: upserts the case (unless a newer snapshot is already there), and
        its provider, deadlines and work waiting where they changed, appends audit rows, writes
        reminders to the notifications outbox (each once) and, for a case that ended, gives back
        every place it held. Returns how many audit rows were new. ``snap``: the case's whole
        projection, or its change (``WholeWanted`` when the store does not hold the case)."""
        with db.writers(self.engine), self.engine.begin() as c:
            return writes.record(c, self.writes, self.seals, snap, entries, release, notifications)

    @property
    def engine(self) -> Engine:
        bound: Engine = self.sessions.kw["bind"]
        return bound

    @functools.cached_property
    def writes(self) -> writes.Writes:
        """The record's statements, built once for this store's database."""
        return writes.Writes(self.engine.dialect)

    def log_programme(
        self,
        policy: str,
        action: str,
        actor: str,
        reason: str,
        data: dict[str, Any],
        at: dt.datetime,
    ) -> int:
        """A change to a programme's rules (a version installed), in the audit log as a trail of
        its own (``programme:ID``), chained and sealed like a case's; the row's number."""
        trail = f"programme:{policy}"
        role, _, ident = actor.partition(":")
        with self.sessions.begin() as s:
            last = s.scalar(select(func.max(AuditRow.seq)).where(AuditRow.case_id == trail))
            seq = (last or 0) + 1
            writes.chained(
                s,
                self.writes,
                self.seals,
                {
                    "case_id": trail,
                    "seq": seq,
                    "at": at,
                    "actor_role": role,
                    "actor_id": ident,
                    "action": action,
                    "from_state": "-",
                    "to_state": "-",
                    "reason": reason,
                    "clause": None,
                    "data": data,
                    "event_id": None,
                    "assurance": "asserted",
                },
                None,
            )
        return seq

    def seal_trails(self) -> int:
        """Seals each trail written before the audit key at its last row (the chain covers the
        rows before it), where the chain holds; the number of trails sealed. A trail that does
        not hold stays unsealed, and ``audit verify`` names it."""
        if self.seals is None:
            return 0
        sealed = 0
        with self.sessions.begin() as s:
            done = {(c, n) for c, n in s.execute(select(AuditSealRow.case_id, AuditSealRow.seq))}
            for case_id, rows in verify.trails(s):
                last = rows[-1]
                if (case_id, last.seq) in done or verify.first_break(rows) or not last.hash:
                    continue
                s.add(
                    AuditSealRow(
                        case_id=case_id, seq=last.seq, seal=chain.seal(self.seals, last.hash)
                    )
                )
                sealed += 1
        return sealed

    def claim_key(self, request: ClaimRequest, now: dt.datetime) -> ClaimResult:
        """Claims ``request.key`` for its holder for good, atomically (insert-or-get)."""
        with db.writers(self.engine), self.sessions.begin() as s:
            s.execute(
                db.upsert_in(s)(ClaimRow)
                .values(key=request.key, holder=request.holder, claimed_at=now)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            held = s.get(ClaimRow, request.key)
            assert held is not None
            return ClaimResult(granted=held.holder == request.holder, held_by=held.holder)

    def settings(self, policy: str, keys: list[str]) -> dict[str, Any]:
        with self.reads() as s:
            rows = s.scalars(
                select(SettingRow).where(SettingRow.policy == policy, SettingRow.key.in_(keys))
            )
            return {r.key: r.value for r in rows}

    def set_setting(self, policy: str, key: str, value: Any, now: dt.datetime) -> None:
        with self.sessions.begin() as s:
            s.merge(SettingRow(policy=policy, key=key, value=value, set_at=now))

    def all_settings(self, policy: str) -> dict[str, Any]:
        with self.reads() as s:
            rows = s.scalars(
                select(SettingRow).where(SettingRow.policy == policy).order_by(SettingRow.key)
            )
            return {r.key: r.value for r in rows}

    def notifications(
        self, role: str | None = None, due_from: dt.date | None = None
    ) -> list[NotificationRow]:
        query = select(NotificationRow).order_by(
            NotificationRow.due, NotificationRow.written_at, NotificationRow.id
        )
        if role:
            query = query.where(NotificationRow.role == role)
        if due_from is not None:
            query = query.where(NotificationRow.due >= due_from)
        with self.reads() as s:
            return list(s.scalars(query))

    def reserve(self, request: ReservationRequest, now: dt.datetime) -> SlotResult:
        with db.writers(self.engine), self.engine.begin() as c:
            return reservations.reserve(c, self.places, request, now)

    @functools.cached_property
    def places(self) -> reservations.Places:
        """The reservation's statements, built once for this store's database."""
        return reservations.Places(self.engine.dialect.name)

    def business_clock(self, wanted: BusinessClock) -> BusinessClock:
        """The system's clock: the one recorded when it first ran; the first caller records
        ``wanted`` (whether the settings still ask for it is the caller's question)."""
        with self.sessions.begin() as s:
            insert = db.upsert_in(s)
            s.execute(
                insert(BusinessClockRow)
                .values(
                    id=1,
                    start=wanted.start,
                    day_seconds=wanted.day_seconds,
                    business_origin=wanted.business_origin,
                    real_origin=wanted.real_origin,
                )
                .on_conflict_do_nothing(index_elements=["id"])
            )
            row = s.get(BusinessClockRow, 1)
            assert row is not None
            return BusinessClock(
                business_origin=row.business_origin,
                real_origin=row.real_origin,
                day_seconds=row.day_seconds,
                start=row.start,
            )

    def claim(self, policy: str, round_: str, entity: str, case_id: str) -> str | None:
        """Claims the round for a legal entity; returns the other case holding it, if any."""
        try:
            with self.sessions.begin() as s:
                s.add(
                    RoundClaimRow(policy=policy, round=round_, entity_code=entity, case_id=case_id)
                )
        except IntegrityError:
            with self.reads() as s:
                held = s.get(RoundClaimRow, (policy, round_, entity))
                holder = held.case_id if held else None
            return None if holder == case_id else holder
        return None

    def release_claim(self, policy: str, round_: str, entity: str, case_id: str) -> None:
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
        with self.reads() as s:
            return s.scalars(
                select(BanRow)
                .where(BanRow.credit_code.in_(codes))
                .where(or_(BanRow.policy.is_(None), BanRow.policy == policy))
                .where(BanRow.starts <= on)
                .where(or_(BanRow.ends.is_(None), BanRow.ends >= on))
                .order_by(BanRow.ends.is_(None).desc(), BanRow.ends.desc())
            ).first()

    def bans(self, policy: str | None = None) -> list[BanRow]:
        query = select(BanRow).order_by(BanRow.starts, BanRow.id)
        if policy is not None:
            query = query.where(or_(BanRow.policy.is_(None), BanRow.policy == policy))
        with self.reads() as s:
            return list(s.scalars(query))

    def call_rounds(self, policy: str) -> list[str]:
        """The names of the rounds the bureau opened for a programme's call ('round set')."""
        with self.reads() as s:
            return list(
                s.scalars(
                    select(RoundRow.round).where(RoundRow.policy == policy).order_by(RoundRow.round)
                )
            )

    def round(self, policy: str, name: str) -> RoundRow | None:
        with self.reads() as s:
            return s.get(RoundRow, (policy, name))

    def case(self, case_id: str) -> CaseRow | None:
        with self.reads() as s:
            return s.get(CaseRow, case_id)

    def cases(
        self, state: str | None = None, policy: str | None = None, pending: bool = False
    ) -> list[CaseRow]:
        query = select(CaseRow).order_by(CaseRow.policy, CaseRow.case_id)
        if state:
            query = query.where(CaseRow.state == state)
        if policy:
            query = query.where(CaseRow.policy == policy)
        if pending:
            query = query.where(CaseRow.pending_decision.is_not(None))
        with self.reads() as s:
            return list(s.scalars(query))

    def policy_audit(self, policy: str, actions: list[str]) -> list[tuple[AuditRow, CaseRow]]:
        """Audit rows of ``actions`` across a programme's cases, with each row's case, in the
        order they happened (what publications are generated from)."""
        with self.reads() as s:
            return [
                (row, case)
                for row, case in s.execute(
                    select(AuditRow, CaseRow)
                    .join(CaseRow, CaseRow.case_id == AuditRow.case_id)
                    .where(CaseRow.policy == policy, AuditRow.action.in_(actions))
                    .order_by(AuditRow.at, AuditRow.case_id, AuditRow.seq)
                )
            ]

    def audit(self, case_id: str) -> list[AuditRow]:
        with self.reads() as s:
            return list(
                s.scalars(
                    select(AuditRow).where(AuditRow.case_id == case_id).order_by(AuditRow.seq)
                )
            )

    def event_seen(self, case_id: str, event_id: str) -> int | None:
        """The change an event (or a request, by its key) made to the case, if it was applied."""
        with self.reads() as s:
            return s.scalar(
                select(AuditRow.seq).where(
                    AuditRow.case_id == case_id, AuditRow.event_id == event_id
                )
            )

    def reject(self, events: list[RejectedEvent]) -> None:
        """Keeps refused events for their senders, once per case and event id."""
        if not events:
            return
        with db.writers(self.engine), self.sessions.begin() as s:
            insert = db.upsert_in(s)
            s.execute(
                insert(RejectedEventRow)
                .values([e.model_dump() for e in events])
                .on_conflict_do_nothing(index_elements=["case_id", "event_id"])
            )

    def rejected(self, since: dt.datetime | None = None) -> list[RejectedEventRow]:
        query = select(RejectedEventRow).order_by(RejectedEventRow.received_at, RejectedEventRow.id)
        if since is not None:
            query = query.where(RejectedEventRow.received_at >= since)
        with self.reads() as s:
            return list(s.scalars(query))

    def held(self, case_id: str) -> list[str]:
        with self.reads() as s:
            return reservations.held(s, case_id)

    def ping(self) -> None:
        """A write transaction begun and ended: raises while the store takes no writes."""
        with self.sessions.begin() as s:
            s.execute(select(1))

    def open_case_ids(self) -> list[str]:
        """Every case not closed, by id."""
        with self.reads() as s:
            return list(
                s.scalars(
                    select(CaseRow.case_id)
                    .where(CaseRow.state.in_(OPEN_STATES))
                    .order_by(CaseRow.case_id)
                )
            )

    def cases_touching(self, year: int) -> list[str]:
        """Open cases with a running deadline whose count crossed ``year``."""
        with self.reads() as s:
            return list(
                s.scalars(
                    select(CaseDeadlineRow.case_id)
                    .join(CaseRow, CaseRow.case_id == CaseDeadlineRow.case_id)
                    .where(CaseDeadlineRow.first_year <= year, CaseDeadlineRow.last_year >= year)
                    .where(CaseRow.state.in_(OPEN_STATES))
                    .distinct()
                    .order_by(CaseDeadlineRow.case_id)
                )
            )

    def selected_counts(
        self, policy: str, round_: str, provider_type: str, sectors: list[str], exclude: str
    ) -> dict[str, int]:
        """Only for cases whose history predates reservations (their recorded count)."""
        with self.reads() as s:
            rows = s.scalars(
                select(CaseRow)
                .where(CaseRow.policy == policy, CaseRow.round == round_)
                .where(CaseRow.provider_type == provider_type, CaseRow.selected.is_(True))
                .where(CaseRow.case_id != exclude)
            ).all()
        return {sector: sum(1 for r in rows if sector in r.sectors) for sector in sectors}


def _seq(entry: AuditEntry) -> int:
    return entry.seq


def unusable(url: str, exc: BaseException) -> Unavailable:
    shown = url
    with contextlib.suppress(SQLAlchemyError, ValueError):
        shown = make_url(url).render_as_string(hide_password=True)
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return Unavailable(f"LIFECYCLE_DB_URL '{shown}' cannot be used: {detail.rstrip('.')}.")
