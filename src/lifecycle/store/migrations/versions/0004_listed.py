"""The listed phase: exclusive claims (a provider transforming a pilot enterprise against
assessing it), the bureau's settings (a year's target), the notifications outbox reminders
are written to once, and the decision a case waits on in the read model.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("claimed_at", TZ, nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("policy", sa.String(40), primary_key=True),
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("set_at", TZ, nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("case_id", sa.String(120), nullable=False, index=True),
        sa.Column("role", sa.String(40), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("written_at", TZ, nullable=False, index=True),
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("pending_decision", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("pending_decision")
    for table in ("notifications", "settings", "claims"):
        op.drop_table(table)
