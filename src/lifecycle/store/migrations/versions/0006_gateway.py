"""The gateway: how each audited actor was known, the API keys systems and staff hold (hashed),
and the events other systems sent (each applied once, by sender and event id).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("assurance", sa.String(20)))
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("scope", sa.JSON, nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("signing_secret", sa.String(80), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ),
    )
    op.create_table(
        "received_events",
        sa.Column("sender", sa.String(80), primary_key=True),
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("case_id", sa.String(120), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("received_events")
    op.drop_table("api_keys")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("assurance")
