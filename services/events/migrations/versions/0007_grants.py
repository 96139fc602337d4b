"""funders, grants and projects, and the activities of a project

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "funders",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("display_key", sa.String(200), nullable=False, unique=True),
        sa.Column("description", sa.String(2000), nullable=False, server_default=""),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=True),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("funder_id", sa.String(64), sa.ForeignKey("funders.id"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False, server_default=""),
        sa.Column("amount_nok", sa.BigInteger, nullable=False),
        sa.Column("start_date", sa.String(10), nullable=False),
        sa.Column("end_date", sa.String(10), nullable=False),
        sa.Column("purpose", sa.String(2000), nullable=False, server_default=""),
        sa.Column("reporting_duties", sa.JSON, nullable=False),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=True),
    )
    op.create_index("ix_grants_start", "grants", ["start_date", "id"])
    op.create_index("ix_grants_funder_start", "grants", ["funder_id", "start_date", "id"])
    op.create_table(
        "projects",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False, server_default=""),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=True),
    )
    op.create_index("ix_projects_title", "projects", ["title", "id"])
    op.create_table(
        "project_grants",
        sa.Column("project_id", sa.String(64), sa.ForeignKey("projects.id"), primary_key=True),
        sa.Column("grant_id", sa.String(64), sa.ForeignKey("grants.id"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_project_grants_grant", "project_grants", ["grant_id"])
    op.create_table(
        "project_activities",
        sa.Column("project_id", sa.String(64), sa.ForeignKey("projects.id"), primary_key=True),
        sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_project_activities_activity", "project_activities", ["activity_id"])


def downgrade() -> None:
    op.drop_table("project_activities")
    op.drop_table("project_grants")
    op.drop_table("projects")
    op.drop_table("grants")
    op.drop_table("funders")
