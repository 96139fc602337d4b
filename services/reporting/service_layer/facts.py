"""Applying facts from the node's other services to the fact tables.

The IdempotentConsumer calls :func:`apply` inside a unit of work whose inbox
has already marked the fact, and commits both together. Every record is
keyed by the fact's natural id, so even the same fact under a new id is
counted once. Types this code does not know are skipped, so producers can add
facts freely; a fact that cannot be counted raises UnusableFact and is
dead-lettered.

Corrections from the events service (an activity or a session updated, a
session cancelled, an attendance withdrawn) change the records they name. An
activity's facts share one Kafka key and so one partition, and the relay
publishes them in the order they were committed; still, a fact may be
dead-lettered, or a failed send retried after a later one, so every
correction also works when it arrives before the fact that created the
record: a creation fact inserts its record only when there is none yet, a
withdrawal or cancellation of a record not seen yet leaves a withdrawn or
cancelled placeholder, and being withdrawn or cancelled is never undone. A
move (SessionUpdated) moves the session and the attendances already held; an
attendance counts on the date its own fact carries, so one recorded before a
move but delivered after it would count on the old date: moves rely on the
partition's order.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Callable

from google.protobuf.message import Message

from brobygger.events.v1 import events_facts_pb2 as events
from brobygger.events.v1 import grants_facts_pb2 as grants
from brobygger.membership.v1 import consent_facts_pb2 as consent
from brobygger.membership.v1 import consent_pb2
from brobygger.membership.v1 import membership_facts_pb2 as membership
from brobygger.referral.v1 import referral_facts_pb2 as referral
from services.common.facts import Catalogue, Envelope, UnusableFact, fact_type
from services.reporting.domain import records
from services.reporting.domain.consent import StatisticsConsentChange
from services.reporting.domain.model import parse_date
from services.reporting.service_layer.unit_of_work import ReportingUnitOfWork

log = logging.getLogger(__name__)

CATALOGUE = Catalogue.of_modules(membership, consent, events, grants, referral)


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
    paid = _date(m, "paid_date", required=False)
    uow.years.put(records.MembershipYearRecord(_required(m, "person_id"), m.year, m.payment_state, m.birth_year,
                                               max(0, m.fee_nok), paid.isoformat() if paid else ""))


def _activity_record(m: events.ActivityCreated | events.ActivityUpdated) -> records.ActivityRecord:
    return records.ActivityRecord(_required(m, "activity_id"), m.subgoal, m.theme[:records.TEXT_MAX],
                                  m.funder[:records.TEXT_MAX], m.anonymous_attendance)


def _activity_created(uow: ReportingUnitOfWork, m: events.ActivityCreated) -> None:
    record = _activity_record(m)
    if uow.activities.get(record.activity_id) is None:  # else an update came first and holds the newer values
        uow.activities.put(record)


def _activity_updated(uow: ReportingUnitOfWork, m: events.ActivityUpdated) -> None:
    """The activity as it is now; a corrected sub-goal moves all its sessions to the new one."""
    record = _activity_record(m)
    uow.activities.put(record)
    if "subgoal" in m.changed_fields:
        uow.sessions.set_subgoal(record.activity_id, record.subgoal)


def _session_scheduled(uow: ReportingUnitOfWork, m: events.SessionScheduled) -> None:
    record = records.SessionRecord(_required(m, "session_id"), m.activity_id, _date(m, "date"), m.subgoal)
    held = uow.sessions.get(record.session_id)
    if held is None:
        uow.sessions.put(record)
    elif held.subgoal == records.NO_SUBGOAL and record.subgoal:  # a placeholder: keep its date and state
        uow.sessions.put(dataclasses.replace(held, subgoal=record.subgoal))


def _session_updated(uow: ReportingUnitOfWork, m: events.SessionUpdated) -> None:
    """A moved session counts, with its attendances, in the period of its new date."""
    session_id, date = _required(m, "session_id"), _date(m, "date")
    held = uow.sessions.get(session_id)
    uow.sessions.put(dataclasses.replace(held, date=date) if held is not None
                     else records.SessionRecord(session_id, m.activity_id, date, records.NO_SUBGOAL))
    uow.attendances.move_session(session_id, date)


def _session_cancelled(uow: ReportingUnitOfWork, m: events.SessionCancelled) -> None:
    session_id = _required(m, "session_id")
    held = uow.sessions.get(session_id)
    uow.sessions.put(dataclasses.replace(held, cancelled=True) if held is not None
                     else records.SessionRecord(session_id, m.activity_id, _date(m, "date"), records.NO_SUBGOAL,
                                                cancelled=True))


def _attendance_recorded(uow: ReportingUnitOfWork, m: events.AttendanceRecorded) -> None:
    count = records.visits(m.person_id, m.count)
    if count is None:
        raise _unusable(m, "with a negative head count")
    attendance_id = _required(m, "attendance_id")
    date = _date(m, "date")
    if uow.attendances.get(attendance_id) is not None:  # counted already, or withdrawn before it arrived
        return
    uow.attendances.put(records.AttendanceRecord(attendance_id, m.session_id, m.activity_id, date, m.person_id,
                                                 m.gender, m.age_band, count))


def _attendance_withdrawn(uow: ReportingUnitOfWork, m: events.AttendanceWithdrawn) -> None:
    """A withdrawn attendance stops counting, once: withdrawing it again changes nothing."""
    attendance_id = _required(m, "attendance_id")
    held = uow.attendances.get(attendance_id)
    if held is None:
        uow.attendances.put(records.withdrawn_placeholder(attendance_id, m.session_id, m.activity_id,
                                                          _date(m, "date")))
    elif not held.withdrawn:
        uow.attendances.put(dataclasses.replace(held, withdrawn=True))


def _hours_record(m: events.VolunteerHoursLogged | events.VolunteerHoursCorrected) -> records.HoursRecord:
    if m.minutes < 0:
        raise _unusable(m, "with negative minutes")
    return records.HoursRecord(_required(m, "entry_id"), _required(m, "activity_id"), m.person_id, _date(m, "date"),
                               m.minutes, m.revision)


def _hours_changed(uow: ReportingUnitOfWork, m: events.VolunteerHoursLogged | events.VolunteerHoursCorrected) -> None:
    """An entry as logged or corrected: kept when it is newer than the one held (by revision), so a redelivery,
    or a correction overtaken by a later one, changes nothing; a withdrawn entry stays withdrawn."""
    record = _hours_record(m)
    held = uow.hours.get(record.entry_id)
    if held is None or (not held.withdrawn and record.revision > held.revision):
        uow.hours.put(record)


def _hours_withdrawn(uow: ReportingUnitOfWork, m: events.VolunteerHoursWithdrawn) -> None:
    entry_id = _required(m, "entry_id")
    held = uow.hours.get(entry_id)
    if held is None:
        uow.hours.put(records.hours_placeholder(entry_id, m.activity_id, _date(m, "date")))
    elif not held.withdrawn:
        uow.hours.put(dataclasses.replace(held, withdrawn=True))


def _referral_state_changed(uow: ReportingUnitOfWork, m: referral.ReferralStateChanged) -> None:
    created = _date(m, "created_date")
    record = records.ReferralRecord(
        _required(m, "referral_id"), m.direction, m.partner_kind, m.reason_category, m.state, created,
        _date(m, "changed_date", required=False) or created, m.target_organization[:records.ORG_MAX])
    if record.supersedes(uow.referrals.get(record.referral_id)):
        uow.referrals.put(record)


def _consent_changed(uow: ReportingUnitOfWork, m: consent.ConsentChanged) -> None:
    """A consent for statistics given or withdrawn (domain/consent.py says what that changes); consents for
    other purposes do not change what is counted."""
    if m.consent_purpose != consent_pb2.CONSENT_PURPOSE_STATISTICS:
        return
    if m.change not in (consent.ConsentChanged.CHANGE_GIVEN, consent.ConsentChanged.CHANGE_WITHDRAWN):
        raise _unusable(m, "without change")
    uow.statistics_consents.put(StatisticsConsentChange(
        _required(m, "person_id"), _date(m, "changed_date"), m.change == consent.ConsentChanged.CHANGE_WITHDRAWN))


def _role_changed(uow: ReportingUnitOfWork, m: membership.RoleAssignmentChanged) -> None:
    """A role assignment as it is now (given, or ended): the fact carries its whole state, so applying it again,
    or an older one after it, leaves the latest as it was only when facts of a person arrive in order (they
    share the person's key, and so one partition)."""
    uow.roles.put(records.RoleRecord(_required(m, "assignment_id"), _required(m, "person_id"), m.role,
                                     _date(m, "start_date"), _date(m, "end_date", required=False),
                                     m.group_id[:records.ORG_MAX]))


def _project_grants_changed(uow: ReportingUnitOfWork, m: grants.ProjectGrantsChanged) -> None:
    """A project's grants as they are now (a project's facts share its key, and so keep their order)."""
    if len(m.funder_ids) != len(m.grant_ids):
        raise _unusable(m, "with grant_ids and funder_ids of different lengths")
    uow.projects.set_grants(_required(m, "project_id")[:records.ORG_MAX],
                            [(g[:records.ORG_MAX], f[:records.ORG_MAX]) for g, f in zip(m.grant_ids, m.funder_ids)])


def _activity_project_linked(uow: ReportingUnitOfWork, m: grants.ActivityProjectLinked) -> None:
    uow.projects.set_link(_required(m, "activity_id"), _required(m, "project_id"), True)


def _activity_project_unlinked(uow: ReportingUnitOfWork, m: grants.ActivityProjectUnlinked) -> None:
    uow.projects.set_link(_required(m, "activity_id"), _required(m, "project_id"), False)


_APPLY: dict[type[Message], Callable[[ReportingUnitOfWork, Message], None]] = {
    membership.PersonRegistered: _person_registered,
    membership.PersonUpdated: _person_updated,
    membership.MembershipYearRecorded: _year_recorded,
    events.ActivityCreated: _activity_created,
    events.ActivityUpdated: _activity_updated,
    events.SessionScheduled: _session_scheduled,
    events.SessionUpdated: _session_updated,
    events.SessionCancelled: _session_cancelled,
    events.AttendanceRecorded: _attendance_recorded,
    events.AttendanceWithdrawn: _attendance_withdrawn,
    events.VolunteerHoursLogged: _hours_changed,
    events.VolunteerHoursCorrected: _hours_changed,
    events.VolunteerHoursWithdrawn: _hours_withdrawn,
    referral.ReferralStateChanged: _referral_state_changed,
    consent.ConsentChanged: _consent_changed,
    membership.RoleAssignmentChanged: _role_changed,
    grants.ProjectGrantsChanged: _project_grants_changed,
    grants.ActivityProjectLinked: _activity_project_linked,
    grants.ActivityProjectUnlinked: _activity_project_unlinked,
}


def apply(uow: ReportingUnitOfWork, envelope: Envelope) -> None:
    """The consumer's handler: one fact into the fact tables, in the consumer's unit of work."""
    known = CATALOGUE.get(envelope.type)
    apply_one = _APPLY.get(known.message) if known is not None else None
    if apply_one is None:
        log.debug("skipping fact %s of type %s, which reporting does not count", envelope.id, envelope.type)
        return
    apply_one(uow, known.parse(envelope.data))
