"""Signing secrets as the Standard Webhooks scheme makes them, kept sealed, and rotated with a
grace period: the scheme each secret follows (``legacy``: the whole ``whsec_…`` text is the HMAC
key, as secrets issued before this were), and the previous secret with the end of its grace.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.alter_column("signing_secret", type_=sa.String(400), existing_nullable=False)
        batch.add_column(
            sa.Column("secret_scheme", sa.String(16), nullable=False, server_default="legacy")
        )
        batch.add_column(sa.Column("previous_secret", sa.String(400)))
        batch.add_column(sa.Column("previous_scheme", sa.String(16)))
        batch.add_column(sa.Column("previous_until", TZ))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        for name in ("previous_until", "previous_scheme", "previous_secret", "secret_scheme"):
            batch.drop_column(name)
