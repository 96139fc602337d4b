"""Registrations in and out of the database, and the lock that serialises changes to one scope's places."""
from __future__ import annotations

import abc

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.common.pagination import Key, Page, sql_page
from services.events.adapters.orm import activities, registrations, sessions
from services.events.domain.registration import RegistrationState, Registration


class RegistrationRepository(abc.ABC):
    @abc.abstractmethod
    def lock_scope(self, activity_id: str, session_id: str) -> None:
        """Hold the scope (the session's row, or the activity's for a course) until the unit of work ends, so
        that two changes to its places (a cancellation and its promotion, a registration) run one after the
        other. A row lock on PostgreSQL; SQLite's writers are serialised anyway (BEGIN IMMEDIATE)."""

    @abc.abstractmethod
    def scope(self, activity_id: str, session_id: str) -> list[Registration]:
        """Every registration of the scope, in the order they registered."""

    @abc.abstractmethod
    def add(self, r: Registration) -> None: ...

    @abc.abstractmethod
    def get(self, registration_id: str) -> Registration | None: ...

    @abc.abstractmethod
    def update(self, r: Registration) -> None: ...

    @abc.abstractmethod
    def page(self, activity_id: str, session_id: str, after: Key | None, limit: int, *,
             show_cancelled: bool = False) -> Page[Registration]:
        """The scope's registrations in the order they registered, keyed (seq,)."""


def _to_registration(row) -> Registration:
    return Registration(
        id=row.id, activity_id=row.activity_id, session_id=row.session_id, person_id=row.person_id, state=row.state,
        seq=row.seq, household_id=row.household_id, create_time=row.create_time, update_time=row.update_time,
        promote_time=row.promote_time,
    )


class SqlRegistrationRepository(RegistrationRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def lock_scope(self, activity_id: str, session_id: str) -> None:
        if session_id:
            query = sa.select(sessions.c.id).where(sessions.c.id == session_id)
        else:
            query = sa.select(activities.c.id).where(activities.c.id == activity_id)
        self.conn.execute(query.with_for_update()).first()

    def scope(self, activity_id: str, session_id: str) -> list[Registration]:
        t = registrations
        rows = self.conn.execute(sa.select(t).where(t.c.activity_id == activity_id, t.c.session_id == session_id)
                                 .order_by(t.c.seq)).all()
        return [_to_registration(r) for r in rows]

    def add(self, r: Registration) -> None:
        self.conn.execute(registrations.insert().values(
            id=r.id, activity_id=r.activity_id, session_id=r.session_id, person_id=r.person_id, state=r.state,
            seq=r.seq, household_id=r.household_id, create_time=r.create_time, update_time=r.update_time,
            promote_time=r.promote_time,
        ))

    def get(self, registration_id: str) -> Registration | None:
        row = self.conn.execute(sa.select(registrations).where(registrations.c.id == registration_id)).first()
        return _to_registration(row) if row else None

    def update(self, r: Registration) -> None:
        self.conn.execute(registrations.update().where(registrations.c.id == r.id).values(
            state=r.state, update_time=r.update_time, promote_time=r.promote_time))

    def page(self, activity_id: str, session_id: str, after: Key | None, limit: int, *,
             show_cancelled: bool = False) -> Page[Registration]:
        t = registrations
        query = sa.select(t).where(t.c.activity_id == activity_id, t.c.session_id == session_id)
        if not show_cancelled:
            query = query.where(t.c.state != int(RegistrationState.CANCELLED))
        return sql_page(self.conn, query, (t.c.seq,), after, limit, _to_registration)
