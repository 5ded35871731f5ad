"""The read model and audit log (SQL): providers, cases and their deadlines, audit rows,
reservations under shared caps, bans, round settings and the business clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant, stored in UTC and read back aware: SQLite keeps no offset of its own."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"instant {value} has no time zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


class ProviderRow(Base):
    __tablename__ = "providers"
    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(100))
    parent_credit_code: Mapped[str | None] = mapped_column(String(18))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CaseRow(Base):
    __tablename__ = "cases"
    case_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    policy: Mapped[str] = mapped_column(String(40), index=True)
    round: Mapped[str] = mapped_column(String(40))
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    provider_name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(100))
    provider_type: Mapped[str | None] = mapped_column(String(40))
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(40), index=True)
    selected: Mapped[bool] = mapped_column(Boolean, default=False)
    next_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    next_deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    rules_version: Mapped[str | None] = mapped_column(String(16))
    pending_decision: Mapped[str | None] = mapped_column(Text)
    last_seq: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Digests of what was last written beside the case (its provider, deadlines, work waiting).
    written: Mapped[str | None] = mapped_column(String(48))


class CaseDeadlineRow(Base):
    """A case's running deadlines, so a calendar change finds the cases it may move."""

    __tablename__ = "case_deadlines"
    case_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    provisional: Mapped[bool] = mapped_column(Boolean)
    first_year: Mapped[int] = mapped_column(Integer, index=True)
    last_year: Mapped[int] = mapped_column(Integer, index=True)


class CaseWorkRow(Base):
    """A piece of work a case waits for from a role now (the inbox's rows): written whole with
    each newer projection of the case, so it is what the case said last."""

    __tablename__ = "case_work"
    __table_args__ = (Index("ix_case_work_role_due", "role", "due_at"),)
    case_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    role: Mapped[str] = mapped_column(String(40))
    actions: Mapped[list[str]] = mapped_column(JSON)
    clause: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    ref: Mapped[str | None] = mapped_column(String(40))


class AuditRow(Base):
    """Append-only: one row per change, unique on (case_id, seq) and on (case_id, event_id)
    for changes another system's event caused (older duplicates are caught here)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_audit_case_seq"),
        Index("uq_audit_case_event", "case_id", "event_id", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(120), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor_role: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(80))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    event_id: Mapped[str | None] = mapped_column(String(200))
    assurance: Mapped[str | None] = mapped_column(String(20))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditSealRow(Base):
    """An audit row's seal: an HMAC of its hash under a key kept outside the database
    (``KEY_ID:HEX``); rows before a sealed one are covered by it through the chain."""

    __tablename__ = "audit_seals"
    case_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    seal: Mapped[str] = mapped_column(String(100))


class RejectedEventRow(Base):
    """An event another system sent that a case did not apply: kept for its sender's operator
    (never its personal content), once per case and event id."""

    __tablename__ = "rejected_events"
    __table_args__ = (UniqueConstraint("case_id", "event_id", name="uq_rejected_case_event"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(120))
    event_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    actor_role: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class ReservationPoolRow(Base):
    """A cap shared by many cases; its row is locked while a place in it is reserved."""

    __tablename__ = "reservation_pools"
    pool: Mapped[str] = mapped_column(String(200), primary_key=True)


class ReservationRow(Base):
    """A place one case holds in a pool, idempotent on (pool, case)."""

    __tablename__ = "reservations"
    pool: Mapped[str] = mapped_column(String(200), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)
    held_since: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class BusinessClockRow(Base):
    """The one business clock of this system (id 1), recorded when it first ran."""

    __tablename__ = "business_clock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[dt.date | None] = mapped_column(Date)
    day_seconds: Mapped[int] = mapped_column(Integer)
    business_origin: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    real_origin: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class BanRow(Base):
    __tablename__ = "bans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    policy: Mapped[str | None] = mapped_column(String(40), doc="None: every programme")
    reason: Mapped[str] = mapped_column(Text)
    clause: Mapped[str] = mapped_column(String(80))
    starts: Mapped[dt.date] = mapped_column(Date)
    ends: Mapped[dt.date | None] = mapped_column(Date, doc="None: never lifted")
    case_id: Mapped[str | None] = mapped_column(String(120))


class RoundClaimRow(Base):
    """One legal entity per round: a branch claims its parent's code (qingdao-2024 §二(一)1)."""

    __tablename__ = "round_claims"
    policy: Mapped[str] = mapped_column(String(40), primary_key=True)
    round: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120))


