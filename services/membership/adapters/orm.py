"""The membership service's own tables. No other service reads them."""
from __future__ import annotations

import sqlalchemy as sa

from services.common.db import UTCDateTime, common_tables

metadata = sa.MetaData()

persons = sa.Table(
    "persons",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("given_name", sa.String(100), nullable=False),
    sa.Column("family_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("birth_year", sa.Integer, nullable=False, server_default="0"),
    sa.Column("gender", sa.Integer, nullable=False),
    sa.Column("preferred_languages", sa.String(200), nullable=False, server_default=""),
    sa.Column("email", sa.String(200), nullable=False, server_default=""),
    sa.Column("phone", sa.String(40), nullable=False, server_default=""),
    sa.Column("postal_code", sa.String(4), nullable=False, server_default=""),
    sa.Column("municipality", sa.String(100), nullable=False, server_default=""),
    sa.Column("chapter", sa.String(41), nullable=False, server_default=""),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=False),
    # The name's words folded for search (services.membership.domain.search.name_words): ' amina khan'.
    sa.Column("search_words", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_persons_created", "create_time", "id"),
    sa.Index("ix_persons_chapter_created", "chapter", "create_time", "id"),
)

membership_years = sa.Table(
    "membership_years",
    metadata,
    sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("fee_nok", sa.BigInteger, nullable=False),
    sa.Column("payment_state", sa.Integer, nullable=False),
    sa.Column("paid_date", sa.String(10), nullable=False, server_default=""),
    sa.Column("update_time", UTCDateTime, nullable=False),
    sa.Index("ix_membership_years_year", "year"),
)

households = sa.Table(
    "households",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("create_time", UTCDateTime, nullable=False),
)

# A person is a member of at most one household: the person's id is the key.
household_members = sa.Table(
    "household_members",
    metadata,
    sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), primary_key=True),
    sa.Column("household_id", sa.String(64), sa.ForeignKey("households.id"), nullable=False),
    sa.Column("role", sa.Integer, nullable=False),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Index("ix_household_members_household", "household_id", "create_time", "person_id"),
)

# Renewals applied (services.membership.domain.renewal): one row per renewal, one per member it listed. Ids,
# outcomes and fees only: the names are read from persons when a renewal is answered.
renewals = sa.Table(
    "renewals",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("from_year", sa.Integer, nullable=False),
    sa.Column("apply_time", UTCDateTime, nullable=False),
)

renewal_entries = sa.Table(
    "renewal_entries",
    metadata,
    sa.Column("renewal_id", sa.String(64), sa.ForeignKey("renewals.id"), primary_key=True),
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("outcome", sa.Integer, nullable=False),
    sa.Column("reason", sa.Integer, nullable=False),
    sa.Column("from_state", sa.Integer, nullable=False),
    sa.Column("from_fee_nok", sa.BigInteger, nullable=False),
    sa.Column("to_fee_nok", sa.BigInteger, nullable=False),
    sa.Column("fee_source", sa.Integer, nullable=False),
    sa.Column("to_state", sa.Integer, nullable=False),
)

# Consents per purpose (services.membership.domain.consent): never deleted or overwritten; a withdrawal
# fills the withdraw_* columns once. At most one consent per person and purpose is in force (not withdrawn).
consents = sa.Table(
    "consents",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), nullable=False),
    sa.Column("purpose", sa.Integer, nullable=False),
    sa.Column("text_version", sa.String(60), nullable=False),
    sa.Column("given_date", sa.Date, nullable=False),
    sa.Column("source", sa.Integer, nullable=False),
    sa.Column("given_by", sa.Integer, nullable=False),
    sa.Column("guardian_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("guardian_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("recorded_by", sa.String(200), nullable=False, server_default=""),
    sa.Column("withdraw_date", sa.Date, nullable=True),
    sa.Column("withdraw_source", sa.Integer, nullable=False, server_default="0"),
    sa.Column("withdrawn_recorded_by", sa.String(200), nullable=False, server_default=""),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=False),
    sa.Index("ix_consents_person_created", "person_id", "create_time", "id"),
    # At most one consent in force per person and purpose, also when two coordinators record at once.
    sa.Index("uq_consents_in_force", "person_id", "purpose", unique=True,
             sqlite_where=sa.text("withdraw_date IS NULL"), postgresql_where=sa.text("withdraw_date IS NULL")),
)

