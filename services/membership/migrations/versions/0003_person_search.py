"""persons: the folded words of each name, for search; an index for listing a chapter

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

from services.membership.domain.search import name_words

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    op.add_column("persons", sa.Column("search_words", sa.Text, nullable=False, server_default=""))
    op.create_index("ix_persons_chapter_created", "persons", ["chapter", "create_time", "id"])
    persons = sa.table("persons", sa.column("id", sa.String), sa.column("given_name", sa.String),
                       sa.column("family_name", sa.String), sa.column("search_words", sa.Text))
    conn = op.get_bind()
    after = ""
    while True:  # the people registered before search, in batches by id
        rows = conn.execute(sa.select(persons.c.id, persons.c.given_name, persons.c.family_name)
                            .where(persons.c.id > after).order_by(persons.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            conn.execute(persons.update().where(persons.c.id == row.id)
                         .values(search_words=name_words(row.given_name, row.family_name)))
        after = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_persons_chapter_created", "persons")
    op.drop_column("persons", "search_words")
