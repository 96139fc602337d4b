"""The membership service's unit of work: its repositories, plus what every unit of work has."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from services.common.unit_of_work import SqlUnitOfWork, UnitOfWork
from services.membership.adapters.repository import (
    GroupRepository, HouseholdRepository, MembershipYearRepository, PersonRepository, RoleRepository,
    SqlGroupRepository, SqlHouseholdRepository, SqlMembershipYearRepository, SqlPersonRepository, SqlRoleRepository,
)


class MembershipUnitOfWork(UnitOfWork):
    persons: PersonRepository
    years: MembershipYearRepository
    households: HouseholdRepository
    groups: GroupRepository
    roles: RoleRepository


class SqlMembershipUnitOfWork(SqlUnitOfWork, MembershipUnitOfWork):
    def open(self, conn: Connection) -> None:
        self.persons = SqlPersonRepository(conn)
        self.years = SqlMembershipYearRepository(conn)
        self.households = SqlHouseholdRepository(conn)
        self.groups = SqlGroupRepository(conn)
        self.roles = SqlRoleRepository(conn)
