"""The gateway's keys and receipts in the store: API keys kept as hashes (the key is shown once,
when made), each with a signing secret for the events its system sends; and a receipt per event
received, so a re-sent event is answered as received and applied once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.store.db import reader
from lifecycle.store.models import ApiKeyRow, ReceivedEventRow

PREFIX = "lk_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class KeyHolder:
    key_id: str
    name: str
    role: str
    scope: tuple[str, ...]
    signing_secret: str  # as stored: sealed (or, written before secrets were sealed, plain)
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    secret_scheme: str = "standard"
    previous_secret: str | None = None
    previous_scheme: str | None = None
    previous_until: dt.datetime | None = None

    @classmethod
    def of(cls, row: ApiKeyRow) -> KeyHolder:
        return cls(
            key_id=row.key_id,
            name=row.name,
            role=row.role,
            scope=tuple(row.scope or ()),
            signing_secret=row.signing_secret,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
            secret_scheme=row.secret_scheme,
            previous_secret=row.previous_secret,
            previous_scheme=row.previous_scheme,
            previous_until=row.previous_until,
        )


class ApiKeys:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.reads = reader(sessions)  # reads never take SQLite's write lock

    def create(
        self, name: str, role: str, scope: list[str], now: dt.datetime, signing_secret: str
    ) -> tuple[str, KeyHolder] | None:
        """A new key for ``name`` (None when the name is taken): the key itself, shown once;
        ``signing_secret`` as the application keeps it (sealed)."""
        key_id = secrets.token_hex(6)
        key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        row = ApiKeyRow(
            key_id=key_id,
            name=name,
            role=role,
            scope=scope,
            secret_hash=_hash(key),
            signing_secret=signing_secret,
            secret_scheme="standard",
            created_at=now,
        )
        try:
            with self.sessions.begin() as s:
                s.add(row)
                s.flush()
                holder = KeyHolder.of(row)
        except IntegrityError:
            return None
        return key, holder

    def holder(self, key: str) -> KeyHolder | None:
        """Who holds ``key``, if it is a key made here and not revoked."""
        if not key.startswith(PREFIX):
            return None
        key_id = key[len(PREFIX) :].partition("_")[0]
        with self.reads() as s:
            row = s.get(ApiKeyRow, key_id)
            if row is None or row.revoked_at is not None:
                return None
            if not hmac.compare_digest(row.secret_hash, _hash(key)):
                return None
            return KeyHolder.of(row)

    def active(self, key_id: str) -> KeyHolder | None:
        """The holder of the key with this id, unless it was revoked."""
        with self.reads() as s:
            row = s.get(ApiKeyRow, key_id)
            return KeyHolder.of(row) if row is not None and row.revoked_at is None else None

    def named(self, name: str) -> KeyHolder | None:
        with self.reads() as s:
            row = s.scalar(select(ApiKeyRow).where(ApiKeyRow.name == name))
            return KeyHolder.of(row) if row else None

    def all(self) -> list[KeyHolder]:
        with self.reads() as s:
            rows = s.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()
            return [KeyHolder.of(r) for r in rows]

    def revoke(self, name: str, now: dt.datetime) -> KeyHolder | None:
        with self.sessions.begin() as s:
            row = s.scalar(select(ApiKeyRow).where(ApiKeyRow.name == name))
            if row is None:
                return None
            if row.revoked_at is None:
                row.revoked_at = now
            return KeyHolder.of(row)

    def set_secret(
        self,
        name: str,
        signing_secret: str,
        scheme: str,
        previous: tuple[str, str, dt.datetime] | None = None,
    ) -> KeyHolder | None:
        """A holder's signing secret replaced (sealed, with its scheme), and the secret it had
        kept as ``previous`` (sealed secret, scheme, end of its grace) when one is given."""
        with self.sessions.begin() as s:
            row = s.scalar(select(ApiKeyRow).where(ApiKeyRow.name == name))
            if row is None:
                return None
            row.signing_secret, row.secret_scheme = signing_secret, scheme
            if previous is not None:
                row.previous_secret, row.previous_scheme, row.previous_until = previous
            return KeyHolder.of(row)

    # --- events received -----------------------------------------------------------------

    def received(self, sender: str, event_id: str) -> str | None:
        """The case an event was received for, if it was."""
        with self.reads() as s:
            row = s.get(ReceivedEventRow, (sender, event_id))
            return row.case_id if row else None

    def receive(self, sender: str, event_id: str, case_id: str, now: dt.datetime) -> bool:
        """Takes a receipt for the event: True the first time, False when it was received."""
        try:
            with self.sessions.begin() as s:
                s.add(
                    ReceivedEventRow(
                        sender=sender, event_id=event_id, case_id=case_id, received_at=now
                    )
                )
        except IntegrityError:
            return False
        return True
