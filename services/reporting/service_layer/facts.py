"""Facts from the node's other services into the fact tables.

The IdempotentConsumer calls the handler in the transaction that also records
the event's (consumer, ce_id) mark. Every fact is an upsert keyed by its
natural id, so even the same fact under a new ce_id is counted once. Types
this code does not know are skipped, so producers can add facts freely.
"""
from __future__ import annotations

import logging
from typing import Callable

from google.protobuf.message import DecodeError, Message
from sqlalchemy.engine import Connection

from brobygger.events.v1 import events_events_pb2 as events_facts
from brobygger.membership.v1 import membership_events_pb2 as membership_facts
from brobygger.referral.v1 import referral_events_pb2 as referral_facts
from services.common.cloudevent import Envelope
from services.common.db import utcnow
from services.reporting.adapters import repository as repo
from services.reporting.domain.model import parse_date

log = logging.getLogger(__name__)

TYPE_PERSON_REGISTERED = "no.brobygger.membership.person.registered.v1"
TYPE_YEAR_RECORDED = "no.brobygger.membership.year.recorded.v1"
TYPE_ACTIVITY_CREATED = "no.brobygger.events.activity.created.v1"
TYPE_SESSION_SCHEDULED = "no.brobygger.events.session.scheduled.v1"
TYPE_ATTENDANCE_RECORDED = "no.brobygger.events.attendance.recorded.v1"
TYPE_REFERRAL_STATE_CHANGED = "no.brobygger.referral.state.changed.v1"

SOURCE_SERVICES = ("membership", "events", "referral")


class UnusableFact(ValueError):
    """A fact that cannot be counted (a missing id, a malformed date). It goes to dead_letters."""


def topics(org: str) -> list[str]:
    return [f"{org}.{service}" for service in SOURCE_SERVICES]


def _required(value: str, field: str, ce_type: str) -> str:
    if not value:
        raise UnusableFact(f"{ce_type} without {field}")
    return value


def _date(value: str, field: str, ce_type: str, *, required: bool = True):
    if not value and not required:
        return None
    day = parse_date(value)
    if day is None:
        raise UnusableFact(f"{ce_type} with {field} that is not an ISO date")
    return day


def _person_registered(conn: Connection, m: membership_facts.PersonRegistered) -> None:
    t = TYPE_PERSON_REGISTERED
    repo.upsert_person(conn, _required(m.person_id, "person_id", t), m.gender, m.birth_year,
                       _date(m.registered_date, "registered_date", t, required=False), utcnow())


def _year_recorded(conn: Connection, m: membership_facts.MembershipYearRecorded) -> None:
    t = TYPE_YEAR_RECORDED
    if m.year <= 0:
        raise UnusableFact(f"{t} without year")
    repo.upsert_membership_year(conn, _required(m.person_id, "person_id", t), m.year, m.payment_state,
                                m.birth_year, utcnow())


def _activity_created(conn: Connection, m: events_facts.ActivityCreated) -> None:
    repo.upsert_activity(conn, _required(m.activity_id, "activity_id", TYPE_ACTIVITY_CREATED), m.subgoal, m.theme,
                         m.funder, m.anonymous_attendance, utcnow())


def _session_scheduled(conn: Connection, m: events_facts.SessionScheduled) -> None:
    t = TYPE_SESSION_SCHEDULED
    repo.upsert_session(conn, _required(m.session_id, "session_id", t), m.activity_id, _date(m.date, "date", t),
                        m.subgoal, utcnow())


def _attendance_recorded(conn: Connection, m: events_facts.AttendanceRecorded) -> None:
    t = TYPE_ATTENDANCE_RECORDED
    if m.person_id:
        count = 1  # a named participant is one visit, whatever the producer filled in
    elif m.count >= 0:
        count = m.count
    else:
        raise UnusableFact(f"{t} with a negative head count")
    repo.upsert_attendance(conn, _required(m.attendance_id, "attendance_id", t), m.session_id, m.activity_id,
                           _date(m.date, "date", t), m.person_id, m.gender, m.age_band, count, utcnow())


def _referral_state_changed(conn: Connection, m: referral_facts.ReferralStateChanged) -> None:
    t = TYPE_REFERRAL_STATE_CHANGED
    created = _date(m.created_date, "created_date", t)
    changed = _date(m.changed_date, "changed_date", t, required=False) or created
    repo.upsert_referral(conn, _required(m.referral_id, "referral_id", t), direction=m.direction,
                         partner_kind=m.partner_kind, reason_category=m.reason_category, state=m.state,
                         created=created, changed=changed, target_organization=m.target_organization,
                         now=utcnow())


_DISPATCH: dict[str, tuple[type[Message], Callable[[Connection, Message], None]]] = {
    TYPE_PERSON_REGISTERED: (membership_facts.PersonRegistered, _person_registered),
    TYPE_YEAR_RECORDED: (membership_facts.MembershipYearRecorded, _year_recorded),
    TYPE_ACTIVITY_CREATED: (events_facts.ActivityCreated, _activity_created),
    TYPE_SESSION_SCHEDULED: (events_facts.SessionScheduled, _session_scheduled),
    TYPE_ATTENDANCE_RECORDED: (events_facts.AttendanceRecorded, _attendance_recorded),
    TYPE_REFERRAL_STATE_CHANGED: (referral_facts.ReferralStateChanged, _referral_state_changed),
}


def apply(conn: Connection, envelope: Envelope) -> None:
    """The consumer's handler: one fact into the fact tables, in the caller's transaction."""
    entry = _DISPATCH.get(envelope.type)
    if entry is None:
        log.debug("ignoring event %s of type %s, which reporting does not count", envelope.id, envelope.type)
        return
    message_type, handler = entry
    try:
        message = message_type.FromString(envelope.data)
    except DecodeError:
        raise UnusableFact(f"{envelope.type} whose payload is not a {message_type.DESCRIPTOR.full_name}") from None
    handler(conn, message)
