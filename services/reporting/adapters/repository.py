"""Fact rows in and figures out. Every write is an upsert keyed by the fact's
natural id, so applying a fact twice leaves the tables as applying it once."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.reporting.adapters.orm import activities, attendances, membership_years, persons, referrals, sessions
from services.reporting.domain.model import PAYING_STATES, NamedVisit, Period


def _upsert(conn: Connection, table: sa.Table, key: dict[str, Any], values: dict[str, Any],
            replace: Callable[[Any], bool] | None = None) -> bool:
    """Insert the row, or update it when replace(existing row) allows; returns whether it was written."""
    where = sa.and_(*(table.c[k] == v for k, v in key.items()))
    row = conn.execute(sa.select(table).where(where)).first()
    if row is None:
        conn.execute(table.insert().values(**key, **values))
        return True
    if replace is not None and not replace(row):
        return False
    conn.execute(table.update().where(where).values(**values))
    return True


def upsert_person(conn: Connection, person_id: str, gender: int, birth_year: int, registered: dt.date | None,
                  now: dt.datetime) -> None:
    _upsert(conn, persons, {"person_id": person_id},
            {"gender": gender, "birth_year": birth_year, "registered_date": registered, "update_time": now})


def upsert_membership_year(conn: Connection, person_id: str, year: int, payment_state: int, birth_year: int,
                           now: dt.datetime) -> None:
    _upsert(conn, membership_years, {"person_id": person_id, "year": year},
            {"payment_state": payment_state, "birth_year": birth_year, "update_time": now})


def upsert_activity(conn: Connection, activity_id: str, subgoal: int, theme: str, funder: str, anonymous: bool,
                    now: dt.datetime) -> None:
    _upsert(conn, activities, {"activity_id": activity_id},
            {"subgoal": subgoal, "theme": theme[:100], "funder": funder[:100], "anonymous_attendance": anonymous,
             "update_time": now})


def upsert_session(conn: Connection, session_id: str, activity_id: str, date: dt.date, subgoal: int,
                   now: dt.datetime) -> None:
    _upsert(conn, sessions, {"session_id": session_id},
            {"activity_id": activity_id, "date": date, "subgoal": subgoal, "update_time": now})


def upsert_attendance(conn: Connection, attendance_id: str, session_id: str, activity_id: str, date: dt.date,
                      person_id: str, gender: int, age_band: int, count: int, now: dt.datetime) -> None:
    _upsert(conn, attendances, {"attendance_id": attendance_id},
            {"session_id": session_id, "activity_id": activity_id, "date": date, "person_id": person_id,
             "gender": gender, "age_band": age_band, "count": count, "update_time": now})


def upsert_referral(conn: Connection, referral_id: str, *, direction: int, partner_kind: int, reason_category: int,
                    state: int, created: dt.date, changed: dt.date, target_organization: str,
                    now: dt.datetime) -> bool:
    """Keep the latest state: a change dated before the one held is ignored; on the same date the later
    arrival wins."""
    return _upsert(
        conn, referrals, {"referral_id": referral_id},
        {"direction": direction, "partner_kind": partner_kind, "reason_category": reason_category, "state": state,
         "created_date": created, "changed_date": changed, "target_organization": target_organization[:64],
         "update_time": now},
        replace=lambda row: changed >= row.changed_date,
    )


# ---------------------------------------------------------------- figures

def member_counts(conn: Connection, period: Period) -> tuple[int, int]:
    """Persons with a membership year in the period's years, and those of them who paid or were waived."""
    m = membership_years
    in_years = m.c.year.between(period.first_year, period.last_year)
    members = conn.execute(sa.select(sa.func.count(sa.distinct(m.c.person_id))).where(in_years)).scalar_one()
    paying = conn.execute(
        sa.select(sa.func.count(sa.distinct(m.c.person_id))).where(in_years, m.c.payment_state.in_(PAYING_STATES))
    ).scalar_one()
    return members, paying


def activity_count(conn: Connection, period: Period) -> int:
    s = sessions
    return conn.execute(
        sa.select(sa.func.count(sa.distinct(s.c.activity_id))).where(s.c.date.between(period.start, period.end))
    ).scalar_one()


def sessions_by_subgoals(conn: Connection, period: Period) -> list[tuple[int, int | None, int]]:
    """(session sub-goal, its activity's sub-goal or None, sessions) for the sessions in the period."""
    s, a = sessions, activities
    q = (
        sa.select(s.c.subgoal, a.c.subgoal, sa.func.count())
        .select_from(s.outerjoin(a, a.c.activity_id == s.c.activity_id))
        .where(s.c.date.between(period.start, period.end))
        .group_by(s.c.subgoal, a.c.subgoal)
    )
    return [(own, activity, n) for own, activity, n in conn.execute(q).all()]


def visits_by_cell(conn: Connection, period: Period) -> dict[tuple[int, int], int]:
    t = attendances
    q = (
        sa.select(t.c.gender, t.c.age_band, sa.func.sum(t.c.count))
        .where(t.c.date.between(period.start, period.end))
        .group_by(t.c.gender, t.c.age_band)
    )
    return {(g, b): int(n or 0) for g, b, n in conn.execute(q).all()}


def named_visits(conn: Connection, period: Period) -> list[NamedVisit]:
    """Each named person's cells in the period, with the date of their latest attendance in each."""
    t = attendances
    q = (
        sa.select(t.c.person_id, t.c.gender, t.c.age_band, sa.func.max(t.c.date))
        .where(t.c.date.between(period.start, period.end), t.c.person_id != "")
        .group_by(t.c.person_id, t.c.gender, t.c.age_band)
    )
    return [NamedVisit(p, g, b, d) for p, g, b, d in conn.execute(q).all()]


def referrals_by_state(conn: Connection, period: Period) -> dict[int, int]:
    """Referrals created in the period, each counted once in its current state."""
    r = referrals
    q = (
        sa.select(r.c.state, sa.func.count())
        .where(r.c.created_date.between(period.start, period.end))
        .group_by(r.c.state)
    )
    return {state: n for state, n in conn.execute(q).all()}
