"""proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Callable

from google.protobuf.timestamp_pb2 import Timestamp

from brobygger.events.v1 import events_pb2, events_pb2_grpc
from services.common.audit_servicer import AUDIT_LOG_POLICY, AuditLogServicer
from services.common.errors import FieldViolation, InvalidArgument
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION, PERSON, NamePattern
from services.common.timestamps import timestamp
from services.events.adapters.membership_client import MembershipDirectory
from services.events.domain.model import Activity, Attendance, HeadCount, Session, SessionSummary
from services.events.adapters.repository import HoursFilter
from services.events.domain.hours import HoursEntry
from services.events.service_layer import commands, handlers, hours
from services.events.service_layer.unit_of_work import EventsUnitOfWork

ACTIVITY = NamePattern("organizations/{org}/activities/{activity}")
SESSION = NamePattern("organizations/{org}/activities/{activity}/sessions/{session}")
ATTENDANCE = NamePattern("organizations/{org}/activities/{activity}/sessions/{session}/attendances/{attendance}")
HOURS_ENTRY = NamePattern("organizations/{org}/activities/{activity}/hoursEntries/{entry}")
SUMMARY = NamePattern("organizations/{org}/activities/{activity}/sessions/{session}/summary")
# AIP-159: the sessions of every activity of the organisation.
EVERY_ACTIVITY = "organizations/{org}/activities/-"

# Volunteers look activities and sessions up, read a session's roster and totals, take attendance and undo
# a wrong tap; creating, updating and cancelling activities and sessions, and the audit log, are for
# coordinators (the default access: coordinator or this node's services).
_VOLUNTEERS_TOO = Access(roles=frozenset({"coordinator", "volunteer", "node-service"}))
POLICY = {
    "ListActivities": _VOLUNTEERS_TOO,
    "GetActivity": _VOLUNTEERS_TOO,
    "ListSessions": _VOLUNTEERS_TOO,
    "GetSession": _VOLUNTEERS_TOO,
    "GetSessionSummary": _VOLUNTEERS_TOO,
    "ListAttendances": _VOLUNTEERS_TOO,
    "RecordAttendance": _VOLUNTEERS_TOO,
    "WithdrawAttendance": _VOLUNTEERS_TOO,
    "DecrementHeadCount": _VOLUNTEERS_TOO,
    **AUDIT_LOG_POLICY,
}


def activity_from_proto(a: events_pb2.Activity) -> Activity:
    return Activity(
        id="", title=a.title.strip(), description=a.description.strip(), theme=a.theme.strip(), subgoal=a.subgoal,
        target_group=a.target_group.strip(), funder=a.funder.strip(), chapter=a.chapter.strip(),
        capacity=a.capacity, anonymous_attendance=a.anonymous_attendance,
    )


def _times(**values: dt.datetime | None) -> dict[str, Timestamp]:
    """The timestamps that are set (an unset one is left out of the message, not sent as 1970)."""
    return {k: timestamp(v) for k, v in values.items() if v is not None}


def session_from_proto(s: events_pb2.Session, activity_id: str) -> Session:
    return Session(id="", activity_id=activity_id, date=s.date.strip(), start_time=s.start_time.strip(),
                   duration_minutes=s.duration_minutes, location=s.location.strip())


class EventsServicer(AuditLogServicer, events_pb2_grpc.EventsServiceServicer):
    list_audit_entries_response = events_pb2.ListAuditEntriesResponse

    def __init__(self, uow: Callable[[], EventsUnitOfWork], org: str, membership: MembershipDirectory) -> None:
        self.uow = uow
        self.org = org
        self.membership = membership

    def _activity_proto(self, a: Activity) -> events_pb2.Activity:
        return events_pb2.Activity(
            name=ACTIVITY.format(org=self.org, activity=a.id), title=a.title, description=a.description,
            theme=a.theme, subgoal=a.subgoal, target_group=a.target_group, funder=a.funder, chapter=a.chapter,
            capacity=a.capacity, anonymous_attendance=a.anonymous_attendance, create_time=timestamp(a.create_time),
            **_times(update_time=a.update_time),
        )

    def _session_proto(self, s: Session) -> events_pb2.Session:
        return events_pb2.Session(
            name=SESSION.format(org=self.org, activity=s.activity_id, session=s.id), date=s.date,
            start_time=s.start_time, duration_minutes=s.duration_minutes, location=s.location,
            create_time=timestamp(s.create_time), state=s.state, cancel_reason=s.cancel_reason,
            **_times(update_time=s.update_time),
        )

    def _summary_proto(self, m: SessionSummary) -> events_pb2.SessionSummary:
        s = m.session
        return events_pb2.SessionSummary(
            name=SUMMARY.format(org=self.org, activity=s.activity_id, session=s.id), state=s.state,
            named_count=m.named_count, capacity=m.capacity, head_count_total=m.head_count_total,
            head_counts=[events_pb2.HeadCount(gender=h.gender, age_band=h.age_band, count=h.count)
                         for h in m.head_counts])

    def _attendance_proto(self, a: Attendance) -> events_pb2.Attendance:
        name = ATTENDANCE.format(org=self.org, activity=a.activity_id, session=a.session_id, attendance=a.id)
        common = dict(name=name, create_time=timestamp(a.create_time), state=a.state,
                      **_times(withdraw_time=a.withdraw_time))
        if a.is_named:
            return events_pb2.Attendance(person=PERSON.format(org=self.org, person=a.person_id), **common)
        return events_pb2.Attendance(
            head_count=events_pb2.HeadCount(gender=a.gender, age_band=a.age_band, count=a.count), **common)

    def CreateActivity(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = commands.CreateActivity(activity_from_proto(request.activity), current_principal(), request.request_id)
        return self._activity_proto(handlers.create_activity(cmd, self.uow()))

    def GetActivity(self, request, context):
        ids = ACTIVITY.parse(request.name, "name", org=self.org)
        return self._activity_proto(handlers.get_activity(commands.GetActivity(ids["activity"], request.name),
                                                          self.uow()))

    def ListActivities(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = commands.ListActivities(request.page_size, request.page_token)
        found, token = handlers.list_activities(cmd, self.uow())
        return events_pb2.ListActivitiesResponse(activities=[self._activity_proto(a) for a in found],
                                                 next_page_token=token)

    def CreateSession(self, request, context):
        ids = ACTIVITY.parse(request.parent, "parent", org=self.org)
        session = session_from_proto(request.session, ids["activity"])
        cmd = commands.CreateSession(session, request.parent, current_principal(), request.request_id)
        return self._session_proto(handlers.create_session(cmd, self.uow()))

    def ListSessions(self, request, context):
        if request.parent == EVERY_ACTIVITY.format(org=self.org):
            activity_id = None
        else:
            activity_id = ACTIVITY.parse(request.parent, "parent", org=self.org)["activity"]
        cmd = commands.ListSessions(activity_id, request.parent, request.page_size, request.page_token,
                                    request.start_date, request.end_date)
        found, token = handlers.list_sessions(cmd, self.uow())
        return events_pb2.ListSessionsResponse(sessions=[self._session_proto(s) for s in found], next_page_token=token)

    def GetSession(self, request, context):
        ids = SESSION.parse(request.name, "name", org=self.org)
        cmd = commands.GetSession(ids["activity"], ids["session"], request.name)
        return self._session_proto(handlers.get_session(cmd, self.uow()))

    def UpdateActivity(self, request, context):
        ids = ACTIVITY.parse(request.activity.name, "activity.name", org=self.org)
        cmd = commands.UpdateActivity(ids["activity"], request.activity.name, activity_from_proto(request.activity),
                                      tuple(request.update_mask.paths), current_principal(), request.request_id)
        return self._activity_proto(handlers.update_activity(cmd, self.uow()))

    def UpdateSession(self, request, context):
        ids = SESSION.parse(request.session.name, "session.name", org=self.org)
        cmd = commands.UpdateSession(ids["activity"], ids["session"], request.session.name,
                                     session_from_proto(request.session, ids["activity"]),
                                     tuple(request.update_mask.paths), current_principal(), request.request_id)
        return self._session_proto(handlers.update_session(cmd, self.uow()))

    def CancelSession(self, request, context):
        ids = SESSION.parse(request.name, "name", org=self.org)
        cmd = commands.CancelSession(ids["activity"], ids["session"], request.name, request.reason,
                                     current_principal(), request.request_id)
        return self._session_proto(handlers.cancel_session(cmd, self.uow()))

    def ListAttendances(self, request, context):
        ids = SESSION.parse(request.parent, "parent", org=self.org)
        cmd = commands.ListAttendances(ids["activity"], ids["session"], request.parent, request.purpose,
                                       request.show_withdrawn, request.page_size, request.page_token,
                                       current_principal())
        found, token = handlers.list_attendances(cmd, self.uow())
        return events_pb2.ListAttendancesResponse(attendances=[self._attendance_proto(a) for a in found],
                                                  next_page_token=token)

    def WithdrawAttendance(self, request, context):
        ids = ATTENDANCE.parse(request.name, "name", org=self.org)
        cmd = commands.WithdrawAttendance(ids["activity"], ids["session"], ids["attendance"], request.name,
                                          current_principal(), request.request_id)
        return self._attendance_proto(handlers.withdraw_attendance(cmd, self.uow()))

    def DecrementHeadCount(self, request, context):
        ids = SESSION.parse(request.session, "session", org=self.org)
        cmd = commands.DecrementHeadCount(ids["activity"], ids["session"], request.session, request.gender,
                                          request.age_band, current_principal(), request.request_id)
        return self._summary_proto(handlers.decrement_head_count(cmd, self.uow()))

    def GetSessionSummary(self, request, context):
        ids = SUMMARY.parse(request.name, "name", org=self.org)
        session_name = request.name.removesuffix("/summary")
        cmd = commands.GetSessionSummary(ids["activity"], ids["session"], session_name)
        return self._summary_proto(handlers.get_session_summary(cmd, self.uow()))

    def RecordAttendance(self, request, context):
        ids = SESSION.parse(request.parent, "parent", org=self.org)
        a = request.attendance
        which = a.WhichOneof("participant")
        person_id = PERSON.parse(a.person, "attendance.person", org=self.org)["person"] if which == "person" else None
        head = (HeadCount(gender=a.head_count.gender, age_band=a.head_count.age_band, count=a.head_count.count)
                if which == "head_count" else None)
        cmd = commands.RecordAttendance(ids["activity"], ids["session"], request.parent, person_id, head,
                                        current_principal(), request.request_id)
        return self._attendance_proto(handlers.record_attendance(cmd, self.uow(), self.membership))

    # ------------------------------------------------------------------ volunteer hours (coordinators only)

    def _hours_proto(self, e: HoursEntry) -> events_pb2.HoursEntry:
        session = SESSION.format(org=self.org, activity=e.activity_id, session=e.session_id) if e.session_id else ""
        return events_pb2.HoursEntry(
            name=HOURS_ENTRY.format(org=self.org, activity=e.activity_id, entry=e.id),
            person=PERSON.format(org=self.org, person=e.person_id), session=session, date=e.date,
            duration_minutes=e.minutes, task=e.task, logged_by=e.logged_by, state=e.state,
            create_time=timestamp(e.create_time), **_times(update_time=e.update_time, withdraw_time=e.withdraw_time))

    @staticmethod
    def _hours_patch(h: events_pb2.HoursEntry) -> HoursEntry:
        return HoursEntry(id="", activity_id="", person_id="", date=h.date.strip(), minutes=h.duration_minutes,
                          task=h.task.strip())

    def LogVolunteerHours(self, request, context):
        ids = ACTIVITY.parse(request.parent, "parent", org=self.org)
        h = request.hours_entry
        person_id = PERSON.parse(h.person, "hours_entry.person", org=self.org)["person"] if h.person.strip() else ""
        session_id = ""
        if h.session.strip():
            sids = SESSION.parse(h.session.strip(), "hours_entry.session", org=self.org)
            if sids["activity"] != ids["activity"]:
                raise InvalidArgument("hours_entry.session must be a session of the activity in parent.",
                                      reason="SESSION_OF_ANOTHER_ACTIVITY",
                                      violations=[FieldViolation("hours_entry.session",
                                                                 "a session of the activity in parent")])
            session_id = sids["session"]
        entry = HoursEntry(id="", activity_id=ids["activity"], person_id=person_id, date=h.date.strip(),
                           minutes=h.duration_minutes, session_id=session_id, task=h.task.strip())
        cmd = hours.LogVolunteerHours(entry, request.parent, h.session.strip(), current_principal(),
                                      request.request_id)
        return self._hours_proto(hours.log_volunteer_hours(cmd, self.uow(), self.membership))

    def GetHoursEntry(self, request, context):
        ids = HOURS_ENTRY.parse(request.name, "name", org=self.org)
        cmd = hours.GetHoursEntry(ids["activity"], ids["entry"], request.name, request.purpose, current_principal())
        return self._hours_proto(hours.get_hours_entry(cmd, self.uow()))

    def ListHoursEntries(self, request, context):
        if request.parent == EVERY_ACTIVITY.format(org=self.org):
            where = HoursFilter()
        elif "/sessions/" in request.parent:
            ids = SESSION.parse(request.parent, "parent", org=self.org)
            where = HoursFilter(activity_id=ids["activity"], session_id=ids["session"])
        else:
            where = HoursFilter(activity_id=ACTIVITY.parse(request.parent, "parent", org=self.org)["activity"])
        person = request.person.strip()
        if person:
            where = dataclasses.replace(where, person_id=PERSON.parse(person, "person", org=self.org)["person"])
        where = dataclasses.replace(where, show_withdrawn=request.show_withdrawn)
        cmd = hours.ListHoursEntries(where, request.parent, request.purpose, request.page_size, request.page_token,
                                     person, current_principal())
        found, token, total = hours.list_hours_entries(cmd, self.uow())
        return events_pb2.ListHoursEntriesResponse(hours_entries=[self._hours_proto(e) for e in found],
                                                   next_page_token=token, total_minutes=total)

    def UpdateHoursEntry(self, request, context):
        ids = HOURS_ENTRY.parse(request.hours_entry.name, "hours_entry.name", org=self.org)
        cmd = hours.UpdateHoursEntry(ids["activity"], ids["entry"], request.hours_entry.name,
                                     self._hours_patch(request.hours_entry), tuple(request.update_mask.paths),
                                     current_principal(), request.request_id)
        return self._hours_proto(hours.update_hours_entry(cmd, self.uow()))

    def WithdrawHoursEntry(self, request, context):
        ids = HOURS_ENTRY.parse(request.name, "name", org=self.org)
        cmd = hours.WithdrawHoursEntry(ids["activity"], ids["entry"], request.name, current_principal(),
                                       request.request_id)
        return self._hours_proto(hours.withdraw_hours_entry(cmd, self.uow()))
