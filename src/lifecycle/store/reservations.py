"""Places under caps shared by many cases (selection limits now; yearly quotas, ranks and
budgets later), reserved atomically and idempotently per case.

One transaction locks the pools' rows (PostgreSQL: ``SELECT … FOR UPDATE`` in key order;
SQLite: every transaction begins IMMEDIATE), counts the holders and inserts the case's places,
all or none. A case that already holds its place is granted again (an activity retried).

The statements are SQLAlchemy Core, built once per store and executed with their parameters on
one connection (as the record's are: ``lifecycle.store.writes``).
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import Connection, Table, bindparam, func, select
from sqlalchemy.orm import Session

from lifecycle.domain.plan import ReservationRequest, SlotResult
from lifecycle.store import db
from lifecycle.store.models import ReservationPoolRow, ReservationRow

POOLS = cast(Table, ReservationPoolRow.__table__)
PLACES = cast(Table, ReservationRow.__table__)


class Places:
    """The reservation's statements for one dialect."""

    def __init__(self, dialect: str) -> None:
        upsert = db.upsert(dialect)
        self.pool = upsert(POOLS).on_conflict_do_nothing(index_elements=["pool"])
        self.lock = (
            select(POOLS.c.pool)
            .where(POOLS.c.pool.in_(bindparam("pools", expanding=True)))
            .order_by(POOLS.c.pool)
            .with_for_update()
        )
        self.mine = select(PLACES.c.pool).where(
            PLACES.c.pool == bindparam("pool"), PLACES.c.case_id == bindparam("holder")
        )
        self.count = select(func.count()).where(PLACES.c.pool == bindparam("pool"))
        self.take = upsert(PLACES).on_conflict_do_nothing(index_elements=["pool", "case_id"])


def reserve(
    c: Connection, places: Places, request: ReservationRequest, now: dt.datetime
) -> SlotResult:
    """See ``Store.reserve``; ``c`` is in its transaction."""
    pools = sorted(request.pools)
    c.execute(places.pool, [{"pool": p} for p in pools])
    c.execute(places.lock, {"pools": pools}).all()
    for pool in pools:
        if c.execute(places.mine, {"pool": pool, "holder": request.holder}).first() is not None:
            continue
        held = c.execute(places.count, {"pool": pool}).scalar() or 0
        if held >= request.capacity:  # nothing of the case's is written: all or none
            return SlotResult(
                granted=False,
                pool=pool,
                held=held,
                capacity=request.capacity,
                what=request.pools[pool],
                clause=request.clause,
            )
    c.execute(
        places.take, [{"pool": p, "case_id": request.holder, "held_since": now} for p in pools]
    )
    return SlotResult(granted=True, capacity=request.capacity, clause=request.clause)


def held(s: Session, case_id: str) -> list[str]:
    return list(s.scalars(select(ReservationRow.pool).where(ReservationRow.case_id == case_id)))
