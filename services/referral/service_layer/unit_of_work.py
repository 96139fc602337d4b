"""The referral service's unit of work: its repositories, plus what every unit of work has."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from services.referral.adapters.person_data import PERSON_DATA
from services.common.unit_of_work import SqlUnitOfWork, UnitOfWork
from services.referral.adapters.repository import (
    DeliveryRepository, ReferralRepository, SqlDeliveryRepository, SqlReferralRepository,
)


class ReferralUnitOfWork(UnitOfWork):
    referrals: ReferralRepository
    deliveries: DeliveryRepository  # the calls owed to other nodes, committed with the change that owes them


class SqlReferralUnitOfWork(SqlUnitOfWork, ReferralUnitOfWork):
    person_data_declared = PERSON_DATA
    def open(self, conn: Connection) -> None:
        self.referrals = SqlReferralRepository(conn)
        self.deliveries = SqlDeliveryRepository(conn)
