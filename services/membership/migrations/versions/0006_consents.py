"""consents per purpose, with their withdrawal

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

IN_FORCE = "withdraw_date IS NULL"


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("purpose", sa.Integer, nullable=False),
        sa.Column("text_version", sa.String(60), nullable=False),
        sa.Column("given_date", sa.Date, nullable=False),
        sa.Column("source", sa.Integer, nullable=False),
        sa.Column("given_by", sa.Integer, nullable=False),
        sa.Column("guardian_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("guardian_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("recorded_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("withdraw_date", sa.Date, nullable=True),
        sa.Column("withdraw_source", sa.Integer, nullable=False, server_default="0"),
        sa.Column("withdrawn_recorded_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_consents_person_created", "consents", ["person_id", "create_time", "id"])
    op.create_index("uq_consents_in_force", "consents", ["person_id", "purpose"], unique=True,
                    sqlite_where=sa.text(IN_FORCE), postgresql_where=sa.text(IN_FORCE))


def downgrade() -> None:
    op.drop_index("uq_consents_in_force", "consents")
    op.drop_index("ix_consents_person_created", "consents")
    op.drop_table("consents")
