"""facts named as facts; idempotency keys remember resource ids

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from services.common.migration_ops import common_tables_v2, common_tables_v2_downgrade

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    common_tables_v2()


def downgrade() -> None:
    common_tables_v2_downgrade()
