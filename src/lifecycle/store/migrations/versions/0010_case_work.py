"""What each case waits for from people now (the console's inbox): one row a piece of work,
written whole with each newer projection of the case.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_table(
        "case_work",
        sa.Column("case_id", sa.String(120), primary_key=True),
        sa.Column("n", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("actions", sa.JSON, nullable=False),
        sa.Column("clause", sa.String(120), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("due_date", sa.Date),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("deadline", sa.String(200)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("ref", sa.String(40)),
    )
    op.create_index("ix_case_work_kind", "case_work", ["kind"])
    op.create_index("ix_case_work_role_due", "case_work", ["role", "due_at"])


def downgrade() -> None:
    op.drop_table("case_work")
