"""Every column of every service's tables that refers to a person is declared in that service's
PersonData (services/<service>/adapters/person_data.py), and so exported and erased.

A column refers to a person when it is named person, person_id, person_name or *_person_id, holds a
foreign key to a persons table, or is the primary key of a table of persons. A new table that holds
person ids fails here until its service declares what export and erasure do with it."""
from __future__ import annotations

import importlib
import re

import pytest
import sqlalchemy as sa

from services.common.datasubject import SERVICES, Dependent, Erase, PersonData

# Tables every service has (services.common.db.common_tables), handled by services.common.datasubject itself:
# the audit log's lines about the person are exported and their resource redacted; published outbox rows
# keyed by or carrying the person are deleted. The others hold no person ids.
COMMON = {"outbox", "processed_facts", "dead_letters", "idempotency_keys", "audit_log"}
PERSON_COLUMN = re.compile(r"^(person|person_id|person_name|.+_person_id)$")


def _declared(service: str) -> PersonData:
    return importlib.import_module(f"services.{service}.adapters.person_data").PERSON_DATA


def _metadata(service: str) -> sa.MetaData:
    return importlib.import_module(f"services.{service}.adapters.orm").metadata


def person_columns(metadata: sa.MetaData) -> list[tuple[str, str]]:
    found = []
    for table in metadata.sorted_tables:
        if table.name in COMMON:
            continue
        for column in table.columns:
            points_at_persons = any(fk.column.table.name.endswith("persons") for fk in column.foreign_keys)
            key_of_persons = table.name.endswith("persons") and column.primary_key
            if PERSON_COLUMN.match(column.name) or points_at_persons or key_of_persons:
                found.append((table.name, column.name))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_column_that_refers_to_a_person_is_exported_and_erased(service):
    declared = _declared(service)
    missing = [f"{t}.{c}" for t, c in person_columns(_metadata(service)) if not declared.covers(t, c)]
    assert not missing, (
        f"{service}: these columns refer to a person but are not in services/{service}/adapters/person_data.py, "
        f"so a person's export would leave them out and an erasure would leave them behind: {', '.join(missing)}. "
        "Declare each with what erasure does to its rows (Erase.DELETE, CLEAR or PSEUDONYMISE).")


@pytest.mark.parametrize("service", SERVICES)
def test_the_declaration_names_real_tables_and_columns(service):
    declared, metadata = _declared(service), _metadata(service)
    assert declared.service == service
    for col in [*declared.columns, *declared.dependents]:
        table = metadata.tables.get(col.table)
        assert table is not None, f"{service}: {col.table} is not a table of the service"
        assert col.column in table.c, f"{service}: {col.table}.{col.column} is not a column"
        for other in getattr(col, "clears", ()):
            assert other in table.c, f"{service}: {col.table}.{other} is not a column"
        if isinstance(col, Dependent):
            assert col.parent in {c.table for c in declared.columns}
        else:
            assert col.description


def test_only_the_erasure_log_holds_a_person_until_the_erasure_completes():
    held = [(s, c.table) for s in SERVICES for c in _declared(s).columns if c.erase is Erase.UNTIL_COMPLETE]
    assert held == [("membership", "erasures")]


def test_a_new_table_with_a_person_id_is_caught():
    metadata = sa.MetaData()
    sa.Table("persons", metadata, sa.Column("id", sa.String, primary_key=True))
    sa.Table("volunteer_hours", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("person_id", sa.String))
    sa.Table("roles", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("holder", sa.String, sa.ForeignKey("persons.id")))
    sa.Table("consents", metadata, sa.Column("given_by_person_id", sa.String))
    assert sorted(person_columns(metadata)) == [("consents", "given_by_person_id"), ("persons", "id"),
                                                ("roles", "holder"), ("volunteer_hours", "person_id")]
