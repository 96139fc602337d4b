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

tables = {"persons": persons, "membership_years": membership_years, "households": households,
          "household_members": household_members, **common_tables(metadata)}

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
