"""The events service's own tables. No other service reads them."""
from __future__ import annotations

import sqlalchemy as sa

from services.common.db import UTCDateTime, common_tables

metadata = sa.MetaData()

activities = sa.Table(
    "activities",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.String(2000), nullable=False, server_default=""),
    sa.Column("theme", sa.String(100), nullable=False, server_default=""),
    sa.Column("subgoal", sa.Integer, nullable=False),
    sa.Column("target_group", sa.String(200), nullable=False, server_default=""),
    sa.Column("funder", sa.String(200), nullable=False, server_default=""),
    sa.Column("chapter", sa.String(41), nullable=False, server_default=""),
    sa.Column("capacity", sa.Integer, nullable=False, server_default="0"),
    sa.Column("anonymous_attendance", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=True),
    sa.Index("ix_activities_created", "create_time", "id"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("start_time", sa.String(5), nullable=False, server_default=""),
    sa.Column("duration_minutes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("location", sa.String(200), nullable=False, server_default=""),
    sa.Column("create_time", UTCDateTime, nullable=False),
    # SessionState: 1 scheduled, 2 cancelled.
    sa.Column("state", sa.Integer, nullable=False, server_default="1"),
    sa.Column("cancel_reason", sa.String(200), nullable=False, server_default=""),
    sa.Column("update_time", UTCDateTime, nullable=True),
    sa.Index("ix_sessions_activity_date", "activity_id", "date", "start_time", "id"),
    # The listing of every activity's sessions (parent activities/-), in calendar order.
    sa.Index("ix_sessions_date", "date", "start_time", "id"),
)

attendances = sa.Table(
    "attendances",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), nullable=False),
    sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), nullable=False),
    # NULL for a head count, so that the unique key only binds named participants.
    sa.Column("person_id", sa.String(64), nullable=True),
    sa.Column("gender", sa.Integer, nullable=False),
    sa.Column("age_band", sa.Integer, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("create_time", UTCDateTime, nullable=False),
    # Set when withdrawn: the row is kept for the record and no longer counts.
    sa.Column("withdraw_time", UTCDateTime, nullable=True),
    # A person counts at most once per session: the key binds attendances that count, so a person whose
    # attendance was withdrawn by mistake can be recorded again.
    sa.Index("uq_attendances_session_person_counted", "session_id", "person_id", unique=True,
             sqlite_where=sa.text("withdraw_time IS NULL"), postgresql_where=sa.text("withdraw_time IS NULL")),
    # The roster: a session's attendances in the order they were recorded.
    sa.Index("ix_attendances_session_created", "session_id", "create_time", "id"),
)

# Volunteer hours: a person's time given to an activity, or to one of its sessions.
hours_entries = sa.Table(
    "hours_entries",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), nullable=False),
    # NULL when the hours are not at a session.
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), nullable=True),
    sa.Column("person_id", sa.String(64), nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("task", sa.String(200), nullable=False, server_default=""),
    sa.Column("logged_by", sa.String(200), nullable=False, server_default=""),
    sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=True),
    # Set when withdrawn: the row is kept for the record and no longer counts.
    sa.Column("withdraw_time", UTCDateTime, nullable=True),
    # The listings, newest date first: an activity's, a session's, a person's.
    sa.Index("ix_hours_entries_activity", "activity_id", "date", "create_time", "id"),
    sa.Index("ix_hours_entries_session", "session_id", "date", "create_time", "id"),
    sa.Index("ix_hours_entries_person", "person_id", "date", "create_time", "id"),
)

# Recurring sessions: an activity's RFC 5545 rule, and what it made of each of its sessions.
recurrences = sa.Table(
    "recurrences",
    metadata,
    sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), primary_key=True),
    sa.Column("rule", sa.String(500), nullable=False),
    sa.Column("start_date", sa.String(10), nullable=False),
    sa.Column("end_date", sa.String(10), nullable=False, server_default=""),
    sa.Column("start_time", sa.String(5), nullable=False),
    sa.Column("duration_minutes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("location", sa.String(200), nullable=False, server_default=""),
    # The exception dates and periods, comma separated.
    sa.Column("exception_dates", sa.Text, nullable=False, server_default=""),
    sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=True),
)

