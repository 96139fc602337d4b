"""tombstones of erased ids, so that a late fact about an erased person is counted under their token

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("erasure_tombstones", sa.Column("tombstone", sa.String(16), primary_key=True))


def downgrade() -> None:
    op.drop_table("erasure_tombstones")
