"""Places under caps shared by many cases (selection limits now; yearly quotas, ranks and
budgets later), reserved atomically and idempotently per case.

One transaction locks the pools' rows (PostgreSQL: ``SELECT … FOR UPDATE`` in key order;
SQLite: every transaction begins IMMEDIATE), counts the holders and inserts the case's places,
all or none. A case that already holds its place is granted again (an activity retried).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lifecycle.domain.plan import ReservationRequest, SlotResult
from lifecycle.store import db
from lifecycle.store.models import ReservationPoolRow, ReservationRow


def reserve(s: Session, request: ReservationRequest, now: dt.datetime) -> SlotResult:
    pools = sorted(request.pools)
    s.execute(
        db.upsert_in(s)(ReservationPoolRow)
        .values([{"pool": p} for p in pools])
        .on_conflict_do_nothing(index_elements=["pool"])
    )
    s.execute(
        select(ReservationPoolRow.pool)
        .where(ReservationPoolRow.pool.in_(pools))
        .order_by(ReservationPoolRow.pool)
        .with_for_update()
    ).all()
    for pool in pools:
        mine = s.get(ReservationRow, (pool, request.holder))
        if mine is not None:
            continue
        held = s.scalar(select(func.count()).where(ReservationRow.pool == pool)) or 0
        if held >= request.capacity:  # nothing of the case's is written: all or none
            return SlotResult(
                granted=False,
                pool=pool,
                held=held,
                capacity=request.capacity,
                what=request.pools[pool],
                clause=request.clause,
            )
    s.execute(
        db.upsert_in(s)(ReservationRow)
        .values([{"pool": p, "case_id": request.holder, "held_since": now} for p in pools])
        .on_conflict_do_nothing(index_elements=["pool", "case_id"])
    )
    return SlotResult(granted=True, capacity=request.capacity, clause=request.clause)


def release(s: Session, case_id: str) -> None:
    s.execute(delete(ReservationRow).where(ReservationRow.case_id == case_id))


def held(s: Session, case_id: str) -> list[str]:
    return list(s.scalars(select(ReservationRow.pool).where(ReservationRow.case_id == case_id)))