recurrence_occurrences = sa.Table(
    "recurrence_occurrences",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("activity_id", sa.String(64), sa.ForeignKey("recurrences.activity_id"), nullable=False),
    # The slot the rule gave the session: a session that differs from it was moved or corrected.
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("start_time", sa.String(5), nullable=False),
    sa.Column("duration_minutes", sa.Integer, nullable=False),
    sa.Column("location", sa.String(200), nullable=False, server_default=""),
    # Set when a change of the rule dropped it (its session was cancelled).
    sa.Column("dropped", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_recurrence_occurrences_activity", "activity_id", "date", "session_id"),
)

# Registration for places, per session (session_id set) or per course (session_id ""), with a waiting list.
registrations = sa.Table(
    "registrations",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), nullable=False),
    # "" for a course registration: the scope is (activity_id, session_id).
    sa.Column("session_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("person_id", sa.String(64), nullable=False),
    # RegistrationState: 1 pending, 2 registered, 3 waitlisted, 4 attended, 5 no-show, 6 cancelled.
    sa.Column("state", sa.Integer, nullable=False),
    # Order of registration within the scope; the waiting list is served lowest first.
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("household_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=True),
    sa.Column("promote_time", UTCDateTime, nullable=True),
    # A person holds one registration that is not cancelled per scope.
    sa.Index("uq_registrations_scope_person_active", "activity_id", "session_id", "person_id", unique=True,
             sqlite_where=sa.text("state <> 6"), postgresql_where=sa.text("state <> 6")),
    sa.Index("ix_registrations_scope_seq", "activity_id", "session_id", "seq"),
)

# ---------------------------------------------------------------------------- funders, grants and projects
# Who pays for the activities (services/events/domain/grants.py). Activity.funder is the free text of before.
funders = sa.Table(
    "funders",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    # The display name folded to lower case: two funders are never called the same.
    sa.Column("display_key", sa.String(200), nullable=False, unique=True),
    sa.Column("description", sa.String(2000), nullable=False, server_default=""),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=True),
)

grants = sa.Table(
    "grants",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("funder_id", sa.String(64), sa.ForeignKey("funders.id"), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("reference", sa.String(100), nullable=False, server_default=""),
    sa.Column("amount_nok", sa.BigInteger, nullable=False),
    sa.Column("start_date", sa.String(10), nullable=False),
    sa.Column("end_date", sa.String(10), nullable=False),
    sa.Column("purpose", sa.String(2000), nullable=False, server_default=""),
    # A JSON list of lines.
    sa.Column("reporting_duties", sa.JSON, nullable=False),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=True),
    sa.Index("ix_grants_start", "start_date", "id"),
    sa.Index("ix_grants_funder_start", "funder_id", "start_date", "id"),
)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.String(2000), nullable=False, server_default=""),
    sa.Column("create_time", UTCDateTime, nullable=False),
    sa.Column("update_time", UTCDateTime, nullable=True),
    sa.Index("ix_projects_title", "title", "id"),
)

project_grants = sa.Table(
    "project_grants",
    metadata,
    sa.Column("project_id", sa.String(64), sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("grant_id", sa.String(64), sa.ForeignKey("grants.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index("ix_project_grants_grant", "grant_id"),
)

project_activities = sa.Table(
    "project_activities",
    metadata,
    sa.Column("project_id", sa.String(64), sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("activity_id", sa.String(64), sa.ForeignKey("activities.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index("ix_project_activities_activity", "activity_id"),
)

# The node's lists of themes and target groups (services/events/domain/activity_lists.py).
activity_list_entries = sa.Table(
    "activity_list_entries",
    metadata,
    # "themes" or "target_groups".
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("code", sa.String(60), primary_key=True),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("create_time", UTCDateTime, nullable=False),
)

tables = {"activities": activities, "sessions": sessions, "attendances": attendances, "hours_entries": hours_entries,
          "recurrences": recurrences, "recurrence_occurrences": recurrence_occurrences, "registrations": registrations,
          "funders": funders, "grants": grants, "projects": projects, "project_grants": project_grants,
          "project_activities": project_activities, "activity_list_entries": activity_list_entries,
          **common_tables(metadata)}
