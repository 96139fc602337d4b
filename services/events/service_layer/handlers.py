"""Events use cases: each takes a command and a unit of work, and returns domain objects."""
from __future__ import annotations

import dataclasses
import datetime as dt

from brobygger.events.v1 import events_facts_pb2 as facts
from services.common.audit import acting_user, check_purpose
from services.common.errors import FieldViolation, NotFound
from services.common.names import new_id
from services.common.pagination import PageToken, page_size
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import check_request_id, run_once
from services.events.adapters.membership_client import MembershipDirectory
from services.events.domain.activity_lists import TARGET_GROUPS, THEMES, check_listed
from services.events.domain.model import (
    ACTIVITY_UPDATABLE, SESSION_UPDATABLE, Activity, Attendance, PersonProfile, Session, SessionState, SessionSummary,
    apply_mask, attended_already, check_can_admit, check_can_cancel, check_can_move, check_date_range,
    check_head_cell, check_named_allowed, check_open, check_reason, check_update_mask, decrement,
    head_count_attendance, named_attendance, no_head_count, summarize, validate_activity, validate_participant,
    validate_session,
)
from services.events.service_layer import commands
from services.events.service_layer.unit_of_work import EventsUnitOfWork

ACTIVITIES_PAGE = PageToken((dt.datetime, str))
SESSIONS_PAGE = PageToken((str, str, str))
ATTENDANCES_PAGE = PageToken((dt.datetime, str))
# Every activity's sessions (parent organizations/{org}/activities/-): the activity filter of its page tokens.
ALL_ACTIVITIES = "-"

ACTION_ROSTER_READ = "attendance.list"


def _activity(uow: EventsUnitOfWork, activity_id: str, resource: str) -> Activity:
    activity = uow.activities.get(activity_id)
    if activity is None:
        raise NotFound(f"There is no activity {resource}; list activities to find the right name.",
                       reason="ACTIVITY_NOT_FOUND")
    return activity


def _session(uow: EventsUnitOfWork, cmd, *, for_update: bool = False) -> Session:
    """The session cmd names (its activity_id, session_id and resource, the session's name)."""
    session = uow.sessions.get(cmd.session_id, for_update=for_update)
    if session is None or session.activity_id != cmd.activity_id:
        raise NotFound(f"There is no session {cmd.resource}; list the activity's sessions to find the right name.",
                       reason="SESSION_NOT_FOUND")
    return session


def _activity_name(session_name: str) -> str:
    return session_name.rsplit("/sessions/", 1)[0]


def check_in_lists(uow: EventsUnitOfWork, activity: Activity, fields) -> None:
    """theme and target_group (those of fields) are codes of the node's lists, when it keeps them."""
    if "theme" in fields:
        check_listed(activity.theme, uow.lists.codes(THEMES), "activity.theme", "themes")
    if "target_group" in fields:
        check_listed(activity.target_group, uow.lists.codes(TARGET_GROUPS), "activity.target_group",
                     "target groups")


def create_activity(cmd: commands.CreateActivity, uow: EventsUnitOfWork) -> Activity:
    validate_activity(cmd.activity)

    def work() -> Activity:
        activity = dataclasses.replace(cmd.activity, id=new_id(), create_time=utcnow())
        check_in_lists(uow, activity, ("theme", "target_group"))
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
    """One activity's sessions, or every activity's (activity_id None), in calendar order; cancelled ones too."""
    size = page_size(cmd.page_size)
    start, end = check_date_range(cmd.start_date, cmd.end_date)
    filters = {"activity": cmd.activity_id or ALL_ACTIVITIES}
    if start or end:  # the filters go into the token, so a token is refused with other filters
        filters.update(start=start, end=end)
    after = SESSIONS_PAGE.decode(cmd.page_token, **filters)
    with uow:
        if cmd.activity_id is not None:
            _activity(uow, cmd.activity_id, cmd.resource)
        page = uow.sessions.page(cmd.activity_id, after, size, start_date=start, end_date=end)
    return page.items, SESSIONS_PAGE.encode(page.next_key, **filters)


def get_session(cmd: commands.GetSession, uow: EventsUnitOfWork) -> Session:
    with uow:
        return _session(uow, cmd)


