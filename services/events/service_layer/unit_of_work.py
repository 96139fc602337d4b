"""The events service's unit of work: its repositories, plus what every unit of work has."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from services.events.adapters.grants_repository import GrantsRepository, SqlGrantsRepository
from services.events.adapters.lists_repository import ListRepository, SqlListRepository
from services.events.adapters.person_data import PERSON_DATA
from services.events.adapters.recurrence_repository import RecurrenceRepository, SqlRecurrenceRepository
from services.common.unit_of_work import SqlUnitOfWork, UnitOfWork
from services.events.adapters.registration_repository import RegistrationRepository, SqlRegistrationRepository
from services.events.adapters.repository import (
    ActivityRepository, AttendanceRepository, HoursRepository, SessionRepository, SqlActivityRepository,
    SqlAttendanceRepository, SqlHoursRepository, SqlSessionRepository,
)


class EventsUnitOfWork(UnitOfWork):
    activities: ActivityRepository
    sessions: SessionRepository
    attendances: AttendanceRepository
    hours: HoursRepository
    recurrences: RecurrenceRepository
    registrations: RegistrationRepository
    grants: GrantsRepository  # funders, grants and projects
    lists: ListRepository  # the node's themes and target groups


class SqlEventsUnitOfWork(SqlUnitOfWork, EventsUnitOfWork):
    person_data_declared = PERSON_DATA
    def open(self, conn: Connection) -> None:
        self.activities = SqlActivityRepository(conn)
        self.sessions = SqlSessionRepository(conn)
        self.attendances = SqlAttendanceRepository(conn)
        self.hours = SqlHoursRepository(conn)
        self.recurrences = SqlRecurrenceRepository(conn)
        self.registrations = SqlRegistrationRepository(conn)
        self.grants = SqlGrantsRepository(conn)
        self.lists = SqlListRepository(conn)