class RoundRow(Base):
    """A call's dates, set by the bureau; overrides the pack's rounds of the same name."""

    __tablename__ = "rounds"
    policy: Mapped[str] = mapped_column(String(40), primary_key=True)
    round: Mapped[str] = mapped_column(String(40), primary_key=True)
    applications_close: Mapped[dt.date | None] = mapped_column(Date)
    preliminary_review_due: Mapped[dt.date | None] = mapped_column(Date)
    expert_review_due: Mapped[dt.date | None] = mapped_column(Date)


class ClaimRow(Base):
    """A key claimed exclusively, for good, by one holder (insert-or-get on the key)."""

    __tablename__ = "claims"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SettingRow(Base):
    """A bureau setting of a programme (a year's target), as the bureau set it last."""

    __tablename__ = "settings"
    policy: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class NotificationRow(Base):
    """A reminder for a role, written once (unique key), for other systems to read."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    case_id: Mapped[str] = mapped_column(String(120), index=True)
    role: Mapped[str] = mapped_column(String(40), index=True)
    text: Mapped[str] = mapped_column(Text)
    due: Mapped[dt.date] = mapped_column(Date)
    written_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class EvaluationRoundRow(Base):
    """An evaluation round: the programme, the period, its budget (locked while a reward is
    granted against it) and how far it has come."""

    __tablename__ = "evaluation_rounds"
    round_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    policy: Mapped[str] = mapped_column(String(40), index=True)
    period: Mapped[str] = mapped_column(String(16))
    rules_version: Mapped[str | None] = mapped_column(String(16))
    budget_cny: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    entrants: Mapped[int] = mapped_column(Integer, default=0)
    opened_by: Mapped[str | None] = mapped_column(String(200))
    opened_as: Mapped[str | None] = mapped_column(String(16))  # how the opener was known
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_as: Mapped[str | None] = mapped_column(String(16))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class EvaluationResultRow(Base):
    """One provider's published result in a round (generated from the round, never typed)."""

    __tablename__ = "evaluation_results"
    round_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    policy: Mapped[str] = mapped_column(String(40), index=True)
    period: Mapped[str] = mapped_column(String(16))
    credit_code: Mapped[str] = mapped_column(String(18))
    provider_name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(100))
    missed: Mapped[bool] = mapped_column(Boolean, default=False)
    total: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(40))
    grade_label: Mapped[str | None] = mapped_column(String(100))
    clause: Mapped[str | None] = mapped_column(String(80))
    rank: Mapped[int | None] = mapped_column(Integer)
    reward_cny: Mapped[int | None] = mapped_column(BigInteger)
    excellent: Mapped[bool] = mapped_column(Boolean, default=False)
    white_list: Mapped[bool] = mapped_column(Boolean, default=False)
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    outcome: Mapped[list[str]] = mapped_column(JSON, default=list)


class AwardRow(Base):
    """A reward granted against a round's budget, once per case (the budget never overspent:
    the round's row is locked while one is granted)."""

    __tablename__ = "awards"
    round_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    amount_cny: Mapped[int] = mapped_column(BigInteger)
    awarded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ApiKeyRow(Base):
    """A key a system or a person holds for the gateway: only its hash is kept; the signing
    secret (kept sealed) checks the events the system sends (Standard Webhooks signatures),
    and after a rotation the previous one still does until its grace ends."""

    __tablename__ = "api_keys"
    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(40))
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret_hash: Mapped[str] = mapped_column(String(64))
    signing_secret: Mapped[str] = mapped_column(String(400), doc="sealed by the application")
    secret_scheme: Mapped[str] = mapped_column(String(16), default="standard")
    previous_secret: Mapped[str | None] = mapped_column(String(400))
    previous_scheme: Mapped[str | None] = mapped_column(String(16))
    previous_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ReceivedEventRow(Base):
    """An event another system sent and a case received: a re-sent one is answered as already
    received and not applied again."""

    __tablename__ = "received_events"
    sender: Mapped[str] = mapped_column(String(80), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
