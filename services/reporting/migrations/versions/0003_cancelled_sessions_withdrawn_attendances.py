"""cancelled sessions and withdrawn attendances are kept and not counted; sessions move with their attendances

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("fact_sessions", sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_fact_sessions_activity", "fact_sessions", ["activity_id"])
    op.add_column("fact_attendances",
                  sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_fact_attendances_session", "fact_attendances", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_fact_attendances_session", "fact_attendances")
    op.drop_column("fact_attendances", "withdrawn")
    op.drop_index("ix_fact_sessions_activity", "fact_sessions")
    op.drop_column("fact_sessions", "cancelled")
