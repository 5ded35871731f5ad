"""The audit log keyed: a row's seal is an HMAC of its hash under a key kept outside the database
(LIFECYCLE_AUDIT_KEYS), named by its id, so rows rewritten with their hashes recomputed are
named by ``audit verify``. Seals are rows of their own (the audit log itself takes no UPDATE);
the trails written before the key are sealed at their last row when the key is made.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "audit_seals",
        sa.Column("case_id", sa.String(120), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("seal", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_seals")
