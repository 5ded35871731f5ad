"""How a round's opening and closing officers were known (engine rule: proven by the gateway's
signature, ``asserted`` otherwise), kept beside their names.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    with op.batch_alter_table("evaluation_rounds") as batch:
        batch.add_column(sa.Column("opened_as", sa.String(16)))
        batch.add_column(sa.Column("closed_as", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("evaluation_rounds") as batch:
        batch.drop_column("closed_as")
        batch.drop_column("opened_as")
