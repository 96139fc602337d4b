"""Each service's migrations build exactly the schema its models describe, on
SQLite and on PostgreSQL: a fresh database upgraded to head, compared with
the service's metadata by Alembic's autogenerate, shows no difference."""
from __future__ import annotations

import importlib
import pathlib

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.common.db import migrate

REPO = pathlib.Path(__file__).resolve().parents[2]
SERVICES = ["membership", "events", "referral", "reporting"]


def _compare_server_default(context, inspected_column, metadata_column, inspected_default, metadata_default,
                            rendered_metadata_default):
    """Alembic's own comparison (None defers to it), but for an empty string on SQLite: Alembic unquotes a
    reflected SQLite literal only when it holds at least one character, so DEFAULT '' would never equal ""."""
    if context.dialect.name == "sqlite" and rendered_metadata_default == "" and inspected_default is not None:
        return inspected_default.strip("()") != "''"
    return None


def _shown(value) -> str:
    if isinstance(value, sa.DefaultClause):
        arg = value.arg
        return f"DEFAULT {arg.text if hasattr(arg, 'text') else repr(arg)}"
    return repr(value)


def _describe(diff) -> str:
    """One line per difference, naming the table, column, index or constraint and both sides."""
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return "; ".join(_describe(d) for d in diff)
    op, *rest = diff
    if op.startswith("modify_"):
        _schema, table, column, info, existing, wanted = rest
        detail = {k: v for k, v in info.items() if k not in ("existing_type", "existing_nullable",
                                                             "existing_server_default", "existing_comment")}
        return f"{op} {table}.{column}: database {_shown(existing)}, model {_shown(wanted)} {detail or ''}".rstrip()
    if op in ("add_column", "remove_column"):
        _schema, table, column = rest
        return f"{op} {table}.{column.name} {column.type!r}"
    obj = rest[0]
    if isinstance(obj, sa.Table):
        return f"{op} {obj.name}"
    if isinstance(obj, sa.schema.SchemaItem) and hasattr(obj, "table"):
        columns = ", ".join(c.name for c in getattr(obj, "columns", []))
        return f"{op} {type(obj).__name__} {obj.name} on {obj.table.name}({columns})"
    return f"{op} {rest!r}"


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_at_head_match_the_models(service, database_url):
    metadata = importlib.import_module(f"services.{service}.adapters.orm").metadata
    migrate(database_url, REPO / "services" / service / "migrations")
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": _compare_server_default})
            diffs = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert not diffs, (f"{service} on {engine.dialect.name}: the migrations and the models differ:\n"
                       + "\n".join(_describe(d) for d in diffs))
