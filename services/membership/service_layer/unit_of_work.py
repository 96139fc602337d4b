"""The membership service's unit of work: its repositories, plus what every unit of work has."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from services.common.unit_of_work import SqlUnitOfWork, UnitOfWork
from services.membership.adapters.consent_repository import ConsentRepository, SqlConsentRepository
from services.membership.adapters.import_repository import PersonImportRepository, SqlPersonImportRepository
from services.membership.adapters.erasure_repository import ErasureRepository, SqlErasureRepository
from services.membership.adapters.person_data import PERSON_DATA
from services.membership.adapters.repository import (
    GroupRepository, HouseholdRepository, MembershipYearRepository, PersonRepository, RenewalRepository,
    RoleRepository, SqlGroupRepository, SqlHouseholdRepository, SqlMembershipYearRepository, SqlPersonRepository,
    SqlRenewalRepository, SqlRoleRepository,
)


class MembershipUnitOfWork(UnitOfWork):
    persons: PersonRepository
    years: MembershipYearRepository
    households: HouseholdRepository
    renewals: RenewalRepository
    consents: ConsentRepository
    imports: PersonImportRepository
    groups: GroupRepository
    roles: RoleRepository
    erasures: ErasureRepository


class SqlMembershipUnitOfWork(SqlUnitOfWork, MembershipUnitOfWork):
    person_data_declared = PERSON_DATA

    def open(self, conn: Connection) -> None:
        self.persons = SqlPersonRepository(conn)
        self.years = SqlMembershipYearRepository(conn)
        self.households = SqlHouseholdRepository(conn)
        self.renewals = SqlRenewalRepository(conn)
        self.consents = SqlConsentRepository(conn)
        self.imports = SqlPersonImportRepository(conn)
        self.groups = SqlGroupRepository(conn)
        self.roles = SqlRoleRepository(conn)
        self.erasures = SqlErasureRepository(conn)
