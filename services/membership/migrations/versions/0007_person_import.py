"""importing members from a spreadsheet: imports, their file while needed, their rows, and the keys of rows
imported (so that a row is never imported twice)

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
        "person_imports",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("state", sa.Integer, nullable=False),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("encoding", sa.String(16), nullable=False, server_default=""),
        sa.Column("delimiter", sa.String(4), nullable=False, server_default=""),
        sa.Column("columns", sa.Text, nullable=False, server_default="[]"),
        sa.Column("unrecognized_columns", sa.Text, nullable=False, server_default="[]"),
        sa.Column("total_rows", sa.Integer, nullable=False),
        sa.Column("processed_rows", sa.Integer, nullable=False, server_default="0"),
        sa.Column("planned", sa.Text, nullable=False, server_default="{}"),
        sa.Column("done", sa.Text, nullable=False, server_default="{}"),
        sa.Column("on_error", sa.Integer, nullable=False, server_default="0"),
        sa.Column("stopped_at_row", sa.Integer, nullable=False, server_default="0"),
        sa.Column("started_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("started_client", sa.String(200), nullable=False, server_default=""),
        sa.Column("create_time", UTCDateTime, nullable=False),
        sa.Column("start_time", UTCDateTime, nullable=True),
        sa.Column("end_time", UTCDateTime, nullable=True),
        sa.Column("expire_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_person_imports_state", "person_imports", ["state"])
    op.create_table(
        "person_import_files",
        sa.Column("import_id", sa.String(64), sa.ForeignKey("person_imports.id"), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "person_import_rows",
        sa.Column("import_id", sa.String(64), sa.ForeignKey("person_imports.id"), primary_key=True),
        sa.Column("row_number", sa.Integer, primary_key=True),
        sa.Column("plan", sa.Integer, nullable=False),
        sa.Column("result", sa.Integer, nullable=False, server_default="0"),
        sa.Column("person_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("same_as_row", sa.Integer, nullable=False, server_default="0"),
        sa.Column("problems", sa.Text, nullable=False, server_default="[]"),
        sa.Column("row_key", sa.String(64), nullable=False, server_default=""),
    )
    op.create_table(
        "person_import_keys",
        sa.Column("row_key", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("import_id", sa.String(64), nullable=False),
        sa.Column("create_time", UTCDateTime, nullable=False),
    )
    op.create_index("ix_person_import_keys_person", "person_import_keys", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_person_import_keys_person", "person_import_keys")
    op.drop_table("person_import_keys")
    op.drop_table("person_import_rows")
    op.drop_table("person_import_files")
    op.drop_index("ix_person_imports_state", "person_imports")
    op.drop_table("person_imports")
