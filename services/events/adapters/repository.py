"""Activities, sessions and attendances in and out of the database.

The abstract repositories say what the service layer may ask; the SQL ones
answer it. Tests of the service layer use in-memory ones.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.common.pagination import Key, Page, sql_page
from services.events.adapters.orm import activities, attendances, hours_entries, sessions
from services.events.domain.hours import HoursEntry
from services.events.domain.model import Activity, Attendance, Session


class ActivityRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, activity: Activity) -> None: ...

    @abc.abstractmethod
    def get(self, activity_id: str) -> Activity | None: ...

    @abc.abstractmethod
    def page(self, after: Key | None, limit: int) -> Page[Activity]:
        """Newest first, keyed by (create_time, id)."""

    @abc.abstractmethod
    def update(self, activity: Activity) -> None:
        """Write every field of an activity that exists."""


class SessionRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, session: Session) -> None: ...

    @abc.abstractmethod
    def get(self, session_id: str, *, for_update: bool = False) -> Session | None:
        """A session; for_update holds it until the unit of work ends, so that attendances
        at one session are admitted one at a time."""

    @abc.abstractmethod
    def page(self, activity_id: str | None, after: Key | None, limit: int, *, start_date: str = "",
             end_date: str = "") -> Page[Session]:
        """An activity's sessions (every activity's when activity_id is None) in calendar order, keyed by
        (date, start_time, id); only those from start_date and to end_date (inclusive ISO dates) when given."""

    @abc.abstractmethod
    def update(self, session: Session) -> None:
        """Write every field of a session that exists."""


class AttendanceRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, attendance: Attendance) -> bool:
        """Add the attendance; False (and nothing added) when its person already attends the session."""

    @abc.abstractmethod
    def get(self, attendance_id: str) -> Attendance | None: ...

    @abc.abstractmethod
    def attends(self, session_id: str, person_id: str) -> bool:
        """Whether the person's attendance at the session is recorded and not withdrawn."""

    @abc.abstractmethod
    def named_count(self, session_id: str) -> int:
        """How many named participants attend the session (head counts and withdrawn ones aside)."""

    @abc.abstractmethod
    def counted(self, session_id: str) -> list[Attendance]:
        """The session's attendances that count (not withdrawn), in the order they were recorded."""

    @abc.abstractmethod
    def page(self, session_id: str, after: Key | None, limit: int, *, show_withdrawn: bool = False
             ) -> Page[Attendance]:
        """A session's attendances in the order they were recorded, keyed by (create_time, id)."""

    @abc.abstractmethod
    def withdraw(self, attendance: Attendance) -> None:
        """Mark the attendance withdrawn at its withdraw_time."""


def _to_activity(row) -> Activity:
    return Activity(
        id=row.id, title=row.title, description=row.description, theme=row.theme, subgoal=row.subgoal,
        target_group=row.target_group, funder=row.funder, chapter=row.chapter, capacity=row.capacity,
        anonymous_attendance=bool(row.anonymous_attendance), create_time=row.create_time,
        update_time=row.update_time,
    )


def _to_session(row) -> Session:
    return Session(
        id=row.id, activity_id=row.activity_id, date=row.date, start_time=row.start_time,
        duration_minutes=row.duration_minutes, location=row.location, create_time=row.create_time,
        state=row.state, cancel_reason=row.cancel_reason, update_time=row.update_time,
    )


def _to_attendance(row) -> Attendance:
    return Attendance(
        id=row.id, session_id=row.session_id, activity_id=row.activity_id, person_id=row.person_id or "",
        gender=row.gender, age_band=row.age_band, count=row.count, create_time=row.create_time,
        withdraw_time=row.withdraw_time,
    )


