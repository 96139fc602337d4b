"""The membership service's unit of work: its repositories, plus what every unit of work has."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from services.common.unit_of_work import SqlUnitOfWork, UnitOfWork
from services.membership.adapters.erasure_repository import ErasureRepository, SqlErasureRepository
from services.membership.adapters.person_data import PERSON_DATA
from services.membership.adapters.repository import (
    HouseholdRepository, MembershipYearRepository, PersonRepository, SqlHouseholdRepository,
    SqlMembershipYearRepository, SqlPersonRepository,
)


class MembershipUnitOfWork(UnitOfWork):
    persons: PersonRepository
    years: MembershipYearRepository
    households: HouseholdRepository
    erasures: ErasureRepository


class SqlMembershipUnitOfWork(SqlUnitOfWork, MembershipUnitOfWork):
    person_data_declared = PERSON_DATA

    def open(self, conn: Connection) -> None:
        self.persons = SqlPersonRepository(conn)
        self.years = SqlMembershipYearRepository(conn)
        self.households = SqlHouseholdRepository(conn)
        self.erasures = SqlErasureRepository(conn)
