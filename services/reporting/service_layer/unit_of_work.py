"""The reporting service's unit of work: repositories over the fact tables, plus what every unit of work has."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from services.reporting.adapters.person_data import PERSON_DATA
from services.common.unit_of_work import SqlUnitOfWork, UnitOfWork
from services.reporting.adapters.repository import (
    ActivityFacts, AttendanceFacts, ErasureTombstones, HoursFacts, MembershipYearFacts, PersonFacts, PrivacyLedger,
    ReferralFacts, SessionFacts, SqlActivityFacts, SqlAttendanceFacts, SqlErasureTombstones, SqlHoursFacts,
    SqlMembershipYearFacts, SqlPersonFacts, SqlPrivacyLedger, SqlReferralFacts, SqlSessionFacts,
    SqlStatisticsConsentFacts, StatisticsConsentFacts,
)
from services.reporting.adapters.repository import RoleFacts, SqlRoleFacts
from services.reporting.adapters.project_facts import ProjectFacts, SqlProjectFacts


class ReportingUnitOfWork(UnitOfWork):
    persons: PersonFacts
    years: MembershipYearFacts
    activities: ActivityFacts
    sessions: SessionFacts
    attendances: AttendanceFacts
    referrals: ReferralFacts
    privacy: PrivacyLedger
    hours: HoursFacts
    statistics_consents: StatisticsConsentFacts
    roles: RoleFacts
    erased: ErasureTombstones
    projects: ProjectFacts  # which activities count for which project and grant


class SqlReportingUnitOfWork(SqlUnitOfWork, ReportingUnitOfWork):
    person_data_declared = PERSON_DATA
    # Every figure of one answer is read from one snapshot, so totals and their cells agree.
    isolation_level = "REPEATABLE READ"

    def open(self, conn: Connection) -> None:
        self.persons = SqlPersonFacts(conn)
        self.years = SqlMembershipYearFacts(conn)
        self.activities = SqlActivityFacts(conn)
        self.sessions = SqlSessionFacts(conn)
        self.attendances = SqlAttendanceFacts(conn)
        self.referrals = SqlReferralFacts(conn)
        self.privacy = SqlPrivacyLedger(conn)
        self.hours = SqlHoursFacts(conn)
        self.statistics_consents = SqlStatisticsConsentFacts(conn)
        self.roles = SqlRoleFacts(conn)
        self.erased = SqlErasureTombstones(conn)
        self.projects = SqlProjectFacts(conn)