class SqlActivityRepository(ActivityRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, a: Activity) -> None:
        self.conn.execute(activities.insert().values(
            id=a.id, title=a.title, description=a.description, theme=a.theme, subgoal=a.subgoal,
            target_group=a.target_group, funder=a.funder, chapter=a.chapter, capacity=a.capacity,
            anonymous_attendance=a.anonymous_attendance, create_time=a.create_time,
        ))

    def get(self, activity_id: str) -> Activity | None:
        row = self.conn.execute(sa.select(activities).where(activities.c.id == activity_id)).first()
        return _to_activity(row) if row else None

    def page(self, after: Key | None, limit: int) -> Page[Activity]:
        return sql_page(self.conn, sa.select(activities), (activities.c.create_time, activities.c.id), after, limit,
                        _to_activity, descending=True)

    def update(self, a: Activity) -> None:
        self.conn.execute(activities.update().where(activities.c.id == a.id).values(
            title=a.title, description=a.description, theme=a.theme, subgoal=a.subgoal, target_group=a.target_group,
            funder=a.funder, chapter=a.chapter, capacity=a.capacity, update_time=a.update_time,
        ))


class SqlSessionRepository(SessionRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, s: Session) -> None:
        self.conn.execute(sessions.insert().values(
            id=s.id, activity_id=s.activity_id, date=s.date, start_time=s.start_time,
            duration_minutes=s.duration_minutes, location=s.location, create_time=s.create_time, state=s.state,
            cancel_reason=s.cancel_reason, update_time=s.update_time,
        ))

    def get(self, session_id: str, *, for_update: bool = False) -> Session | None:
        query = sa.select(sessions).where(sessions.c.id == session_id)
        if for_update:  # a row lock on PostgreSQL; SQLite's writers are serialised anyway
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return _to_session(row) if row else None

    def page(self, activity_id: str | None, after: Key | None, limit: int, *, start_date: str = "",
             end_date: str = "") -> Page[Session]:
        c = sessions.c
        query = sa.select(sessions)
        if activity_id is not None:
            query = query.where(c.activity_id == activity_id)
        if start_date:  # ISO dates compare as text
            query = query.where(c.date >= start_date)
        if end_date:
            query = query.where(c.date <= end_date)
        return sql_page(self.conn, query, (c.date, c.start_time, c.id), after, limit, _to_session)

    def update(self, s: Session) -> None:
        self.conn.execute(sessions.update().where(sessions.c.id == s.id).values(
            date=s.date, start_time=s.start_time, duration_minutes=s.duration_minutes, location=s.location,
            state=s.state, cancel_reason=s.cancel_reason, update_time=s.update_time,
        ))


class SqlAttendanceRepository(AttendanceRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, a: Attendance) -> bool:
        try:
            with self.conn.begin_nested():  # the unique key on (session, person) decides a race
                self.conn.execute(attendances.insert().values(
                    id=a.id, session_id=a.session_id, activity_id=a.activity_id, person_id=a.person_id or None,
                    gender=a.gender, age_band=a.age_band, count=a.count, create_time=a.create_time,
                ))
            return True
        except IntegrityError:
            return False

    def get(self, attendance_id: str) -> Attendance | None:
        row = self.conn.execute(sa.select(attendances).where(attendances.c.id == attendance_id)).first()
        return _to_attendance(row) if row else None

    def attends(self, session_id: str, person_id: str) -> bool:
        c = attendances.c
        query = sa.select(c.id).where(c.session_id == session_id, c.person_id == person_id, c.withdraw_time.is_(None))
        return self.conn.execute(query).first() is not None

    def named_count(self, session_id: str) -> int:
        c = attendances.c
        query = sa.select(sa.func.count()).select_from(attendances).where(
            c.session_id == session_id, c.person_id.is_not(None), c.withdraw_time.is_(None))
        return self.conn.execute(query).scalar_one()

    def counted(self, session_id: str) -> list[Attendance]:
        c = attendances.c
        query = (sa.select(attendances).where(c.session_id == session_id, c.withdraw_time.is_(None))
                 .order_by(c.create_time, c.id))
        return [_to_attendance(r) for r in self.conn.execute(query).all()]

    def page(self, session_id: str, after: Key | None, limit: int, *, show_withdrawn: bool = False
             ) -> Page[Attendance]:
        c = attendances.c
        query = sa.select(attendances).where(c.session_id == session_id)
        if not show_withdrawn:
            query = query.where(c.withdraw_time.is_(None))
        return sql_page(self.conn, query, (c.create_time, c.id), after, limit, _to_attendance)

    def withdraw(self, a: Attendance) -> None:
        self.conn.execute(attendances.update().where(attendances.c.id == a.id).values(withdraw_time=a.withdraw_time))


