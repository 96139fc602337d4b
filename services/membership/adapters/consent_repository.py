"""A person's consents in and out of the database (services.membership.domain.consent)."""
from __future__ import annotations

import abc

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.common.pagination import Key, Page, sql_page
from services.membership.adapters.orm import consents
from services.membership.domain.consent import Consent


class ConsentRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, consent: Consent) -> bool:
        """Store a new consent; False (and nothing stored) when one for the person and purpose is in force."""

    @abc.abstractmethod
    def get(self, consent_id: str, *, for_update: bool = False) -> Consent | None: ...

    @abc.abstractmethod
    def save_withdrawal(self, consent: Consent) -> None:
        """Store the consent's withdrawal (the only change a consent ever has)."""

    @abc.abstractmethod
    def in_force(self, person_id: str, purpose: int) -> Consent | None:
        """The person's consent for the purpose that is not withdrawn, or None."""

    @abc.abstractmethod
    def in_force_for(self, person_ids: list[str], purpose: int) -> dict[str, Consent]:
        """Of those people, the ones with a consent for the purpose in force, by person id."""

    @abc.abstractmethod
    def page(self, person_id: str, after: Key | None, limit: int) -> Page[Consent]:
        """A person's consents, newest first, keyed by (create_time, id)."""


def _to_consent(row) -> Consent:
    return Consent(
        id=row.id, person_id=row.person_id, purpose=row.purpose, text_version=row.text_version,
        given_date=row.given_date, source=row.source, given_by=row.given_by, guardian_id=row.guardian_id,
        guardian_name=row.guardian_name, recorded_by=row.recorded_by, withdraw_date=row.withdraw_date,
        withdraw_source=row.withdraw_source, withdrawn_recorded_by=row.withdrawn_recorded_by,
        create_time=row.create_time, update_time=row.update_time)


class SqlConsentRepository(ConsentRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, c: Consent) -> bool:
        try:
            with self.conn.begin_nested():  # a savepoint: the unique index refuses a second consent in force
                self._insert(c)
        except IntegrityError:
            return False
        return True

    def _insert(self, c: Consent) -> None:
        self.conn.execute(consents.insert().values(
            id=c.id, person_id=c.person_id, purpose=c.purpose, text_version=c.text_version, given_date=c.given_date,
            source=c.source, given_by=c.given_by, guardian_id=c.guardian_id, guardian_name=c.guardian_name,
            recorded_by=c.recorded_by, withdraw_date=c.withdraw_date, withdraw_source=c.withdraw_source,
            withdrawn_recorded_by=c.withdrawn_recorded_by, create_time=c.create_time, update_time=c.update_time))

    def get(self, consent_id: str, *, for_update: bool = False) -> Consent | None:
        query = sa.select(consents).where(consents.c.id == consent_id)
        if for_update:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return _to_consent(row) if row else None

    def save_withdrawal(self, c: Consent) -> None:
        self.conn.execute(consents.update().where(consents.c.id == c.id, consents.c.withdraw_date.is_(None)).values(
            withdraw_date=c.withdraw_date, withdraw_source=c.withdraw_source,
            withdrawn_recorded_by=c.withdrawn_recorded_by, update_time=c.update_time))

    def in_force(self, person_id: str, purpose: int) -> Consent | None:
        return self.in_force_for([person_id], purpose).get(person_id)

    def in_force_for(self, person_ids: list[str], purpose: int) -> dict[str, Consent]:
        if not person_ids:
            return {}
        rows = self.conn.execute(sa.select(consents).where(
            consents.c.person_id.in_(sorted(set(person_ids))), consents.c.purpose == purpose,
            consents.c.withdraw_date.is_(None))).all()
        return {row.person_id: _to_consent(row) for row in rows}

    def page(self, person_id: str, after: Key | None, limit: int) -> Page[Consent]:
        query = sa.select(consents).where(consents.c.person_id == person_id)
        return sql_page(self.conn, query, (consents.c.create_time, consents.c.id), after, limit, _to_consent,
                        descending=True)