def update_activity(cmd: commands.UpdateActivity, uow: EventsUnitOfWork) -> Activity:
    """The masked fields replaced and validated as at creation; a fact only when something changed."""
    paths = check_update_mask(cmd.update_mask, ACTIVITY_UPDATABLE, "activity")
    check_request_id(cmd.request_id)

    def work() -> Activity:
        current = _activity(uow, cmd.activity_id, cmd.resource)
        updated, changed = apply_mask(current, cmd.activity, paths)
        validate_activity(updated)
        if not changed:
            return current
        check_in_lists(uow, updated, changed)  # a value saved before the lists stays until it is changed
        updated = dataclasses.replace(updated, update_time=utcnow())
        uow.activities.update(updated)
        uow.facts.add(facts.ActivityUpdated(
            activity_id=updated.id, subgoal=updated.subgoal, theme=updated.theme, funder=updated.funder,
            anonymous_attendance=updated.anonymous_attendance, changed_fields=changed), key=updated.id)
        return updated

    return run_once(uow, method="UpdateActivity", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda a: a.id, load=lambda activity_id: uow.activities.get(activity_id))


def update_session(cmd: commands.UpdateSession, uow: EventsUnitOfWork) -> Session:
    """Move or correct a scheduled session; its attendances move with it (within its year)."""
    paths = check_update_mask(cmd.update_mask, SESSION_UPDATABLE, "session")
    check_request_id(cmd.request_id)

    def work() -> Session:
        current = _session(uow, cmd, for_update=True)
        check_open(current, cmd.resource)
        updated, changed = apply_mask(current, cmd.session, paths)
        validate_session(updated, today())
        if not changed:
            return current
        if "date" in changed:
            check_can_move(current, updated, len(uow.attendances.counted(current.id)))
        updated = dataclasses.replace(updated, update_time=utcnow())
        uow.sessions.update(updated)
        uow.facts.add(facts.SessionUpdated(
            session_id=updated.id, activity_id=updated.activity_id, date=updated.date, previous_date=current.date,
            changed_fields=changed, start_time=updated.start_time, previous_start_time=current.start_time),
            key=updated.activity_id)
        return updated

    return run_once(uow, method="UpdateSession", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda s: s.id, load=lambda session_id: uow.sessions.get(session_id))


def cancel_session(cmd: commands.CancelSession, uow: EventsUnitOfWork) -> Session:
    """A session nobody has been counted at is cancelled; cancelling a cancelled one changes nothing."""
    reason = check_reason(cmd.reason)
    check_request_id(cmd.request_id)

    def work() -> Session:
        session = _session(uow, cmd, for_update=True)
        if session.cancelled:
            return session
        check_can_cancel(len(uow.attendances.counted(session.id)))
        cancelled = dataclasses.replace(session, state=SessionState.CANCELLED, cancel_reason=reason,
                                        update_time=utcnow())
        uow.sessions.update(cancelled)
        uow.facts.add(facts.SessionCancelled(session_id=session.id, activity_id=session.activity_id,
                                             date=session.date, start_time=session.start_time,
                                             cause=facts.CANCEL_CAUSE_CANCELLED), key=session.activity_id)
        return cancelled

    return run_once(uow, method="CancelSession", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda s: s.id, load=lambda session_id: uow.sessions.get(session_id))


def list_attendances(cmd: commands.ListAttendances, uow: EventsUnitOfWork) -> tuple[list[Attendance], str]:
    """A session's roster in the order it was taken; who read it and why is audited (it names people)."""
    purpose = check_purpose(cmd.purpose, "this session's roster", "check-in")
    size = page_size(cmd.page_size)
    filters = {"session": cmd.session_id, "withdrawn": cmd.show_withdrawn}
    after = ATTENDANCES_PAGE.decode(cmd.page_token, **filters)
    with uow:
        _session(uow, cmd)
        page = uow.attendances.page(cmd.session_id, after, size, show_withdrawn=cmd.show_withdrawn)
        uow.audit.record(cmd.actor, ACTION_ROSTER_READ, f"{cmd.resource}/attendances", purpose)
        uow.commit()
    return page.items, ATTENDANCES_PAGE.encode(page.next_key, **filters)


def _withdraw(uow: EventsUnitOfWork, session: Session, attendance: Attendance, now: dt.datetime) -> Attendance:
    withdrawn = dataclasses.replace(attendance, withdraw_time=now)
    uow.attendances.withdraw(withdrawn)
    uow.facts.add(facts.AttendanceWithdrawn(attendance_id=attendance.id, session_id=session.id,
                                            activity_id=session.activity_id, date=session.date),
                  key=session.activity_id)
    return withdrawn


def withdraw_attendance(cmd: commands.WithdrawAttendance, uow: EventsUnitOfWork) -> Attendance:
    """A wrong tap undone: the attendance is kept, withdrawn, and stops counting. Withdrawing a withdrawn
    attendance returns it unchanged (a double tap), with no second fact."""
    check_request_id(cmd.request_id)

    def work() -> Attendance:
        session = _session(uow, dataclasses.replace(cmd, resource=cmd.resource.rsplit("/attendances/", 1)[0]),
                           for_update=True)
        attendance = uow.attendances.get(cmd.attendance_id)
        if attendance is None or attendance.session_id != session.id:
            raise NotFound(f"There is no attendance {cmd.resource}; list the session's attendances to find the "
                           "right name.", reason="ATTENDANCE_NOT_FOUND")
        if attendance.withdrawn:
            return attendance
        return _withdraw(uow, session, attendance, utcnow())

    return run_once(uow, method="WithdrawAttendance", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda a: a.id, load=lambda attendance_id: uow.attendances.get(attendance_id))


