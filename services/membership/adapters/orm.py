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
          "household_members": household_members, "groups": groups, "group_members": group_members,
          "role_assignments": role_assignments, **common_tables(metadata)}
