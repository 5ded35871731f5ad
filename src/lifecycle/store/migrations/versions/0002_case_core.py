"""Case core: audit rows keep the action's data and event id; deadlines per case; places held
under shared caps (backfilled from cases already selected); the business clock.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("data", sa.JSON))
        batch.add_column(sa.Column("event_id", sa.String(200)))
        batch.create_index("uq_audit_case_event", ["case_id", "event_id"], unique=True)
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("rules_version", sa.String(16)))
    op.create_table(
        "case_deadlines",
        sa.Column("case_id", sa.String(120), primary_key=True),
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("closes_at", TZ, nullable=False),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("first_year", sa.Integer, nullable=False, index=True),
        sa.Column("last_year", sa.Integer, nullable=False, index=True),
    )
    op.create_table(
        "reservation_pools",
        sa.Column("pool", sa.String(200), primary_key=True),
    )
    op.create_table(
        "reservations",
        sa.Column("pool", sa.String(200), primary_key=True),
        sa.Column("case_id", sa.String(120), primary_key=True, index=True),
        sa.Column("held_since", TZ, nullable=False),
    )
    op.create_table(
        "business_clock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("start", sa.Date),
        sa.Column("day_seconds", sa.Integer, nullable=False),
        sa.Column("business_origin", TZ, nullable=False),
        sa.Column("real_origin", TZ, nullable=False),
    )
    _backfill_reservations()


def _backfill_reservations() -> None:
    """Cases selected before places were reserved hold theirs from now on."""
    cases = sa.table(
        "cases",
        *(sa.column(c) for c in ("case_id", "policy", "round", "provider_type")),
        sa.column("sectors", sa.JSON),
        sa.column("selected", sa.Boolean),
        sa.column("updated_at", TZ),
    )
    query = sa.select(
        cases.c.case_id,
        cases.c.policy,
        cases.c.round,
        cases.c.provider_type,
        cases.c.sectors,
        cases.c.updated_at,
    ).where(cases.c.selected.is_(True), cases.c.provider_type.is_not(None))
    pools: set[str] = set()
    held = []
    for case_id, policy, round_, kind, sectors, since in op.get_bind().execute(query).all():
        for sector in sectors or []:
            pool = f"{policy}:{round_}:selection:{kind}:{sector}"
            pools.add(pool)
            held.append({"pool": pool, "case_id": case_id, "held_since": since})
    if pools:
        op.bulk_insert(
            sa.table("reservation_pools", sa.column("pool")), [{"pool": p} for p in sorted(pools)]
        )
        op.bulk_insert(
            sa.table(
                "reservations",
                sa.column("pool"),
                sa.column("case_id"),
                sa.column("held_since", TZ),
            ),
            held,
        )


def downgrade() -> None:
    for table in ("business_clock", "reservations", "reservation_pools", "case_deadlines"):
        op.drop_table(table)
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("rules_version")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("uq_audit_case_event")
        batch.drop_column("event_id")
        batch.drop_column("data")