# ---------------------------------------------------------------- importing members from a spreadsheet
# An import: its state, what the dry run found (planned) and what the import did so far (done), as JSON
# objects of counts; columns as JSON [[header, field], ...]. No cell of the file is stored here.
person_imports = sa.Table(
    "person_imports",
    metadata,
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
    # Who started the import, as the audit log names them (the worker's audit lines name them too).
    sa.Column("started_by", sa.String(200), nullable=False, server_default=""),
    sa.Column("started_client", sa.String(200), nullable=False, server_default=""),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("start_time", UTCDateTime, nullable=True),
    sa.Column("end_time", UTCDateTime, nullable=True),
    sa.Column("expire_time", UTCDateTime, nullable=False),
    sa.Index("ix_person_imports_state", "state"),
)

# The uploaded file, kept only while its import needs it: deleted when the import ends or expires.
person_import_files = sa.Table(
    "person_import_files",
    metadata,
    sa.Column("import_id", sa.String(64), sa.ForeignKey("person_imports.id"), primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

# Each row of an import: row number, plan, result, problems (JSON, never the cell's value) and the person.
person_import_rows = sa.Table(
    "person_import_rows",
    metadata,
    sa.Column("import_id", sa.String(64), sa.ForeignKey("person_imports.id"), primary_key=True),
    sa.Column("row_number", sa.Integer, primary_key=True),
    sa.Column("plan", sa.Integer, nullable=False),
    sa.Column("result", sa.Integer, nullable=False, server_default="0"),
    sa.Column("person_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("same_as_row", sa.Integer, nullable=False, server_default="0"),
    sa.Column("problems", sa.Text, nullable=False, server_default="[]"),
    sa.Column("row_key", sa.String(64), nullable=False, server_default=""),
)

# Every row ever imported, by a digest of its content: importing the same row again creates nothing.
person_import_keys = sa.Table(
    "person_import_keys",
    metadata,
    sa.Column("row_key", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), nullable=False),
    sa.Column("import_id", sa.String(64), nullable=False),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Index("ix_person_import_keys_person", "person_id"),
)

# Local chapters and other groups, keyed by their short id ('linderud', 'mir-ung'); a person's chapter names one
# of kind CHAPTER (services.membership.domain.group).
groups = sa.Table(
    "groups",
    metadata,
    sa.Column("id", sa.String(41), primary_key=True),
    sa.Column("kind", sa.Integer, nullable=False),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=False),
)

# Who is a member of which group: the key serves a group's members and "is this person a member" (the filter
# of ListPersons); the index a person's groups.
group_members = sa.Table(
    "group_members",
    metadata,
    sa.Column("group_id", sa.String(41), sa.ForeignKey("groups.id"), primary_key=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), primary_key=True),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Index("ix_group_members_group_created", "group_id", "create_time", "person_id"),
    sa.Index("ix_group_members_person", "person_id", "group_id"),
)

# A person's roles for a period (services.membership.domain.roles); end_date NULL while the role goes on.
role_assignments = sa.Table(
    "role_assignments",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("persons.id"), nullable=False),
    sa.Column("role", sa.Integer, nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=True),
    sa.Column("group_id", sa.String(41), sa.ForeignKey("groups.id"), nullable=True),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=False),
    sa.Index("ix_role_assignments_person", "person_id", "start_date", "id"),
    sa.Index("ix_role_assignments_role", "role", "start_date", "id"),
)

tables = {"persons": persons, "membership_years": membership_years, "households": households,
          "household_members": household_members, "renewals": renewals, "renewal_entries": renewal_entries,
          "consents": consents, "person_imports": person_imports, "person_import_files": person_import_files,
          "person_import_rows": person_import_rows, "person_import_keys": person_import_keys, "groups": groups,
          "group_members": group_members, "role_assignments": role_assignments, **common_tables(metadata)}

# The erasure log (GDPR Art. 17): that an erasure happened, when, why, by which role, and which services
# have finished. person_id is held only while the erasure is in progress, and cleared when it completes.
erasures = sa.Table(
    "erasures",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.String(64), nullable=True, unique=True),
    sa.Column("reason", sa.Integer, nullable=False),
    sa.Column("requester_role", sa.String(40), nullable=False),
    sa.Column("state", sa.Integer, nullable=False),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("complete_time", UTCDateTime, nullable=True),
    sa.Index("ix_erasures_created", "create_time", "id"),
)

erasure_services = sa.Table(
    "erasure_services",
    metadata,
    sa.Column("erasure_id", sa.String(64), sa.ForeignKey("erasures.id"), primary_key=True),
    sa.Column("service", sa.String(20), primary_key=True),
    sa.Column("complete_time", UTCDateTime, nullable=True),
)

tables.update({"erasures": erasures, "erasure_services": erasure_services})
