"""Events use cases: each takes a command and a unit of work, and returns domain objects."""
from __future__ import annotations

import dataclasses
import datetime as dt

from brobygger.events.v1 import events_facts_pb2 as facts
from services.common.audit import acting_user
from services.common.errors import FieldViolation, NotFound
from services.common.names import new_id
from services.common.pagination import PageToken, page_size
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import check_request_id, run_once
from services.events.adapters.membership_client import MembershipDirectory
from services.events.domain.model import (
    Activity, Attendance, PersonProfile, Session, attended_already, check_can_admit, check_named_allowed,
    head_count_attendance, named_attendance, validate_activity, validate_participant, validate_session,
)
from services.events.service_layer import commands
from services.events.service_layer.unit_of_work import EventsUnitOfWork

ACTIVITIES_PAGE = PageToken((dt.datetime, str))
SESSIONS_PAGE = PageToken((str, str, str))


def _activity(uow: EventsUnitOfWork, activity_id: str, resource: str) -> Activity:
    activity = uow.activities.get(activity_id)
    if activity is None:
        raise NotFound(f"There is no activity {resource}; list activities to find the right name.",
                       reason="ACTIVITY_NOT_FOUND")
    return activity


def _session(uow: EventsUnitOfWork, cmd: commands.RecordAttendance, *, for_update: bool = False) -> Session:
    session = uow.sessions.get(cmd.session_id, for_update=for_update)
    if session is None or session.activity_id != cmd.activity_id:
        raise NotFound(f"There is no session {cmd.resource}; list the activity's sessions to find the right name.",
                       reason="SESSION_NOT_FOUND")
    return session


def create_activity(cmd: commands.CreateActivity, uow: EventsUnitOfWork) -> Activity:
    validate_activity(cmd.activity)

    def work() -> Activity:
        activity = dataclasses.replace(cmd.activity, id=new_id(), create_time=utcnow())
        uow.activities.add(activity)
        uow.facts.add(facts.ActivityCreated(
            activity_id=activity.id, subgoal=activity.subgoal, theme=activity.theme, funder=activity.funder,
            anonymous_attendance=activity.anonymous_attendance), key=activity.id)
        return activity

    return run_once(uow, method="CreateActivity", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda a: a.id, load=lambda activity_id: uow.activities.get(activity_id))


def get_activity(cmd: commands.GetActivity, uow: EventsUnitOfWork) -> Activity:
    with uow:
        return _activity(uow, cmd.activity_id, cmd.resource)


def list_activities(cmd: commands.ListActivities, uow: EventsUnitOfWork) -> tuple[list[Activity], str]:
    size = page_size(cmd.page_size)
    after = ACTIVITIES_PAGE.decode(cmd.page_token)
    with uow:
        page = uow.activities.page(after, size)
    return page.items, ACTIVITIES_PAGE.encode(page.next_key)


def create_session(cmd: commands.CreateSession, uow: EventsUnitOfWork) -> Session:
    validate_session(cmd.session, today())

    def work() -> Session:
        activity = _activity(uow, cmd.session.activity_id, cmd.resource)
        session = dataclasses.replace(cmd.session, id=new_id(), create_time=utcnow())
        uow.sessions.add(session)
        uow.facts.add(facts.SessionScheduled(session_id=session.id, activity_id=activity.id, date=session.date,
                                             subgoal=activity.subgoal), key=activity.id)
        return session

    return run_once(uow, method="CreateSession", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda s: s.id, load=lambda session_id: uow.sessions.get(session_id))


def list_sessions(cmd: commands.ListSessions, uow: EventsUnitOfWork) -> tuple[list[Session], str]:
    size = page_size(cmd.page_size)
    after = SESSIONS_PAGE.decode(cmd.page_token, activity=cmd.activity_id)
    with uow:
        _activity(uow, cmd.activity_id, cmd.resource)
        page = uow.sessions.page(cmd.activity_id, after, size)
    return page.items, SESSIONS_PAGE.encode(page.next_key, activity=cmd.activity_id)


def record_attendance(cmd: commands.RecordAttendance, uow: EventsUnitOfWork,
                      membership: MembershipDirectory) -> Attendance:
    """A named participant is counted by the gender and age band membership knows; a head count as given."""
    validate_participant(cmd.person_id, cmd.head_count)
    check_request_id(cmd.request_id)
    profile = _profile_if_admissible(cmd, uow, membership) if cmd.person_id is not None else None

    def work() -> Attendance:
        session = _session(uow, cmd, for_update=True)
        now = utcnow()
        if cmd.person_id is None:
            attendance = head_count_attendance(new_id(), session, cmd.head_count, now)
        else:
            activity = _activity(uow, cmd.activity_id, cmd.activity_resource)
            check_can_admit(activity, already_attended=uow.attendances.attends(session.id, cmd.person_id),
                            named_count=uow.attendances.named_count(session.id))
            if profile is None:  # cannot happen: admission only narrows, attendances are never removed
                raise RuntimeError("no person profile although the session admits the person")
            attendance = named_attendance(new_id(), session, cmd.person_id, profile, now)
        if not uow.attendances.add(attendance):  # the same person, recorded by a concurrent request
            raise attended_already()
        uow.facts.add(facts.AttendanceRecorded(
            attendance_id=attendance.id, session_id=session.id, activity_id=session.activity_id, date=session.date,
            person_id=attendance.person_id, gender=attendance.gender, age_band=attendance.age_band,
            count=attendance.count), key=session.activity_id)
        return attendance

    return run_once(uow, method="RecordAttendance", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda a: a.id, load=lambda attendance_id: uow.attendances.get(attendance_id))


def _profile_if_admissible(cmd: commands.RecordAttendance, uow: EventsUnitOfWork,
                           membership: MembershipDirectory) -> PersonProfile | None:
    """Ask membership about the person, unless the session already rules the person out
    (then the recording says why, or returns the answer to an earlier try of the same request).
    No transaction is held open while membership is asked."""
    with uow:
        session = _session(uow, cmd)
        activity = _activity(uow, cmd.activity_id, cmd.activity_resource)
        check_named_allowed(activity)
        if uow.attendances.attends(session.id, cmd.person_id) or activity.is_full(
                uow.attendances.named_count(session.id)):
            return None
    # Membership's audit log names the user who records the attendance, not only this node's service.
    profile = membership.profile(cmd.person_id, on_behalf_of=acting_user(cmd.actor))
    if profile is None:
        raise NotFound(
            "attendance.person names no person at this node; register the person in membership first, "
            "or record a head count.",
            reason="PERSON_NOT_FOUND",
            violations=[FieldViolation("attendance.person", "no such person in this organisation's membership")],
        )
    return profile
