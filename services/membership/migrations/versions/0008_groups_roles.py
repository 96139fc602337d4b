"""groups (local chapters and other groups) and their members; role assignments with a period. Every
chapter id already stored on a person becomes a group of kind chapter, so existing records keep naming one

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CHAPTER = 1  # services.membership.domain.group.GroupKind.CHAPTER


def display_name(chapter_id: str) -> str:
    """A first display name for a chapter known only by its id ('mir-ung' -> 'Mir-Ung'); coordinators correct
    it with UpdateGroup."""
    return "-".join(part[:1].upper() + part[1:] for part in chapter_id.split("-"))


def upgrade() -> None:
    groups = op.create_table(
        "groups",
        sa.Column("id", sa.String(41), primary_key=True),
        sa.Column("kind", sa.Integer, nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.String(41), sa.ForeignKey("groups.id"), primary_key=True),
        sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), primary_key=True),
        sa.Column("create_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_group_members_group_created", "group_members", ["group_id", "create_time", "person_id"])
    op.create_index("ix_group_members_person", "group_members", ["person_id", "group_id"])
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("role", sa.Integer, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=True),
        sa.Column("group_id", sa.String(41), sa.ForeignKey("groups.id"), nullable=True),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("update_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_role_assignments_person", "role_assignments", ["person_id", "start_date", "id"])
    op.create_index("ix_role_assignments_role", "role_assignments", ["role", "start_date", "id"])

    persons = sa.table("persons", sa.column("chapter", sa.String))
    conn = op.get_bind()
    chapters = conn.execute(sa.select(persons.c.chapter).where(persons.c.chapter != "").distinct()
                            .order_by(persons.c.chapter)).scalars().all()
    now = dt.datetime.now(dt.timezone.utc)
    if chapters:
        op.bulk_insert(groups, [dict(id=c, kind=CHAPTER, display_name=display_name(c), create_time=now,
                                     update_time=now) for c in chapters])


def downgrade() -> None:
    op.drop_index("ix_role_assignments_role", "role_assignments")
    op.drop_index("ix_role_assignments_person", "role_assignments")
    op.drop_table("role_assignments")
    op.drop_index("ix_group_members_person", "group_members")
    op.drop_index("ix_group_members_group_created", "group_members")
    op.drop_table("group_members")
    op.drop_table("groups")
