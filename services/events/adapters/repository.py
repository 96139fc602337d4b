"""Activities, sessions and attendances in and out of the database."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.events.adapters.orm import activities, attendances, sessions
from services.events.domain.model import Activity, Attendance, Session


def _to_activity(row) -> Activity:
    return Activity(
        id=row.id, title=row.title, description=row.description, theme=row.theme, subgoal=row.subgoal,
        target_group=row.target_group, funder=row.funder, chapter=row.chapter, capacity=row.capacity,
        anonymous_attendance=bool(row.anonymous_attendance), create_time=row.create_time,
    )


def _to_session(row) -> Session:
    return Session(
        id=row.id, activity_id=row.activity_id, date=row.date, start_time=row.start_time,
        duration_minutes=row.duration_minutes, location=row.location, create_time=row.create_time,
    )


def add_activity(conn: Connection, a: Activity) -> None:
    conn.execute(activities.insert().values(
        id=a.id, title=a.title, description=a.description, theme=a.theme, subgoal=a.subgoal,
        target_group=a.target_group, funder=a.funder, chapter=a.chapter, capacity=a.capacity,
        anonymous_attendance=a.anonymous_attendance, create_time=a.create_time,
    ))


def get_activity(conn: Connection, activity_id: str) -> Activity | None:
    row = conn.execute(sa.select(activities).where(activities.c.id == activity_id)).first()
    return _to_activity(row) if row else None


def list_activities(conn: Connection, limit: int, before: tuple | None) -> tuple[list[Activity], tuple | None]:
    """Newest first; returns the page and the (create_time, id) to continue before, if any."""
    q = sa.select(activities).order_by(activities.c.create_time.desc(), activities.c.id.desc()).limit(limit + 1)
    if before is not None:
        q = q.where(sa.tuple_(activities.c.create_time, activities.c.id) < sa.tuple_(*before))
    rows = conn.execute(q).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_to_activity(r) for r in rows], ((rows[-1].create_time, rows[-1].id) if more else None)


def add_session(conn: Connection, s: Session) -> None:
    conn.execute(sessions.insert().values(
        id=s.id, activity_id=s.activity_id, date=s.date, start_time=s.start_time,
        duration_minutes=s.duration_minutes, location=s.location, create_time=s.create_time,
    ))


def get_session(conn: Connection, activity_id: str, session_id: str, *, for_update: bool = False) -> Session | None:
    """A session of an activity; for_update locks its row (PostgreSQL) so that
    attendances at one session are admitted one at a time."""
    q = sa.select(sessions).where((sessions.c.id == session_id) & (sessions.c.activity_id == activity_id))
    if for_update:
        q = q.with_for_update()
    row = conn.execute(q).first()
    return _to_session(row) if row else None


def list_sessions(conn: Connection, activity_id: str, limit: int,
                  after: tuple | None) -> tuple[list[Session], tuple | None]:
    """In calendar order; returns the page and the (date, start_time, id) to continue after, if any."""
    c = sessions.c
    q = sa.select(sessions).where(c.activity_id == activity_id).order_by(c.date, c.start_time, c.id).limit(limit + 1)
    if after is not None:
        q = q.where(sa.tuple_(c.date, c.start_time, c.id) > sa.tuple_(*after))
    rows = conn.execute(q).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_to_session(r) for r in rows], ((rows[-1].date, rows[-1].start_time, rows[-1].id) if more else None)


def add_attendance(conn: Connection, a: Attendance) -> None:
    conn.execute(attendances.insert().values(
        id=a.id, session_id=a.session_id, activity_id=a.activity_id, person_id=a.person_id or None,
        gender=a.gender, age_band=a.age_band, count=a.count, create_time=a.create_time,
    ))


def has_attended(conn: Connection, session_id: str, person_id: str) -> bool:
    q = sa.select(attendances.c.id).where(
        (attendances.c.session_id == session_id) & (attendances.c.person_id == person_id))
    return conn.execute(q).first() is not None


def named_count(conn: Connection, session_id: str) -> int:
    q = sa.select(sa.func.count()).select_from(attendances).where(
        (attendances.c.session_id == session_id) & attendances.c.person_id.is_not(None))
    return conn.execute(q).scalar_one()
