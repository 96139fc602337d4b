"""Referrals and pending node-to-node deliveries in and out of the database."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.referral.adapters.orm import deliveries, referrals
from services.referral.domain.model import DELIVERY_DELIVERED, DELIVERY_PENDING, Referral, SharedContact


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


def add(conn: Connection, r: Referral) -> None:
    conn.execute(referrals.insert().values(
        id=r.id, direction=r.direction, person=r.person, partner_kind=r.partner_kind, partner_name=r.partner_name,
        target_organization=r.target_organization, source_organization=r.source_organization,
        source_referral=r.source_referral or None, reason_category=r.reason_category, state=r.state,
        consent_given=r.consent_given, contact_given_name=r.shared_contact.given_name,
        contact_phone=r.shared_contact.phone, contact_language=r.shared_contact.preferred_language,
        outcome=r.outcome, declined_by=r.declined_by, delivery_state=r.delivery_state, remote_name=r.remote_name,
        create_time=r.create_time, update_time=r.update_time,
    ))


def get(conn: Connection, referral_id: str, *, for_update: bool = False) -> Referral | None:
    q = sa.select(referrals).where(referrals.c.id == referral_id)
    if for_update:
        q = q.with_for_update()
    row = conn.execute(q).first()
    return _to_referral(row) if row else None


def get_by_source(conn: Connection, source_referral: str) -> Referral | None:
    row = conn.execute(sa.select(referrals).where(referrals.c.source_referral == source_referral)).first()
    return _to_referral(row) if row else None


def save_state(conn: Connection, r: Referral) -> None:
    conn.execute(referrals.update().where(referrals.c.id == r.id).values(
        state=r.state, outcome=r.outcome, declined_by=r.declined_by, update_time=r.update_time))


def list_referrals(conn: Connection, limit: int, before: tuple | None, state: int = 0) -> tuple[list[Referral], tuple | None]:
    """Newest first; returns the page and the (create_time, id) to continue before, if any."""
    q = sa.select(referrals).order_by(referrals.c.create_time.desc(), referrals.c.id.desc()).limit(limit + 1)
    if state:
        q = q.where(referrals.c.state == state)
    if before is not None:
        q = q.where(sa.tuple_(referrals.c.create_time, referrals.c.id) < sa.tuple_(*before))
    rows = conn.execute(q).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_to_referral(r) for r in rows], ((rows[-1].create_time, rows[-1].id) if more else None)


# ---------------------------------------------------------------------------- deliveries


@dataclass(frozen=True)
class Delivery:
    id: int
    referral_id: str
    kind: str
    target_organization: str
    payload: bytes
    attempts: int
    next_attempt_at: dt.datetime
    traceparent: str = ""


def add_delivery(conn: Connection, *, referral_id: str, kind: str, target: str, payload: bytes,
                 now: dt.datetime, traceparent: str = "") -> None:
    conn.execute(deliveries.insert().values(
        referral_id=referral_id, kind=kind, target_organization=target, payload=payload, state=DELIVERY_PENDING,
        attempts=0, next_attempt_at=now, created_at=now, traceparent=traceparent,
    ))


def pending_deliveries(conn: Connection, limit: int) -> list[Delivery]:
    """The oldest pending deliveries, due or not, in the order they were made."""
    rows = conn.execute(
        sa.select(deliveries).where(deliveries.c.state == DELIVERY_PENDING).order_by(deliveries.c.id).limit(limit)
    ).all()
    return [Delivery(r.id, r.referral_id, r.kind, r.target_organization, r.payload, r.attempts, r.next_attempt_at,
                     r.traceparent) for r in rows]


def mark_delivered(conn: Connection, delivery_id: int, now: dt.datetime) -> None:
    conn.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(
        state=DELIVERY_DELIVERED, payload=b"", delivered_at=now, attempts=deliveries.c.attempts + 1, last_error=""))


def mark_failed(conn: Connection, delivery_id: int, error: str, next_attempt_at: dt.datetime) -> None:
    conn.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(
        attempts=deliveries.c.attempts + 1, last_error=error[:200], next_attempt_at=next_attempt_at))


def set_delivered(conn: Connection, referral_id: str, remote_name: str) -> None:
    """Record on the referral that the other node has it, and under which name."""
    conn.execute(referrals.update().where(referrals.c.id == referral_id).values(
        delivery_state=DELIVERY_DELIVERED, remote_name=remote_name))


def count_pending(conn: Connection) -> int:
    return conn.execute(
        sa.select(sa.func.count()).select_from(deliveries).where(deliveries.c.state == DELIVERY_PENDING)
    ).scalar_one()
