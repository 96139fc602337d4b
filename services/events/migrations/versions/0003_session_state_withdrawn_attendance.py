"""sessions are cancelled and updated, attendances withdrawn; every activity's sessions listed by date

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COUNTED = "withdraw_time IS NULL"


def upgrade() -> None:
    op.add_column("activities", sa.Column("update_time", UTCDateTime, nullable=True))
    op.add_column("sessions", sa.Column("state", sa.Integer, nullable=False, server_default="1"))
    op.add_column("sessions", sa.Column("cancel_reason", sa.String(200), nullable=False, server_default=""))
    op.add_column("sessions", sa.Column("update_time", UTCDateTime, nullable=True))
    op.create_index("ix_sessions_date", "sessions", ["date", "start_time", "id"])
    # SQLite cannot drop a constraint in place: batch mode copies the table without it.
    with op.batch_alter_table("attendances") as batch:
        batch.add_column(sa.Column("withdraw_time", UTCDateTime, nullable=True))
        batch.drop_constraint("uq_attendances_session_person", type_="unique")
    op.create_index("uq_attendances_session_person_counted", "attendances", ["session_id", "person_id"],
                    unique=True, sqlite_where=sa.text(COUNTED), postgresql_where=sa.text(COUNTED))
    op.create_index("ix_attendances_session_created", "attendances", ["session_id", "create_time", "id"])


def downgrade() -> None:
    op.drop_index("ix_attendances_session_created", "attendances")
    op.drop_index("uq_attendances_session_person_counted", "attendances")
    op.execute("DELETE FROM attendances WHERE withdraw_time IS NOT NULL")
    with op.batch_alter_table("attendances") as batch:
        batch.create_unique_constraint("uq_attendances_session_person", ["session_id", "person_id"])
        batch.drop_column("withdraw_time")
    op.drop_index("ix_sessions_date", "sessions")
    for column in ("update_time", "cancel_reason", "state"):
        op.drop_column("sessions", column)
    op.drop_column("activities", "update_time")
