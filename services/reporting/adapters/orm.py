"""The reporting service's fact tables. They hold no names and no contact
details: pseudonymous ids, genders, birth years, age bands, dates and states,
each row keyed by the natural id of the fact it comes from."""
from __future__ import annotations

import sqlalchemy as sa

from services.common.db import UTCDateTime, common_tables

metadata = sa.MetaData()

persons = sa.Table(
    "fact_persons",
    metadata,
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("gender", sa.Integer, nullable=False),
    sa.Column("birth_year", sa.Integer, nullable=False),
    sa.Column("registered_date", sa.Date, nullable=True),
    sa.Column("update_time", UTCDateTime, nullable=False),
)

membership_years = sa.Table(
    "fact_membership_years",
    metadata,
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("payment_state", sa.Integer, nullable=False),
    sa.Column("birth_year", sa.Integer, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=False),
    # What counting rules read (services.common.counting): the fee and the day it was paid.
    sa.Column("fee_nok", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("paid_date", sa.String(10), nullable=False, server_default=""),
    sa.Index("ix_fact_membership_years_year", "year"),
)

activities = sa.Table(
    "fact_activities",
    metadata,
    sa.Column("activity_id", sa.String(64), primary_key=True),
    sa.Column("subgoal", sa.Integer, nullable=False),
    sa.Column("theme", sa.String(100), nullable=False, server_default=""),
    sa.Column("funder", sa.String(100), nullable=False, server_default=""),
    sa.Column("anonymous_attendance", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("update_time", UTCDateTime, nullable=False),
)

sessions = sa.Table(
    "fact_sessions",
    metadata,
    sa.Column("session_id", sa.String(64), primary_key=True),
    sa.Column("activity_id", sa.String(64), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("subgoal", sa.Integer, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=False),
    # Cancelled sessions are not counted.
    sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_fact_sessions_date", "date"),
    sa.Index("ix_fact_sessions_activity", "activity_id"),
)

attendances = sa.Table(
    "fact_attendances",
    metadata,
    sa.Column("attendance_id", sa.String(64), primary_key=True),
    sa.Column("session_id", sa.String(64), nullable=False),
    sa.Column("activity_id", sa.String(64), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    # Pseudonymous id of a named participant; empty for a head count.
    sa.Column("person_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("gender", sa.Integer, nullable=False),
    sa.Column("age_band", sa.Integer, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=False),
    # Withdrawn attendances are kept and not counted.
    sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_fact_attendances_date", "date"),
    sa.Index("ix_fact_attendances_session", "session_id"),
)

referrals = sa.Table(
    "fact_referrals",
    metadata,
    sa.Column("referral_id", sa.String(64), primary_key=True),
    sa.Column("direction", sa.Integer, nullable=False),
    sa.Column("partner_kind", sa.Integer, nullable=False),
    sa.Column("reason_category", sa.Integer, nullable=False),
    sa.Column("state", sa.Integer, nullable=False),
    sa.Column("created_date", sa.Date, nullable=False),
    sa.Column("changed_date", sa.Date, nullable=False),
    sa.Column("target_organization", sa.String(64), nullable=False, server_default=""),
    sa.Column("update_time", UTCDateTime, nullable=False),
    sa.Index("ix_fact_referrals_created", "created_date"),
)

# Volunteer hours entries: who (pseudonymous), which activity, the day and the minutes; the newest revision.
volunteer_hours = sa.Table(
    "fact_volunteer_hours",
    metadata,
    sa.Column("entry_id", sa.String(64), primary_key=True),
    sa.Column("activity_id", sa.String(64), nullable=False),
    sa.Column("person_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    # Withdrawn entries are kept and not counted.
    sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("update_time", UTCDateTime, nullable=False),
    sa.Index("ix_fact_volunteer_hours_date", "date"),
)

# Role assignments (membership's RoleAssignmentChanged): who held which role from when to when, to count the
# active volunteers, guides and others per period. A pseudonymous id, a role, dates and a group id.
role_assignments = sa.Table(
    "fact_role_assignments",
    metadata,
    sa.Column("assignment_id", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.String(64), nullable=False),
    sa.Column("role", sa.Integer, nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=True),
    sa.Column("group_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("update_time", UTCDateTime, nullable=False),
    sa.Index("ix_fact_role_assignments_start", "start_date"),
)

# Differential privacy (domain/privacy.py): each analyst's epsilon spent at this node, in whole millionths;
# the noisy answers drawn, one per period and fingerprint of the records counted (aggregates only); and which
# analyst was charged for which of them, so that asking again is free.
privacy_budgets = sa.Table(
    "privacy_budgets",
    metadata,
    sa.Column("analyst", sa.String(200), primary_key=True),
    sa.Column("spent_micro", sa.BigInteger, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=False),
)

privacy_answers = sa.Table(
    "privacy_answers",
    metadata,
    sa.Column("period", sa.String(21), primary_key=True),
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("figures", sa.Text, nullable=False),  # JSON list of the noisy figures, in privacy.NAMES order
    sa.Column("epsilon", sa.Float, nullable=False),
    sa.Column("scale", sa.Float, nullable=False),
    sa.Column("create_time", UTCDateTime, nullable=False),
)

privacy_charges = sa.Table(
    "privacy_charges",
    metadata,
    sa.Column("analyst", sa.String(200), primary_key=True),
    sa.Column("period", sa.String(21), primary_key=True),
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("epsilon_micro", sa.BigInteger, nullable=False),
    sa.Column("create_time", UTCDateTime, nullable=False),
)

# ConsentChanged facts for statistics (services.reporting.domain.consent): who is not counted from when.
statistics_consents = sa.Table(
    "fact_statistics_consents",
    metadata,
    sa.Column("person_id", sa.String(64), primary_key=True),
    sa.Column("changed_date", sa.Date, primary_key=True),
    sa.Column("withdrawn", sa.Boolean, primary_key=True),
    sa.Column("update_time", UTCDateTime, nullable=False),
)

# Ids that were erased, as tombstones (service_layer/erasure.py): a late fact about the person is counted under
# their token, never under the id.
erasure_tombstones = sa.Table(
    "erasure_tombstones",
    metadata,
    sa.Column("tombstone", sa.String(16), primary_key=True),
)

# Which activities count for which project, and which grants pay for a project (the events service's
# GrantsService facts): ids only, so that figures can be given per project and per grant.
project_grants = sa.Table(
    "fact_project_grants",
    metadata,
    sa.Column("project_id", sa.String(64), primary_key=True),
    sa.Column("grant_id", sa.String(64), primary_key=True),
    sa.Column("funder_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("update_time", UTCDateTime, nullable=False),
    sa.Index("ix_fact_project_grants_grant", "grant_id"),
)

activity_projects = sa.Table(
    "fact_activity_projects",
    metadata,
    sa.Column("activity_id", sa.String(64), primary_key=True),
    sa.Column("project_id", sa.String(64), primary_key=True),
    # False once the activity was taken off the project (kept, so a late link fact is recognised as older).
    sa.Column("linked", sa.Boolean, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=False),
    sa.Index("ix_fact_activity_projects_project", "project_id"),
)

tables = {
    "fact_project_grants": project_grants,
    "fact_activity_projects": activity_projects,
    "erasure_tombstones": erasure_tombstones,
    "fact_persons": persons,
    "fact_membership_years": membership_years,
    "fact_activities": activities,
    "fact_sessions": sessions,
    "fact_attendances": attendances,
    "fact_referrals": referrals,
    "fact_volunteer_hours": volunteer_hours,
    "fact_role_assignments": role_assignments,
    "privacy_budgets": privacy_budgets,
    "privacy_answers": privacy_answers,
    "privacy_charges": privacy_charges,
    "fact_statistics_consents": statistics_consents,
    **common_tables(metadata),
}