# ---------------------------------------------------------------------------- volunteer hours


@dataclass(frozen=True)
class HoursFilter:
    """Which entries a listing holds: an activity's, a session's, or every activity's (both None); optionally
    one person's; withdrawn ones only when asked."""

    activity_id: str | None = None
    session_id: str | None = None
    person_id: str | None = None
    show_withdrawn: bool = False

    def matches(self, e: HoursEntry) -> bool:
        return ((self.activity_id is None or e.activity_id == self.activity_id)
                and (self.session_id is None or e.session_id == self.session_id)
                and (self.person_id is None or e.person_id == self.person_id)
                and (self.show_withdrawn or not e.withdrawn))


class HoursRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, entry: HoursEntry) -> None: ...

    @abc.abstractmethod
    def get(self, entry_id: str, *, for_update: bool = False) -> HoursEntry | None: ...

    @abc.abstractmethod
    def update(self, entry: HoursEntry) -> None:
        """Write every changeable field of an entry that exists (date, minutes, task, revision, times)."""

    @abc.abstractmethod
    def page(self, where: HoursFilter, after: Key | None, limit: int) -> Page[HoursEntry]:
        """Entries newest date first, keyed by (date, create_time, id) descending."""

    @abc.abstractmethod
    def total_minutes(self, where: HoursFilter) -> int:
        """The minutes of the entries matching where that count (withdrawn ones never add up)."""


def _to_hours(row) -> HoursEntry:
    return HoursEntry(
        id=row.id, activity_id=row.activity_id, session_id=row.session_id or "", person_id=row.person_id,
        date=row.date, minutes=row.minutes, task=row.task, logged_by=row.logged_by, revision=row.revision,
        create_time=row.create_time, update_time=row.update_time, withdraw_time=row.withdraw_time,
    )


class SqlHoursRepository(HoursRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, e: HoursEntry) -> None:
        self.conn.execute(hours_entries.insert().values(
            id=e.id, activity_id=e.activity_id, session_id=e.session_id or None, person_id=e.person_id,
            date=e.date, minutes=e.minutes, task=e.task, logged_by=e.logged_by, revision=e.revision,
            create_time=e.create_time, update_time=e.update_time, withdraw_time=e.withdraw_time,
        ))

    def get(self, entry_id: str, *, for_update: bool = False) -> HoursEntry | None:
        query = sa.select(hours_entries).where(hours_entries.c.id == entry_id)
        if for_update:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return _to_hours(row) if row else None

    def update(self, e: HoursEntry) -> None:
        self.conn.execute(hours_entries.update().where(hours_entries.c.id == e.id).values(
            date=e.date, minutes=e.minutes, task=e.task, revision=e.revision, update_time=e.update_time,
            withdraw_time=e.withdraw_time,
        ))

    @staticmethod
    def _where(query, where: HoursFilter, *, counted_only: bool = False):
        c = hours_entries.c
        if where.activity_id is not None:
            query = query.where(c.activity_id == where.activity_id)
        if where.session_id is not None:
            query = query.where(c.session_id == where.session_id)
        if where.person_id is not None:
            query = query.where(c.person_id == where.person_id)
        if counted_only or not where.show_withdrawn:
            query = query.where(c.withdraw_time.is_(None))
        return query

    def page(self, where: HoursFilter, after: Key | None, limit: int) -> Page[HoursEntry]:
        c = hours_entries.c
        query = self._where(sa.select(hours_entries), where)
        return sql_page(self.conn, query, (c.date, c.create_time, c.id), after, limit, _to_hours, descending=True)

    def total_minutes(self, where: HoursFilter) -> int:
        query = self._where(sa.select(sa.func.coalesce(sa.func.sum(hours_entries.c.minutes), 0)), where,
                            counted_only=True)
        return int(self.conn.execute(query).scalar_one())