def _summary(uow: EventsUnitOfWork, session: Session, activity_resource: str) -> SessionSummary:
    activity = _activity(uow, session.activity_id, activity_resource)
    return summarize(session, activity, uow.attendances.counted(session.id))


def decrement_head_count(cmd: commands.DecrementHeadCount, uow: EventsUnitOfWork) -> SessionSummary:
    """One person fewer in a head-count cell: its newest entry is withdrawn and, when it counted more than
    one, recorded again one smaller. A cell at 0 stays at 0 (FAILED_PRECONDITION)."""
    check_head_cell(cmd.gender, cmd.age_band)
    check_request_id(cmd.request_id)

    def work() -> SessionSummary:
        session = _session(uow, cmd, for_update=True)
        check_open(session, cmd.resource)
        cell = [a for a in uow.attendances.counted(session.id)
                if not a.is_named and a.cell == (cmd.gender, cmd.age_band)]
        if not cell:
            raise no_head_count(cmd.gender, cmd.age_band)
        now = utcnow()
        latest = cell[-1]
        _, replacement = decrement(latest, new_id(), now)
        _withdraw(uow, session, latest, now)
        if replacement is not None:
            uow.attendances.add(replacement)
            _record_fact(uow, session, replacement)
        return _summary(uow, session, _activity_name(cmd.resource))

    def load(session_id: str) -> SessionSummary:
        return _summary(uow, _session(uow, cmd), _activity_name(cmd.resource))

    return run_once(uow, method="DecrementHeadCount", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda s: s.session.id, load=load)


def get_session_summary(cmd: commands.GetSessionSummary, uow: EventsUnitOfWork) -> SessionSummary:
    with uow:
        return _summary(uow, _session(uow, cmd), _activity_name(cmd.resource))


def _record_fact(uow: EventsUnitOfWork, session: Session, attendance: Attendance) -> None:
    uow.facts.add(facts.AttendanceRecorded(
        attendance_id=attendance.id, session_id=session.id, activity_id=session.activity_id, date=session.date,
        person_id=attendance.person_id, gender=attendance.gender, age_band=attendance.age_band,
        count=attendance.count), key=session.activity_id)


def record_attendance(cmd: commands.RecordAttendance, uow: EventsUnitOfWork,
                      membership: MembershipDirectory) -> Attendance:
    """A named participant is counted by the gender and age band membership knows; a head count as given."""
    validate_participant(cmd.person_id, cmd.head_count)
    check_request_id(cmd.request_id)
    profile = _profile_if_admissible(cmd, uow, membership) if cmd.person_id is not None else None
    try:
        return _record(cmd, uow, profile)
    except _ProfileNeeded:  # the session admits the person after all: ask, with no transaction open, and retry
        return _record(cmd, uow, _ask_membership(cmd, membership))


class _ProfileNeeded(Exception):
    """The person was ruled out when membership would have been asked, and is admissible now (their
    attendance was withdrawn, or a place freed, meanwhile)."""


def _record(cmd: commands.RecordAttendance, uow: EventsUnitOfWork, profile: PersonProfile | None) -> Attendance:
    def work() -> Attendance:
        session = _session(uow, cmd, for_update=True)
        check_open(session, cmd.resource)
        now = utcnow()
        if cmd.person_id is None:
            attendance = head_count_attendance(new_id(), session, cmd.head_count, now)
        else:
            activity = _activity(uow, cmd.activity_id, cmd.activity_resource)
            check_can_admit(activity, already_attended=uow.attendances.attends(session.id, cmd.person_id),
                            named_count=uow.attendances.named_count(session.id))
            if profile is None:
                raise _ProfileNeeded()
            attendance = named_attendance(new_id(), session, cmd.person_id, profile, now)
        if not uow.attendances.add(attendance):  # the same person, recorded by a concurrent request
            raise attended_already()
        _record_fact(uow, session, attendance)
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
        check_open(session, cmd.resource)
        activity = _activity(uow, cmd.activity_id, cmd.activity_resource)
        check_named_allowed(activity)
        if uow.attendances.attends(session.id, cmd.person_id) or activity.is_full(
                uow.attendances.named_count(session.id)):
            return None
    return _ask_membership(cmd, membership)


def _ask_membership(cmd: commands.RecordAttendance, membership: MembershipDirectory) -> PersonProfile:
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
