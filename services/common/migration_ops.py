"""Migration operations for the tables every service has (see db.common_tables).

Versioned like any migration: a later change to these tables adds a new
function here and a new revision in each service, never edits this one.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.common.db import UTCDateTime


def create_common_tables_v1() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("ce_type", sa.String(200), nullable=False),
        sa.Column("ce_source", sa.String(200), nullable=False),
        sa.Column("ce_time", sa.String(40), nullable=False),
        sa.Column("dataschema", sa.String(300), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("traceparent", sa.String(80), nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "id"])
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("processed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "dead_letters",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("ce_type", sa.String(200), nullable=False),
        sa.Column("error", sa.String(200), nullable=False),
        sa.Column("failed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("request_id", sa.String(200), primary_key=True),
        sa.Column("method", sa.String(100), nullable=False),
        sa.Column("response", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_client", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("resource", sa.String(300), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False, server_default=""),
        sa.Column("trace_id", sa.String(32), nullable=False, server_default=""),
    )
    op.create_index("ix_audit_resource", "audit_log", ["resource"])


def common_tables_v2() -> None:
    """Facts are called facts; a request_id remembers the resource it produced, not a copy of the answer.

    The idempotency table is recreated: answers stored under v1 cannot be turned into resource ids,
    so a client retrying across this upgrade runs its request once more.
    """
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("event_id", new_column_name="fact_id", existing_type=sa.String(64), existing_nullable=False)
    op.rename_table("processed_events", "processed_facts")
    with op.batch_alter_table("processed_facts") as batch:
        batch.alter_column("event_id", new_column_name="fact_id", existing_type=sa.String(64), existing_nullable=False)
    with op.batch_alter_table("dead_letters") as batch:
        batch.alter_column("event_id", new_column_name="fact_id", existing_type=sa.String(64), existing_nullable=False)
    op.drop_table("idempotency_keys")
    op.create_table(
        "idempotency_keys",
        sa.Column("request_key", sa.String(200), primary_key=True),
        sa.Column("method", sa.String(100), nullable=False),
        sa.Column("resource", sa.String(300), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_idempotency_created", "idempotency_keys", ["created_at"])


def common_tables_v2_downgrade() -> None:
    """Back to v1 names; remembered request ids are dropped (v1 stored answers, which v2 never kept)."""
    op.drop_index("ix_idempotency_created", "idempotency_keys")
    op.drop_table("idempotency_keys")
    op.create_table(
        "idempotency_keys",
        sa.Column("request_id", sa.String(200), primary_key=True),
        sa.Column("method", sa.String(100), nullable=False),
        sa.Column("response", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    for table in ("dead_letters", "processed_facts", "outbox"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("fact_id", new_column_name="event_id", existing_type=sa.String(64),
                               existing_nullable=False)
    op.rename_table("processed_facts", "processed_events")
