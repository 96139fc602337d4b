"""Recurrences and the sessions they made, in and out of the database."""
from __future__ import annotations

import abc

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.events.adapters.orm import attendances, recurrence_occurrences, recurrences, sessions
from services.events.adapters.repository import _to_session
from services.events.domain.recurrence import Held, Occurrence, Recurrence, Slot


class RecurrenceRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, activity_id: str, *, for_update: bool = False) -> Recurrence | None:
        """An activity's recurrence; for_update holds it until the unit of work ends, so that changes of one
        activity's rule are made one at a time."""

    @abc.abstractmethod
    def add(self, recurrence: Recurrence) -> bool:
        """Add the recurrence; False (and nothing added) when the activity has one already."""

    @abc.abstractmethod
    def update(self, recurrence: Recurrence) -> None: ...

    @abc.abstractmethod
    def add_occurrence(self, occurrence: Occurrence) -> None: ...

    @abc.abstractmethod
    def update_occurrence(self, occurrence: Occurrence) -> None:
        """Write an occurrence's slot and whether it was dropped."""

    @abc.abstractmethod
    def held(self, activity_id: str) -> list[Held]:
        """Every session the activity's recurrence made, as it is now, with whether attendance counts at it,
        in the order of the rule's dates."""


def _join_exceptions(values: tuple[str, ...]) -> str:
    return ",".join(values)


def _split_exceptions(text: str) -> tuple[str, ...]:
    return tuple(v for v in text.split(",") if v)


def _to_recurrence(row) -> Recurrence:
    return Recurrence(activity_id=row.activity_id, rule=row.rule, start_date=row.start_date, end_date=row.end_date,
                      start_time=row.start_time, duration_minutes=row.duration_minutes, location=row.location,
                      exception_dates=_split_exceptions(row.exception_dates), revision=row.revision,
                      create_time=row.create_time, update_time=row.update_time)


def _values(r: Recurrence) -> dict:
    return dict(rule=r.rule, start_date=r.start_date, end_date=r.end_date, start_time=r.start_time,
                duration_minutes=r.duration_minutes, location=r.location,
                exception_dates=_join_exceptions(r.exception_dates), revision=r.revision,
                update_time=r.update_time)


class SqlRecurrenceRepository(RecurrenceRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, activity_id: str, *, for_update: bool = False) -> Recurrence | None:
        query = sa.select(recurrences).where(recurrences.c.activity_id == activity_id)
        if for_update:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return _to_recurrence(row) if row else None

    def add(self, r: Recurrence) -> bool:
        try:
            with self.conn.begin_nested():
                self.conn.execute(recurrences.insert().values(activity_id=r.activity_id, create_time=r.create_time,
                                                              **_values(r)))
            return True
        except IntegrityError:
            return False

    def update(self, r: Recurrence) -> None:
        self.conn.execute(recurrences.update().where(recurrences.c.activity_id == r.activity_id).values(**_values(r)))

    def add_occurrence(self, o: Occurrence) -> None:
        s = o.slot
        self.conn.execute(recurrence_occurrences.insert().values(
            session_id=o.session_id, activity_id=o.activity_id, date=s.date, start_time=s.start_time,
            duration_minutes=s.duration_minutes, location=s.location, dropped=o.dropped))

    def update_occurrence(self, o: Occurrence) -> None:
        s = o.slot
        self.conn.execute(recurrence_occurrences.update().where(
            recurrence_occurrences.c.session_id == o.session_id).values(
            date=s.date, start_time=s.start_time, duration_minutes=s.duration_minutes, location=s.location,
            dropped=o.dropped))

    def held(self, activity_id: str) -> list[Held]:
        o, a = recurrence_occurrences.c, attendances.c
        attended = sa.exists().where(a.session_id == o.session_id, a.withdraw_time.is_(None))
        query = (sa.select(sessions, o.date.label("o_date"), o.start_time.label("o_start_time"),
                           o.duration_minutes.label("o_duration"), o.location.label("o_location"),
                           o.dropped.label("o_dropped"), attended.label("o_attended"))
                 .join(sessions, sessions.c.id == o.session_id)
                 .where(o.activity_id == activity_id)
                 .order_by(o.date, o.session_id))
        return [Held(Occurrence(row.id, activity_id, Slot(row.o_date, row.o_start_time, row.o_duration,
                                                          row.o_location), bool(row.o_dropped)),
                     _to_session(row), bool(row.o_attended))
                for row in self.conn.execute(query).all()]
