"""A case's record in plain SQL: the statements are built once per store (SQLAlchemy Core over
the tables), compiled once for its database and run with their parameters on the connection's
own DB-API cursor (``lifecycle.store.prepared``), in one transaction, and only what changed is
written.

The case row keeps, in ``written``, a short digest of what was last written beside it (the
provider's fields, the deadlines, the work waiting): the provider and those rows are written
again only when their digest differs. The same idempotency as ever: a retried record finds its
audit rows there (each on its case and number) and a stale projection never overwrites a newer one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from lifecycle.contracts.activities import CaseChange, CaseSnapshot
from lifecycle.domain.case import AuditEntry
from lifecycle.domain.plan import Notification
from lifecycle.store import chain, db
from lifecycle.store.models import (
    AuditRow,
    AuditSealRow,
    BanRow,
    CaseDeadlineRow,
    CaseRow,
    CaseWorkRow,
    NotificationRow,
    ProviderRow,
    ReservationRow,
)
from lifecycle.store.prepared import Prepared

SELECTED_STATES = ("publicity", "listed", "rectification")
PROVIDER = ("name", "district", "parent_credit_code", "updated_at")
PART = 16  # hex digits of each part's digest in ``written``


class _Held(NamedTuple):
    """What the store holds of a case before its record."""

    last_seq: int
    updated_at: dt.datetime
    written: str | None
    credit_code: str


class WholeWanted(LookupError):
    """A change of a case the store does not hold: its whole projection is wanted."""


def _table(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=PART // 2).hexdigest()


class Writes:
    """The record's statements for one dialect, each compiled once."""

    def __init__(self, dialect: Dialect) -> None:
        upsert = db.upsert(dialect.name)

        def prepared(statement: Any) -> Prepared:
            return Prepared(statement, dialect)

        providers, cases = _table(ProviderRow), _table(CaseRow)
        audit, seals = _table(AuditRow), _table(AuditSealRow)
        deadlines, work = _table(CaseDeadlineRow), _table(CaseWorkRow)
        provider = upsert(providers)
        self.provider = prepared(
            provider.on_conflict_do_update(
                index_elements=["credit_code"], set_={c: provider.excluded[c] for c in PROVIDER}
            )
        )
        self.held = prepared(
            select(cases.c.last_seq, cases.c.updated_at, cases.c.written, cases.c.credit_code)
            .where(cases.c.case_id == bindparam("case_id"))
            .with_for_update()
        )
        self.case_insert = prepared(insert(cases))
        self.case_update = prepared(update(cases).where(cases.c.case_id == bindparam("the_case")))
        self.deadlines_clear = prepared(
            delete(deadlines).where(deadlines.c.case_id == bindparam("case_id"))
        )
        self.deadlines_add = prepared(insert(deadlines))
        self.work_clear = prepared(delete(work).where(work.c.case_id == bindparam("case_id")))
        self.work_add = prepared(insert(work))
        self.previous = prepared(
            select(audit.c.hash).where(
                audit.c.case_id == bindparam("case_id"), audit.c.seq == bindparam("seq")
            )
        )
        self.audit = prepared(
            upsert(audit)
            .on_conflict_do_nothing(index_elements=["case_id", "seq"])
            .returning(audit.c.seq)
        )
        self.seal = prepared(
            upsert(seals).on_conflict_do_nothing(index_elements=["case_id", "seq"])
        )
        self.notify = prepared(
            upsert(_table(NotificationRow)).on_conflict_do_nothing(index_elements=["key"])
        )
        self.ban = prepared(insert(_table(BanRow)))
        reservations = _table(ReservationRow)
        self.release = prepared(
            delete(reservations).where(reservations.c.case_id == bindparam("case_id"))
        )


