"""the erasure log (GDPR Art. 17): erasures and each service's completion

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=True, unique=True),
        sa.Column("reason", sa.Integer, nullable=False),
        sa.Column("requester_role", sa.String(40), nullable=False),
        sa.Column("state", sa.Integer, nullable=False),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("complete_time", UTCDateTime, nullable=True),
    )
    op.create_index("ix_erasures_created", "erasures", ["create_time", "id"])
    op.create_table(
        "erasure_services",
        sa.Column("erasure_id", sa.String(64), sa.ForeignKey("erasures.id"), primary_key=True),
        sa.Column("service", sa.String(20), primary_key=True),
        sa.Column("complete_time", UTCDateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("erasure_services")
    op.drop_index("ix_erasures_created", "erasures")
    op.drop_table("erasures")
