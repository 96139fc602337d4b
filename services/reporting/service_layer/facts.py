"""Applying facts from the node's other services to the fact tables.

The IdempotentConsumer calls :func:`apply` inside a unit of work whose inbox
has already marked the fact, and commits both together. Every record is
keyed by the fact's natural id, so even the same fact under a new id is
counted once. Types this code does not know are skipped, so producers can add
facts freely; a fact that cannot be counted raises UnusableFact and is
dead-lettered.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Callable

from google.protobuf.message import Message

from brobygger.events.v1 import events_facts_pb2 as events
from brobygger.membership.v1 import membership_facts_pb2 as membership
from brobygger.referral.v1 import referral_facts_pb2 as referral
from services.common.facts import Catalogue, Envelope, UnusableFact, fact_type
from services.reporting.domain import records
from services.reporting.domain.model import parse_date
from services.reporting.service_layer.unit_of_work import ReportingUnitOfWork

log = logging.getLogger(__name__)

CATALOGUE = Catalogue.of_modules(membership, events, referral)


def topics(org: str) -> list[str]:
    """The topics reporting reads at a node."""
    return CATALOGUE.topics(org)


def _unusable(m: Message, problem: str) -> UnusableFact:
    return UnusableFact(f"{fact_type(type(m)).type} {problem}")


def _required(m: Message, name: str) -> str:
    value = getattr(m, name)
    if not value:
        raise _unusable(m, f"without {name}")
    return value


def _date(m: Message, name: str, *, required: bool = True) -> dt.date | None:
    value = getattr(m, name)
    if not value and not required:
        return None
    day = parse_date(value)
    if day is None:
        raise _unusable(m, f"with {name} that is not an ISO date")
    return day


def _person_registered(uow: ReportingUnitOfWork, m: membership.PersonRegistered) -> None:
    uow.persons.put(records.PersonRecord(_required(m, "person_id"), m.gender, m.birth_year,
                                         _date(m, "registered_date", required=False)))


def _person_updated(uow: ReportingUnitOfWork, m: membership.PersonUpdated) -> None:
    """A correction of a person's details: the profile as it is now, the registration date as it was."""
    person_id = _required(m, "person_id")
    known = uow.persons.get(person_id)
    uow.persons.put(records.PersonRecord(person_id, m.gender, m.birth_year, known.registered_date if known else None))


def _year_recorded(uow: ReportingUnitOfWork, m: membership.MembershipYearRecorded) -> None:
    if m.year <= 0:
        raise _unusable(m, "without year")
    uow.years.put(records.MembershipYearRecord(_required(m, "person_id"), m.year, m.payment_state, m.birth_year))


def _activity_created(uow: ReportingUnitOfWork, m: events.ActivityCreated) -> None:
    uow.activities.put(records.ActivityRecord(_required(m, "activity_id"), m.subgoal, m.theme[:records.TEXT_MAX],
                                              m.funder[:records.TEXT_MAX], m.anonymous_attendance))


def _session_scheduled(uow: ReportingUnitOfWork, m: events.SessionScheduled) -> None:
    uow.sessions.put(records.SessionRecord(_required(m, "session_id"), m.activity_id, _date(m, "date"), m.subgoal))


def _attendance_recorded(uow: ReportingUnitOfWork, m: events.AttendanceRecorded) -> None:
    count = records.visits(m.person_id, m.count)
    if count is None:
        raise _unusable(m, "with a negative head count")
    uow.attendances.put(records.AttendanceRecord(
        _required(m, "attendance_id"), m.session_id, m.activity_id, _date(m, "date"), m.person_id, m.gender,
        m.age_band, count))


def _referral_state_changed(uow: ReportingUnitOfWork, m: referral.ReferralStateChanged) -> None:
    created = _date(m, "created_date")
    record = records.ReferralRecord(
        _required(m, "referral_id"), m.direction, m.partner_kind, m.reason_category, m.state, created,
        _date(m, "changed_date", required=False) or created, m.target_organization[:records.ORG_MAX])
    if record.supersedes(uow.referrals.get(record.referral_id)):
        uow.referrals.put(record)


_APPLY: dict[type[Message], Callable[[ReportingUnitOfWork, Message], None]] = {
    membership.PersonRegistered: _person_registered,
    membership.PersonUpdated: _person_updated,
    membership.MembershipYearRecorded: _year_recorded,
    events.ActivityCreated: _activity_created,
    events.SessionScheduled: _session_scheduled,
    events.AttendanceRecorded: _attendance_recorded,
    referral.ReferralStateChanged: _referral_state_changed,
}


def apply(uow: ReportingUnitOfWork, envelope: Envelope) -> None:
    """The consumer's handler: one fact into the fact tables, in the consumer's unit of work."""
    known = CATALOGUE.get(envelope.type)
    apply_one = _APPLY.get(known.message) if known is not None else None
    if apply_one is None:
        log.debug("skipping fact %s of type %s, which reporting does not count", envelope.id, envelope.type)
        return
    apply_one(uow, known.parse(envelope.data))
