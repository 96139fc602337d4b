"""Events use cases: each takes a command and runs in one unit of work."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from brobygger.events.v1 import events_events_pb2 as facts
from brobygger.events.v1 import events_pb2
from services.common import idempotency, outbox, pagination
from services.common.db import UnitOfWork, utcnow
from services.common.errors import AlreadyExists, FieldViolation, InvalidArgument, NotFound
from services.common.names import new_id
from services.events.adapters import repository as repo
from services.events.adapters.membership_client import MembershipDirectory
from services.events.domain.model import (
    Activity, Attendance, HeadCount, PersonProfile, Session, check_can_admit, check_named_allowed,
    head_count_attendance, named_attendance, validate_activity, validate_participant, validate_session,
)

TYPE_ACTIVITY_CREATED = "no.brobygger.events.activity.created.v1"
TYPE_SESSION_SCHEDULED = "no.brobygger.events.session.scheduled.v1"
TYPE_ATTENDANCE_RECORDED = "no.brobygger.events.attendance.recorded.v1"


def _bad_page_token() -> InvalidArgument:
    return InvalidArgument(
        "page_token is not one this method issued; pass next_page_token from the previous response unchanged.",
        reason="INVALID_PAGE_TOKEN",
        violations=[FieldViolation("page_token", "not a token from a previous response of this method")],
    )


def _position(token: str, keys: tuple[str, ...]) -> dict | None:
    """A decoded page token that must hold exactly these string keys."""
    pos = pagination.decode(token)
    if pos is not None and (set(pos) != set(keys) or not all(isinstance(pos[k], str) for k in keys)):
        raise _bad_page_token()
    return pos


@dataclass
class RecordAttendance:
    """Command: record a named person (person_id) or a head count at a session."""

    activity_id: str
    session_id: str
    resource: str
    person_id: str | None = None
    head_count: HeadCount | None = None
    request_id: str = ""

    @property
    def activity_resource(self) -> str:
        return self.resource.rsplit("/sessions/", 1)[0]


@dataclass
class Events:
    engine: Engine
    tables: dict
    org: str
    topic: str
    source: str
    membership: MembershipDirectory
    today: Callable[[], dt.date] = lambda: dt.datetime.now(dt.timezone.utc).date()

    # -- activities ---------------------------------------------------------------------------------------------

    def create_activity(self, activity: Activity, request_id: str,
                        to_proto: Callable[[Activity], events_pb2.Activity]) -> events_pb2.Activity:
        validate_activity(activity)

        def work(conn):
            activity.id, activity.create_time = new_id(), utcnow()
            repo.add_activity(conn, activity)
            outbox.add(conn, self.tables["outbox"], topic=self.topic, key=activity.id, ce_type=TYPE_ACTIVITY_CREATED,
                       source=self.source, message=facts.ActivityCreated(
                           activity_id=activity.id, subgoal=activity.subgoal, theme=activity.theme,
                           funder=activity.funder, anonymous_attendance=activity.anonymous_attendance))
            return to_proto(activity)

        return idempotency.run(self.engine, self.tables["idempotency_keys"], request_id, "CreateActivity",
                               events_pb2.Activity, work)

    def _activity(self, conn: Connection, activity_id: str, resource: str) -> Activity:
        activity = repo.get_activity(conn, activity_id)
        if activity is None:
            raise NotFound(f"There is no activity {resource}; list activities to find the right name.",
                           reason="ACTIVITY_NOT_FOUND")
        return activity

    def get_activity(self, activity_id: str, resource: str) -> Activity:
        with UnitOfWork(self.engine) as uow:
            return self._activity(uow.conn, activity_id, resource)

    def list_activities(self, page_size: int, page_token: str) -> tuple[list[Activity], str]:
        size = pagination.page_size(page_size)
        pos = _position(page_token, ("t", "id"))
        try:
            before = (dt.datetime.fromisoformat(pos["t"]), pos["id"]) if pos else None
        except ValueError:
            raise _bad_page_token() from None
        with UnitOfWork(self.engine) as uow:
            found, nxt = repo.list_activities(uow.conn, size, before)
        return found, (pagination.encode({"t": nxt[0].isoformat(), "id": nxt[1]}) if nxt else "")

    # -- sessions -----------------------------------------------------------------------------------------------

    def create_session(self, session: Session, activity_resource: str, request_id: str,
                       to_proto: Callable[[Session], events_pb2.Session]) -> events_pb2.Session:
        validate_session(session, self.today())

        def work(conn):
            activity = self._activity(conn, session.activity_id, activity_resource)
            session.id, session.create_time = new_id(), utcnow()
            repo.add_session(conn, session)
            outbox.add(conn, self.tables["outbox"], topic=self.topic, key=activity.id, ce_type=TYPE_SESSION_SCHEDULED,
                       source=self.source, message=facts.SessionScheduled(
                           session_id=session.id, activity_id=activity.id, date=session.date,
                           subgoal=activity.subgoal))
            return to_proto(session)

        return idempotency.run(self.engine, self.tables["idempotency_keys"], request_id, "CreateSession",
                               events_pb2.Session, work)

    def list_sessions(self, activity_id: str, activity_resource: str, page_size: int,
                      page_token: str) -> tuple[list[Session], str]:
        size = pagination.page_size(page_size)
        pos = _position(page_token, ("d", "s", "id"))
        with UnitOfWork(self.engine) as uow:
            self._activity(uow.conn, activity_id, activity_resource)
            after = (pos["d"], pos["s"], pos["id"]) if pos else None
            found, nxt = repo.list_sessions(uow.conn, activity_id, size, after)
        return found, (pagination.encode({"d": nxt[0], "s": nxt[1], "id": nxt[2]}) if nxt else "")

    # -- attendance ---------------------------------------------------------------------------------------------

    def _session(self, conn: Connection, cmd: RecordAttendance, *, for_update: bool = False) -> Session:
        session = repo.get_session(conn, cmd.activity_id, cmd.session_id, for_update=for_update)
        if session is None:
            raise NotFound(f"There is no session {cmd.resource}; list the activity's sessions to find the right name.",
                           reason="SESSION_NOT_FOUND")
        return session

    def record_attendance(self, cmd: RecordAttendance,
                          to_proto: Callable[[Attendance], events_pb2.Attendance]) -> events_pb2.Attendance:
        validate_participant(cmd.person_id, cmd.head_count)
        idempotency.check_request_id(cmd.request_id)
        profile: PersonProfile | None = None
        if cmd.person_id is not None:
            profile = self._profile_if_admissible(cmd)

        def work(conn):
            session = self._session(conn, cmd, for_update=True)
            now = utcnow()
            if cmd.person_id is None:
                attendance = head_count_attendance(new_id(), session, cmd.head_count, now)
            else:
                activity = self._activity(conn, cmd.activity_id, cmd.activity_resource)
                check_can_admit(activity, already_attended=repo.has_attended(conn, session.id, cmd.person_id),
                                named_count=repo.named_count(conn, session.id))
                if profile is None:  # cannot happen: admission only narrows, attendances are never removed
                    raise RuntimeError("no person profile although the session admits the person")
                attendance = named_attendance(new_id(), session, cmd.person_id, profile, now)
            try:
                with conn.begin_nested():
                    repo.add_attendance(conn, attendance)
            except IntegrityError:  # the same person, recorded by a concurrent request
                raise AlreadyExists("This person's attendance at this session is already recorded.",
                                    reason="ALREADY_ATTENDED") from None
            outbox.add(conn, self.tables["outbox"], topic=self.topic, key=session.activity_id,
                       ce_type=TYPE_ATTENDANCE_RECORDED, source=self.source, message=facts.AttendanceRecorded(
                           attendance_id=attendance.id, session_id=session.id, activity_id=session.activity_id,
                           date=session.date, person_id=attendance.person_id, gender=attendance.gender,
                           age_band=attendance.age_band, count=attendance.count))
            return to_proto(attendance)

        return idempotency.run(self.engine, self.tables["idempotency_keys"], cmd.request_id, "RecordAttendance",
                               events_pb2.Attendance, work)

    def _profile_if_admissible(self, cmd: RecordAttendance) -> PersonProfile | None:
        """Ask membership about the person, unless the session already rules the person out
        (then the unit of work says why, or returns the answer to an earlier try of the same request).
        No transaction is held open while membership is asked."""
        with UnitOfWork(self.engine) as uow:
            activity = self._activity(uow.conn, cmd.activity_id, cmd.activity_resource)
            session = self._session(uow.conn, cmd)
            check_named_allowed(activity)
            if repo.has_attended(uow.conn, session.id, cmd.person_id) or activity.is_full(
                    repo.named_count(uow.conn, session.id)):
                return None
        profile = self.membership.profile(cmd.person_id)
        if profile is None:
            raise NotFound(
                "attendance.person names no person at this node; register the person in membership first, "
                "or record a head count.",
                reason="PERSON_NOT_FOUND",
                violations=[FieldViolation("attendance.person", "no such person in this organisation's membership")],
            )
        return profile
