"""Database plumbing shared by the services: engines, migrations, and the
tables every service has (outbox, processed facts, dead letters, idempotency
keys, audit log).

SQLite is the embedded default; PostgreSQL is used by giving a URL. The same
code and migrations serve both.

A SQLite database holds personal data, so its file is created readable by its
owner only (0600), in a directory only its owner may enter (0700); SQLite gives
the -wal and -shm files it makes beside it the database file's mode. Files and
directories that already exist keep theirs.
"""
from __future__ import annotations

import datetime as dt
import os
import pathlib
import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine



class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(dt.timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value


DIRECTORY_MODE = 0o700
DATABASE_FILE_MODE = 0o600


def sqlite_path(url: str) -> pathlib.Path | None:
    """The file of a SQLite URL; None for another database, an in-memory one or a file: URI."""
    u = sa.engine.make_url(url)
    if u.get_backend_name() != "sqlite":
        return None
    database = u.database or ""
    if not database or database == ":memory:" or database.startswith("file:") or "uri" in u.query:
        return None
    return pathlib.Path(database)


def private_directory(path: pathlib.Path) -> None:
    """Create path and its missing parents, each with DIRECTORY_MODE (existing ones are left as they are)."""
    missing = []
    while not path.exists():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(mode=DIRECTORY_MODE, exist_ok=True)


def create_sqlite_file(url: str) -> None:
    """Create a SQLite URL's database file (empty, which SQLite takes as an empty database) with
    DATABASE_FILE_MODE, before SQLite would create it with the process's default mode."""
    path = sqlite_path(url)
    if path is None:
        return
    private_directory(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DATABASE_FILE_MODE))
    except FileExistsError:
        pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        create_sqlite_file(url)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
            # pysqlite's own transaction handling off, so that BEGIN IMMEDIATE below is ours.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin_immediate(conn):  # serialise writers instead of failing on upgrade
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def migrate(url: str, migrations_dir: pathlib.Path) -> None:
    """Bring the database to the newest Alembic revision of one service."""
    from alembic import command
    from alembic.config import Config

    create_sqlite_file(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with _MIGRATE_LOCK:
        command.upgrade(cfg, "head")


_MIGRATE_LOCK = threading.Lock()


def common_tables(metadata: sa.MetaData) -> dict[str, sa.Table]:
    """Tables every service has, defined on the service's own metadata (see services.common.unit_of_work)."""
    outbox = sa.Table(
        "outbox",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fact_id", sa.String(64), nullable=False, unique=True),
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
        sa.Index("ix_outbox_unpublished", "published_at", "id"),
    )
    processed = sa.Table(
        "processed_facts",
        metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("fact_id", sa.String(64), primary_key=True),
        sa.Column("processed_at", UTCDateTime, nullable=False),
    )
    dead_letters = sa.Table(
        "dead_letters",
        metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("fact_id", sa.String(64), primary_key=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("ce_type", sa.String(200), nullable=False),
        sa.Column("error", sa.String(200), nullable=False),
        sa.Column("failed_at", UTCDateTime, nullable=False),
    )
    # Which resource a request_id produced: an id, never a copy of the answer (which could hold personal data).
    idempotency = sa.Table(
        "idempotency_keys",
        metadata,
        sa.Column("request_key", sa.String(200), primary_key=True),
        sa.Column("method", sa.String(100), nullable=False),
        sa.Column("resource", sa.String(300), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Index("ix_idempotency_created", "created_at"),
    )
    audit = sa.Table(
        "audit_log",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_client", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("resource", sa.String(300), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False, server_default=""),
        sa.Column("trace_id", sa.String(32), nullable=False, server_default=""),
        sa.Index("ix_audit_resource", "resource"),
    )
    return {
        "outbox": outbox,
        "processed_facts": processed,
        "dead_letters": dead_letters,
        "idempotency_keys": idempotency,
        "audit_log": audit,
    }
