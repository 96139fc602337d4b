"""Referrals and the calls owed to other nodes (deliveries) in and out of the database.

The abstract repositories say what the service layer may ask; the SQL ones
answer it. Tests of the service layer use in-memory ones.
"""
from __future__ import annotations

import abc
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.common import telemetry
from services.common.pagination import Key, Page, sql_page
from services.common.timestamps import utcnow
from services.referral.adapters import wire
from services.referral.adapters.orm import deliveries, referrals
from services.referral.domain.model import (
    DELIVERY_DELIVERED, DELIVERY_PENDING, DELIVERY_REFUSED, Delivery, Referral, SharedContact,
)


class ReferralRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, referral: Referral) -> None: ...

    @abc.abstractmethod
    def add_received(self, referral: Referral) -> Referral:
        """Add an incoming referral from another node, or return the one already received from the same
        source_referral (a redelivery, or the same referral delivered twice at once)."""

    @abc.abstractmethod
    def get(self, referral_id: str, *, for_update: bool = False) -> Referral | None:
        """for_update: lock the row until the unit of work ends (PostgreSQL; SQLite serialises writers)."""

    @abc.abstractmethod
    def save(self, referral: Referral) -> None:
        """Write what changes after creation: state, outcome, declined_by, delivery and update_time."""

    @abc.abstractmethod
    def page(self, state: int, after: Key | None, limit: int, *, direction: int = 0) -> Page[Referral]:
        """Newest first, keyed by (create_time, id); state 0 for every state, direction 0 for both."""


class DeliveryRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, delivery: Delivery) -> None:
        """Owe the call: pending, due now, in the trace of the change that owes it."""

    @abc.abstractmethod
    def pending(self, limit: int) -> list[Delivery]:
        """The oldest pending deliveries, due or not, in the order they were made."""

    @abc.abstractmethod
    def delivered(self, delivery_id: int, at: dt.datetime) -> None:
        """The other node answered: done, and the payload (it may hold the shared contact) is dropped."""

    @abc.abstractmethod
    def refused(self, delivery_id: int, error: str) -> None:
        """The call will never be made (no consent for it): not pending any more, its payload dropped."""

    @abc.abstractmethod
    def failed(self, delivery_id: int, error: str, retry_at: dt.datetime) -> None:
        """One more failed attempt; error is a status code and reason, never a message."""


# ---------------------------------------------------------------------------- SQL


def _to_referral(row) -> Referral:
    return Referral(
        id=row.id, direction=row.direction, partner_kind=row.partner_kind, reason_category=row.reason_category,
        person=row.person, partner_name=row.partner_name, target_organization=row.target_organization,
        source_organization=row.source_organization, source_referral=row.source_referral or "",
        state=row.state, consent_given=bool(row.consent_given),
        shared_contact=SharedContact(row.contact_given_name, row.contact_phone, row.contact_language),
        outcome=row.outcome, declined_by=row.declined_by, delivery_state=row.delivery_state,
        remote_name=row.remote_name, create_time=row.create_time, update_time=row.update_time,
    )


class SqlReferralRepository(ReferralRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, r: Referral) -> None:
        self.conn.execute(referrals.insert().values(
            id=r.id, direction=r.direction, person=r.person, partner_kind=r.partner_kind,
            partner_name=r.partner_name, target_organization=r.target_organization,
            source_organization=r.source_organization, source_referral=r.source_referral or None,
            reason_category=r.reason_category, state=r.state, consent_given=r.consent_given,
            contact_given_name=r.shared_contact.given_name, contact_phone=r.shared_contact.phone,
            contact_language=r.shared_contact.preferred_language, outcome=r.outcome, declined_by=r.declined_by,
            delivery_state=r.delivery_state, remote_name=r.remote_name, create_time=r.create_time,
            update_time=r.update_time,
        ))

    def add_received(self, r: Referral) -> Referral:
        existing = self._by_source(r.source_referral)
        if existing is not None:
            return existing
        try:
            with self.conn.begin_nested():
                self.add(r)
            return r
        except IntegrityError:  # the same referral, delivered twice at once, committed first
            existing = self._by_source(r.source_referral)
            if existing is None:
                raise
            return existing

    def _by_source(self, source_referral: str) -> Referral | None:
        row = self.conn.execute(sa.select(referrals).where(referrals.c.source_referral == source_referral)).first()
        return _to_referral(row) if row else None

    def get(self, referral_id: str, *, for_update: bool = False) -> Referral | None:
        query = sa.select(referrals).where(referrals.c.id == referral_id)
        row = self.conn.execute(query.with_for_update() if for_update else query).first()
        return _to_referral(row) if row else None

    def save(self, r: Referral) -> None:
        self.conn.execute(referrals.update().where(referrals.c.id == r.id).values(
            state=r.state, outcome=r.outcome, declined_by=r.declined_by, delivery_state=r.delivery_state,
            remote_name=r.remote_name, update_time=r.update_time))

    def page(self, state: int, after: Key | None, limit: int, *, direction: int = 0) -> Page[Referral]:
        query = sa.select(referrals)
        if state:
            query = query.where(referrals.c.state == state)
        if direction:
            query = query.where(referrals.c.direction == direction)
        return sql_page(self.conn, query, (referrals.c.create_time, referrals.c.id), after, limit, _to_referral,
                        descending=True)


class SqlDeliveryRepository(DeliveryRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, d: Delivery) -> None:
        kind, payload = wire.encode_call(d)
        now = utcnow()
        self.conn.execute(deliveries.insert().values(
            referral_id=d.referral_id, kind=kind, target_organization=d.target_organization, payload=payload,
            state=DELIVERY_PENDING, attempts=0, next_attempt_at=now, created_at=now,
            traceparent=telemetry.current_traceparent(),
        ))

    def pending(self, limit: int) -> list[Delivery]:
        rows = self.conn.execute(
            sa.select(deliveries).where(deliveries.c.state == DELIVERY_PENDING).order_by(deliveries.c.id).limit(limit)
        ).all()
        return [Delivery(r.referral_id, r.target_organization, wire.decode_call(r.kind, r.payload), id=r.id,
                         attempts=r.attempts, next_attempt_at=r.next_attempt_at, traceparent=r.traceparent)
                for r in rows]

    def delivered(self, delivery_id: int, at: dt.datetime) -> None:
        self.conn.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(
            state=DELIVERY_DELIVERED, payload=b"", delivered_at=at, attempts=deliveries.c.attempts + 1,
            last_error=""))

    def refused(self, delivery_id: int, error: str) -> None:
        self.conn.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(
            state=DELIVERY_REFUSED, payload=b"", last_error=error[:200]))

    def failed(self, delivery_id: int, error: str, retry_at: dt.datetime) -> None:
        self.conn.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(
            attempts=deliveries.c.attempts + 1, last_error=error[:200], next_attempt_at=retry_at))
