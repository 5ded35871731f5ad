"""What was last written beside each case (digests of its provider's fields, its deadlines and
its work waiting), so a record writes those rows again only when they change.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("written", sa.String(48)))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("written")
