"""proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from google.protobuf.timestamp_pb2 import Timestamp

from brobygger.events.v1 import events_pb2, events_pb2_grpc
from services.common.audit_servicer import AUDIT_LOG_POLICY, AuditLogServicer
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION, PERSON, NamePattern
from services.common.timestamps import timestamp
from services.events.adapters.membership_client import MembershipDirectory
from services.events.domain.model import Activity, Attendance, HeadCount, Session, SessionSummary
from services.events.service_layer import commands, handlers
from services.events.service_layer.unit_of_work import EventsUnitOfWork

ACTIVITY = NamePattern("organizations/{org}/activities/{activity}")
SESSION = NamePattern("organizations/{org}/activities/{activity}/sessions/{session}")
ATTENDANCE = NamePattern("organizations/{org}/activities/{activity}/sessions/{session}/attendances/{attendance}")
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
