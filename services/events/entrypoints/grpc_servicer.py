"""proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations

from typing import Callable

from brobygger.events.v1 import events_pb2, events_pb2_grpc
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION, PERSON, NamePattern
from services.common.timestamps import timestamp
from services.events.adapters.membership_client import MembershipDirectory
from services.events.domain.model import Activity, Attendance, HeadCount, Session
from services.events.service_layer import commands, handlers
from services.events.service_layer.unit_of_work import EventsUnitOfWork

ACTIVITY = NamePattern("organizations/{org}/activities/{activity}")
SESSION = NamePattern("organizations/{org}/activities/{activity}/sessions/{session}")
ATTENDANCE = NamePattern("organizations/{org}/activities/{activity}/sessions/{session}/attendances/{attendance}")

# Volunteers take attendance and look activities up; creating them is for coordinators.
_VOLUNTEERS_TOO = Access(roles=frozenset({"coordinator", "volunteer", "node-service"}))
POLICY = {
    "ListActivities": _VOLUNTEERS_TOO,
    "GetActivity": _VOLUNTEERS_TOO,
    "ListSessions": _VOLUNTEERS_TOO,
    "RecordAttendance": _VOLUNTEERS_TOO,
}


def activity_from_proto(a: events_pb2.Activity) -> Activity:
    return Activity(
        id="", title=a.title.strip(), description=a.description.strip(), theme=a.theme.strip(), subgoal=a.subgoal,
        target_group=a.target_group.strip(), funder=a.funder.strip(), chapter=a.chapter.strip(),
        capacity=a.capacity, anonymous_attendance=a.anonymous_attendance,
    )


class EventsServicer(events_pb2_grpc.EventsServiceServicer):
    def __init__(self, uow: Callable[[], EventsUnitOfWork], org: str, membership: MembershipDirectory) -> None:
        self.uow = uow
        self.org = org
        self.membership = membership

    def _activity_proto(self, a: Activity) -> events_pb2.Activity:
        return events_pb2.Activity(
            name=ACTIVITY.format(org=self.org, activity=a.id), title=a.title, description=a.description,
            theme=a.theme, subgoal=a.subgoal, target_group=a.target_group, funder=a.funder, chapter=a.chapter,
            capacity=a.capacity, anonymous_attendance=a.anonymous_attendance, create_time=timestamp(a.create_time),
        )

    def _session_proto(self, s: Session) -> events_pb2.Session:
        return events_pb2.Session(
            name=SESSION.format(org=self.org, activity=s.activity_id, session=s.id), date=s.date,
            start_time=s.start_time, duration_minutes=s.duration_minutes, location=s.location,
            create_time=timestamp(s.create_time),
        )

    def _attendance_proto(self, a: Attendance) -> events_pb2.Attendance:
        name = ATTENDANCE.format(org=self.org, activity=a.activity_id, session=a.session_id, attendance=a.id)
        if a.is_named:
            return events_pb2.Attendance(name=name, person=PERSON.format(org=self.org, person=a.person_id),
                                         create_time=timestamp(a.create_time))
        return events_pb2.Attendance(
            name=name, head_count=events_pb2.HeadCount(gender=a.gender, age_band=a.age_band, count=a.count),
            create_time=timestamp(a.create_time))

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
        s = request.session
        session = Session(id="", activity_id=ids["activity"], date=s.date.strip(), start_time=s.start_time.strip(),
                          duration_minutes=s.duration_minutes, location=s.location.strip())
        cmd = commands.CreateSession(session, request.parent, current_principal(), request.request_id)
        return self._session_proto(handlers.create_session(cmd, self.uow()))

    def ListSessions(self, request, context):
        ids = ACTIVITY.parse(request.parent, "parent", org=self.org)
        cmd = commands.ListSessions(ids["activity"], request.parent, request.page_size, request.page_token)
        found, token = handlers.list_sessions(cmd, self.uow())
        return events_pb2.ListSessionsResponse(sessions=[self._session_proto(s) for s in found], next_page_token=token)

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
