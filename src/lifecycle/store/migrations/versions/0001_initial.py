"""Providers, cases, audit log, bans, round claims and round settings.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "providers",
        sa.Column("credit_code", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("district", sa.String(100), nullable=False),
        sa.Column("parent_credit_code", sa.String(18)),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(120), primary_key=True),
        sa.Column("policy", sa.String(40), nullable=False, index=True),
        sa.Column("round", sa.String(40), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False, index=True),
        sa.Column("provider_name", sa.String(200), nullable=False),
        sa.Column("district", sa.String(100), nullable=False),
        sa.Column("provider_type", sa.String(40)),
        sa.Column("sectors", sa.JSON, nullable=False),
        sa.Column("state", sa.String(40), nullable=False, index=True),
        sa.Column("selected", sa.Boolean, nullable=False),
        sa.Column("next_deadline", TZ),
        sa.Column("next_deadline_provisional", sa.Boolean, nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(120), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor_role", sa.String(40), nullable=False),
        sa.Column("actor_id", sa.String(120), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("from_state", sa.String(40), nullable=False),
        sa.Column("to_state", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("clause", sa.String(80)),
        sa.UniqueConstraint("case_id", "seq", name="uq_audit_case_seq"),
    )
    op.create_table(
        "bans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("credit_code", sa.String(18), nullable=False, index=True),
        sa.Column("policy", sa.String(40)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("clause", sa.String(80), nullable=False),
        sa.Column("starts", sa.Date, nullable=False),
        sa.Column("ends", sa.Date),
        sa.Column("case_id", sa.String(120)),
    )
    op.create_table(
        "round_claims",
        sa.Column("policy", sa.String(40), primary_key=True),
        sa.Column("round", sa.String(40), primary_key=True),
        sa.Column("entity_code", sa.String(18), primary_key=True),
        sa.Column("case_id", sa.String(120), nullable=False),
    )
    op.create_table(
        "rounds",
        sa.Column("policy", sa.String(40), primary_key=True),
        sa.Column("round", sa.String(40), primary_key=True),
        sa.Column("applications_close", sa.Date),
        sa.Column("preliminary_review_due", sa.Date),
        sa.Column("expert_review_due", sa.Date),
    )


def downgrade() -> None:
    for table in ("rounds", "round_claims", "bans", "audit_log", "cases", "providers"):
        op.drop_table(table)
