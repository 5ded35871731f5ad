"""The audit log becomes tamper-evident: every row keeps a hash over its content and the
previous row's (existing rows are chained now, in order), and the database itself refuses
UPDATE and DELETE on it. Refused events from other systems are kept for their senders.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from lifecycle.store.chain import GENESIS, digest

revision = "0003"
down_revision = "0002"

TZ = sa.DateTime(timezone=True)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN "
    "SELECT RAISE(ABORT, 'audit_log is append-only: its rows are never changed'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN "
    "SELECT RAISE(ABORT, 'audit_log is append-only: its rows are never deleted'); END",
)
POSTGRES_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'audit_log is append-only: its rows are never changed or deleted'; "
    "END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64)))
        batch.add_column(sa.Column("hash", sa.String(64)))
    _chain_existing_rows()
    bind = op.get_bind()
    for statement in POSTGRES_TRIGGERS if bind.dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)
    op.create_table(
        "rejected_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(120), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("actor_role", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("received_at", TZ, nullable=False, index=True),
        sa.UniqueConstraint("case_id", "event_id", name="uq_rejected_case_event"),
    )


def _chain_existing_rows() -> None:
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.Integer),
        *(sa.column(c) for c in ("case_id", "actor_role", "actor_id", "action", "from_state")),
        *(sa.column(c) for c in ("to_state", "reason", "clause", "event_id", "prev_hash", "hash")),
        sa.column("seq", sa.Integer),
        sa.column("at", TZ),
        sa.column("data", sa.JSON),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(audit).order_by(audit.c.case_id, audit.c.seq)).mappings().all()
    previous: dict[str, str] = {}
    for row in rows:
        prev = previous.get(row["case_id"], GENESIS)
        value = digest(prev, dict(row))
        bind.execute(
            audit.update().where(audit.c.id == row["id"]).values(prev_hash=prev, hash=value)
        )
        previous[row["case_id"]] = value


def downgrade() -> None:
    op.drop_table("rejected_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
