"""referrals, deliveries and the common tables

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
        "referrals",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("direction", sa.Integer, nullable=False),
        sa.Column("person", sa.String(200), nullable=False, server_default=""),
        sa.Column("partner_kind", sa.Integer, nullable=False),
        sa.Column("partner_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("target_organization", sa.String(31), nullable=False, server_default=""),
        sa.Column("source_organization", sa.String(31), nullable=False, server_default=""),
        sa.Column("source_referral", sa.String(200), nullable=True, unique=True),
        sa.Column("reason_category", sa.Integer, nullable=False),
        sa.Column("state", sa.Integer, nullable=False),
        sa.Column("consent_given", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("contact_given_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("contact_phone", sa.String(40), nullable=False, server_default=""),
        sa.Column("contact_language", sa.String(35), nullable=False, server_default=""),
        sa.Column("outcome", sa.String(60), nullable=False, server_default=""),
        sa.Column("declined_by", sa.String(10), nullable=False, server_default=""),
        sa.Column("delivery_state", sa.String(20), nullable=False, server_default=""),
        sa.Column("remote_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_referrals_created", "referrals", ["create_time", "id"])
    op.create_index("ix_referrals_state_created", "referrals", ["state", "create_time", "id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.String(64), sa.ForeignKey("referrals.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("target_organization", sa.String(31), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("last_error", sa.String(200), nullable=False, server_default=""),
        sa.Column("traceparent", sa.String(80), nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("delivered_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_deliveries_state", "deliveries", ["state", "id"])
    create_common_tables_v1()


def downgrade() -> None:
    for table in ("audit_log", "idempotency_keys", "dead_letters", "processed_events", "outbox",
                  "deliveries", "referrals"):
        op.drop_table(table)
