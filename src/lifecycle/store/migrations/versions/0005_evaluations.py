"""Evaluation rounds: the round (its budget row is locked while a reward is granted), each
provider's published result, and the rewards granted against the budget, once per case.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "evaluation_rounds",
        sa.Column("round_id", sa.String(120), primary_key=True),
        sa.Column("policy", sa.String(40), nullable=False, index=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("rules_version", sa.String(16)),
        sa.Column("budget_cny", sa.BigInteger),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("entrants", sa.Integer, nullable=False, server_default="0"),
        sa.Column("opened_by", sa.String(200)),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("closed_by", sa.String(200)),
        sa.Column("closed_at", TZ),
    )
    op.create_table(
        "evaluation_results",
        sa.Column("round_id", sa.String(120), primary_key=True),
        sa.Column("case_id", sa.String(120), primary_key=True),
        sa.Column("policy", sa.String(40), nullable=False, index=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("provider_name", sa.String(200), nullable=False),
        sa.Column("district", sa.String(100), nullable=False),
        sa.Column("missed", sa.Boolean, nullable=False),
        sa.Column("total", sa.Float),
        sa.Column("grade", sa.String(40)),
        sa.Column("grade_label", sa.String(100)),
        sa.Column("clause", sa.String(80)),
        sa.Column("rank", sa.Integer),
        sa.Column("reward_cny", sa.BigInteger),
        sa.Column("excellent", sa.Boolean, nullable=False),
        sa.Column("white_list", sa.Boolean, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("outcome", sa.JSON, nullable=False),
    )
    op.create_table(
        "awards",
        sa.Column("round_id", sa.String(120), primary_key=True),
        sa.Column("case_id", sa.String(120), primary_key=True),
        sa.Column("amount_cny", sa.BigInteger, nullable=False),
        sa.Column("awarded_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("awards", "evaluation_results", "evaluation_rounds"):
        op.drop_table(table)
