"""persons, membership years and the common tables

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime
from services.common.migration_ops import create_common_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("birth_year", sa.Integer, nullable=False, server_default="0"),
        sa.Column("gender", sa.Integer, nullable=False),
        sa.Column("preferred_languages", sa.String(200), nullable=False, server_default=""),
        sa.Column("email", sa.String(200), nullable=False, server_default=""),
        sa.Column("phone", sa.String(40), nullable=False, server_default=""),
        sa.Column("postal_code", sa.String(4), nullable=False, server_default=""),
        sa.Column("municipality", sa.String(100), nullable=False, server_default=""),
        sa.Column("chapter", sa.String(41), nullable=False, server_default=""),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_persons_created", "persons", ["create_time", "id"])
    op.create_table(
        "membership_years",
        sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("fee_nok", sa.BigInteger, nullable=False),
        sa.Column("payment_state", sa.Integer, nullable=False),
        sa.Column("paid_date", sa.String(10), nullable=False, server_default=""),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    create_common_tables_v1()


def downgrade() -> None:
    for table in ("audit_log", "idempotency_keys", "dead_letters", "processed_events", "outbox",
                  "membership_years", "persons"):
        op.drop_table(table)