def record(
    c: Connection,
    w: Writes,
    seals: chain.Keys | None,
    snap: CaseSnapshot | CaseChange,
    entries: list[AuditEntry],
    release: bool,
    notifications: list[Notification] | None,
) -> int:
    """See ``Store.record``; ``c`` is in its transaction."""
    case_id = snap.case_id
    found = w.held.run(c, {"case_id": case_id})
    held = _Held(*found[0]) if found else None
    if isinstance(snap, CaseSnapshot):
        credit_code = snap.credit_code
    elif held is None:
        raise WholeWanted(case_id)
    else:
        credit_code = held.credit_code
    was = ((held.written or "") if held is not None else "").ljust(3 * PART, "-")
    before = [was[i * PART : (i + 1) * PART] for i in range(3)]
    now = [
        _digest(repr(_provider(snap))) if isinstance(snap, CaseSnapshot) else before[0],
        _digest(snap.model_dump_json(include={"deadlines"})),
        _digest(snap.model_dump_json(include={"work"})),
    ]
    fresh = held is None or (held.last_seq, held.updated_at) <= (snap.last_seq, snap.updated_at)
    if isinstance(snap, CaseSnapshot) and (held is None or (fresh and now[0] != before[0])):
        w.provider.run(
            c,
            {
                "credit_code": snap.credit_code,
                "name": snap.provider_name,
                "district": snap.district,
                "parent_credit_code": snap.parent_credit_code,
                "updated_at": snap.updated_at,
            },
        )
    if fresh:
        fields = snap.model_dump(exclude={"parent_credit_code", "deadlines", "work"})
        fields["selected"] = snap.state in SELECTED_STATES
        fields["written"] = "".join(now)
        if held is None:
            w.case_insert.run(c, fields)
        else:
            fields["the_case"] = fields.pop("case_id")
            w.case_update.run(c, fields)
        if now[1] != before[1]:
            _deadlines(c, w, snap)
        if now[2] != before[2]:
            _work(c, w, snap)
    added = 0
    hashes: dict[int, str] = {}
    for e in sorted(entries, key=lambda e: e.seq):
        values = e.model_dump(mode="json", exclude={"at"})
        values.update(case_id=case_id, at=e.at)
        written = chained(c, w, seals, values, hashes.get(e.seq - 1))
        hashes[e.seq] = values["hash"]
        if written:
            added += 1
            _registers(c, w, case_id, credit_code, e)
    if notifications:
        w.notify.run_many(
            c, [{**n.model_dump(), "written_at": snap.updated_at} for n in notifications]
        )
    if release:
        w.release.run(c, {"case_id": case_id})
    return added


def chained(
    c: Connection | Session,
    w: Writes,
    seals: chain.Keys | None,
    values: dict[str, Any],
    previous: str | None,
) -> int:
    """Appends the audit row ``values`` (its case_id and seq set) chained to the one before it
    (``previous``: its hash when known, else read), sealed with the audit key; 0 when it is
    there already. ``c``: a connection or a session in its transaction."""
    if isinstance(c, Session):
        c = c.connection()
    if previous is None:
        found = w.previous.run(c, {"case_id": values["case_id"], "seq": values["seq"] - 1})
        previous = found[0][0] if found else None
    values["prev_hash"] = previous or chain.GENESIS
    values["hash"] = chain.digest(values["prev_hash"], values)
    written = len(w.audit.run(c, values))
    if written and seals is not None:
        w.seal.run(
            c,
            {
                "case_id": values["case_id"],
                "seq": values["seq"],
                "seal": chain.seal(seals, values["hash"]),
            },
        )
    return written


def _provider(snap: CaseSnapshot) -> tuple[str | None, ...]:
    return (snap.credit_code, snap.provider_name, snap.district, snap.parent_credit_code)


def _deadlines(c: Connection, w: Writes, snap: CaseSnapshot | CaseChange) -> None:
    w.deadlines_clear.run(c, {"case_id": snap.case_id})
    if snap.deadlines:
        w.deadlines_add.run_many(
            c, [{"case_id": snap.case_id, **d.model_dump()} for d in snap.deadlines]
        )


def _work(c: Connection, w: Writes, snap: CaseSnapshot | CaseChange) -> None:
    w.work_clear.run(c, {"case_id": snap.case_id})
    if snap.work:
        w.work_add.run_many(
            c,
            [
                {
                    "case_id": snap.case_id,
                    "n": n,
                    "kind": item.kind,
                    "role": item.role.value,
                    "actions": item.actions,
                    "clause": item.clause,
                    "due_at": item.due,
                    "due_date": item.due_date,
                    "provisional": item.provisional,
                    "deadline": item.deadline,
                    "text": item.text,
                    "ref": item.ref,
                }
                for n, item in enumerate(snap.work)
            ],
        )


def _registers(c: Connection, w: Writes, case_id: str, credit_code: str, e: AuditEntry) -> None:
    """What a new audit row puts in the registers other cases read: an exit's ban."""
    ban = e.data.get("ban") if e.action == "exit" else None
    if ban:
        w.ban.run(
            c,
            {
                "credit_code": credit_code,
                "policy": ban["policy"],
                "reason": f"{e.data.get('text') or e.data.get('reason')}",
                "clause": f"{ban['policy']} {e.data.get('clause', '')}".strip(),
                "starts": dt.date.fromisoformat(ban["starts"]),
                "ends": dt.date.fromisoformat(ban["ends"]) if ban["ends"] else None,
                "case_id": case_id,
            },
        )
