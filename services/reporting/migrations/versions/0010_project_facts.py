"""figures per project and per grant: which grants pay for a project, which activities count for it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact_project_grants",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("grant_id", sa.String(64), primary_key=True),
        sa.Column("funder_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_fact_project_grants_grant", "fact_project_grants", ["grant_id"])
    op.create_table(
        "fact_activity_projects",
        sa.Column("activity_id", sa.String(64), primary_key=True),
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("linked", sa.Boolean, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_fact_activity_projects_project", "fact_activity_projects", ["project_id"])


def downgrade() -> None:
    op.drop_table("fact_activity_projects")
    op.drop_table("fact_project_grants")
