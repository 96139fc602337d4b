"""The events service's new operations against a real gRPC server, SQLite and PostgreSQL, a real membership
service and real tokens; and their facts through the real broker into a real reporting service, which counts
a withdrawal once, also when it is delivered twice. The rules are tested on fakes in tests/service_layer."""
from __future__ import annotations

import dataclasses
import functools
import uuid

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf import field_mask_pb2

from brobygger.events.v1 import events_pb2
from brobygger.type.v1 import types_pb2
from services.common.db import make_engine, migrate
from services.common.facts import Envelope
from services.common.kafka import make_producer
from services.devstack import inprocess
from services.events.adapters.orm import tables
from services.events.bootstrap import MIGRATIONS
from services.events.domain.model import Attendance, Session
from services.events.service_layer.unit_of_work import SqlEventsUnitOfWork
from services.reporting.bootstrap import build as build_reporting
from tests.services.kafka_read import read_topic
from tests.services.test_events import (  # noqa: F401  (fixtures)
    ORG, _id, attend, coord, create_activity, create_session, failure, membership, node, register, stub, volunteer,
)
from tests.support import eventually

WOMEN = dict(gender=types_pb2.GENDER_FEMALE, age_band=types_pb2.AGE_BAND_26_66)


def mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


def roster(stub, md, session: str, **kw) -> list[events_pb2.Attendance]:
    return list(stub.ListAttendances(events_pb2.ListAttendancesRequest(parent=session, purpose="check-in", **kw),
                                     metadata=md, timeout=10).attendances)


def withdraw(stub, md, name: str, request_id: str = "") -> events_pb2.Attendance:
    return stub.WithdrawAttendance(events_pb2.WithdrawAttendanceRequest(name=name, request_id=request_id),
                                   metadata=md, timeout=10)


def summary(stub, md, session: str) -> events_pb2.SessionSummary:
    return stub.GetSessionSummary(events_pb2.GetSessionSummaryRequest(name=f"{session}/summary"), metadata=md,
                                  timeout=10)


def test_check_in_roster_undo_and_head_count_minus(stub, coord, volunteer, register, node):
    mother = register("Amina", 1984, types_pb2.GENDER_FEMALE)
    daughter = register("Sara", 2012, types_pb2.GENDER_FEMALE)
    act = create_activity(stub, coord, capacity=2)
    session = create_session(stub, coord, act.name, date="2026-03-04").name
    a1 = attend(stub, volunteer, session, person=mother)
    attend(stub, volunteer, session, person=daughter)
    attend(stub, volunteer, session, head_count=events_pb2.HeadCount(count=3, **WOMEN))
    attend(stub, volunteer, session, head_count=events_pb2.HeadCount(count=1, **WOMEN))
    assert [a.person or a.head_count.count for a in roster(stub, volunteer, session)] == [mother, daughter, 3, 1]

    undone = withdraw(stub, volunteer, a1.name, request_id=str(uuid.uuid4()))
    assert undone.state == events_pb2.ATTENDANCE_STATE_WITHDRAWN and undone.withdraw_time.seconds > 0
    assert withdraw(stub, volunteer, a1.name) == undone  # a double tap
    assert [a.name for a in roster(stub, volunteer, session)][0] != a1.name
    assert roster(stub, volunteer, session, show_withdrawn=True)[0] == undone
    again = attend(stub, volunteer, session, person=mother)  # recorded again: the unique key binds counted ones
    assert again.name != a1.name
    problem = failure(lambda: attend(stub, volunteer, session, person=mother))
    assert (problem.code, problem.reason) == (grpc.StatusCode.ALREADY_EXISTS, "ALREADY_ATTENDED")

    def minus(request_id=""):
        return stub.DecrementHeadCount(events_pb2.DecrementHeadCountRequest(session=session, request_id=request_id,
                                                                            **WOMEN), metadata=volunteer, timeout=10)

    assert minus().head_count_total == 3  # the newest entry (1) withdrawn
    got = minus(request_id="tap")
    assert minus(request_id="tap") == got  # the same tap retried takes one off once
    assert ([(h.gender, h.age_band, h.count) for h in got.head_counts], got.named_count, got.capacity) == (
        [(types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_26_66, 2)], 2, 2)
    assert summary(stub, volunteer, session) == got
    minus(), minus()
    problem = failure(minus)
    assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "HEAD_COUNT_ZERO")

    # The roster was read three times: each read is in the events audit log, with who and why.
    audit = stub.ListAuditEntries(events_pb2.ListAuditEntriesRequest(parent=ORG, resource=f"{session}/attendances"),
                                  metadata=coord, timeout=10).audit_entries
    assert {(e.actor, e.action, e.purpose) for e in audit} == {("volunteer-mir", "attendance.list", "check-in")}
    assert len(audit) == 3
    problem = failure(lambda: stub.ListAuditEntries(events_pb2.ListAuditEntriesRequest(parent=ORG),
                                                    metadata=volunteer, timeout=10))
    assert (problem.code, problem.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")
    problem = failure(lambda: stub.ListAttendances(events_pb2.ListAttendancesRequest(parent=session),
                                                   metadata=volunteer, timeout=10))
    assert (problem.code, problem.reason, [f for f, _ in problem.violations]) == (
        grpc.StatusCode.INVALID_ARGUMENT, "PURPOSE_REQUIRED", ["purpose"])


def test_edit_cancel_and_list_every_activitys_sessions(stub, coord, volunteer, node):
    swim, cafe = create_activity(stub, coord), create_activity(stub, coord, title="Language café")
    s1 = create_session(stub, coord, swim.name, date="2026-05-06").name
    s2 = create_session(stub, coord, cafe.name, date="2026-05-06", start_time="12:00").name
    s3 = create_session(stub, coord, cafe.name, date="2026-05-20").name

    updated = stub.UpdateActivity(events_pb2.UpdateActivityRequest(
        activity=events_pb2.Activity(name=cafe.name, title="Språkkafé", subgoal=types_pb2.IMDI_SUBGOAL_QUALIFICATION,
                                     funder="not in the mask"), update_mask=mask("title", "subgoal")),
        metadata=coord, timeout=10)
    assert (updated.title, updated.subgoal, updated.funder) == ("Språkkafé", types_pb2.IMDI_SUBGOAL_QUALIFICATION,
                                                                cafe.funder)
    assert updated.update_time.seconds > 0
    problem = failure(lambda: stub.UpdateActivity(events_pb2.UpdateActivityRequest(
        activity=events_pb2.Activity(name=cafe.name)), metadata=coord, timeout=10))
    assert (problem.reason, [f for f, _ in problem.violations]) == ("UPDATE_MASK_REQUIRED", ["update_mask"])

    moved = stub.UpdateSession(events_pb2.UpdateSessionRequest(
        session=events_pb2.Session(name=s3, date="2026-05-27", location="Furuset"), update_mask=mask("date")),
        metadata=coord, timeout=10)
    assert (moved.date, moved.location) == ("2026-05-27", "Linderud bad")

    attend(stub, volunteer, s1, head_count=events_pb2.HeadCount(count=4, **WOMEN))
    problem = failure(lambda: stub.CancelSession(events_pb2.CancelSessionRequest(name=s1, reason="pool closed"),
                                                 metadata=coord, timeout=10))
    assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "ATTENDANCE_RECORDED")
    cancelled = stub.CancelSession(events_pb2.CancelSessionRequest(name=s2, reason="ill", request_id="c"),
                                   metadata=coord, timeout=10)
    assert (cancelled.state, cancelled.cancel_reason) == (events_pb2.SESSION_STATE_CANCELLED, "ill")
    problem = failure(lambda: attend(stub, volunteer, s2, head_count=events_pb2.HeadCount(count=1, **WOMEN)))
    assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "SESSION_CANCELLED")

    def listed(**kw):
        page = stub.ListSessions(events_pb2.ListSessionsRequest(parent=f"{ORG}/activities/-", **kw),
                                 metadata=volunteer, timeout=10)
        return [(s.name, s.state) for s in page.sessions], page.next_page_token

    mine = {s1, s2, s3}
    everything, _ = listed(start_date="2026-05-06", end_date="2026-05-27", page_size=200)
    # By date, then start time (12:00 before 17:30); the cancelled one listed with its state.
    assert [(n, st) for n, st in everything if n in mine] == [
        (s2, events_pb2.SESSION_STATE_CANCELLED), (s1, events_pb2.SESSION_STATE_SCHEDULED),
        (s3, events_pb2.SESSION_STATE_SCHEDULED)]
    assert s3 not in {n for n, _ in listed(start_date="2026-05-06", end_date="2026-05-20", page_size=200)[0]}
    problem = failure(lambda: listed(start_date="2026-05-21", end_date="2026-05-20"))
    assert [f for f, _ in problem.violations] == ["end_date"]

    # Volunteers take attendance; creating, changing and cancelling is for coordinators.
    for call in (
        lambda: stub.UpdateActivity(events_pb2.UpdateActivityRequest(activity=events_pb2.Activity(name=swim.name),
                                                                     update_mask=mask("title")), metadata=volunteer),
        lambda: stub.UpdateSession(events_pb2.UpdateSessionRequest(session=events_pb2.Session(name=s3),
                                                                   update_mask=mask("date")), metadata=volunteer),
        lambda: stub.CancelSession(events_pb2.CancelSessionRequest(name=s3, reason="x"), metadata=volunteer),
    ):
        problem = failure(call)
        assert (problem.code, problem.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")


# ---------------------------------------------------------------------------- the SQL adapters, without a server


@pytest.fixture
def sql_uow(database_url):
    migrate(database_url, MIGRATIONS)
    engine = make_engine(database_url)
    yield functools.partial(SqlEventsUnitOfWork, engine, tables, "mir")
    engine.dispose()


def test_sql_repositories_list_by_date_withdraw_and_bind_counted_people_once(sql_uow):
    import datetime as dt

    from services.common.vocabulary import AgeBand, Gender, ImdiSubgoal
    from services.events.domain.model import Activity, SessionState

    t0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
    with sql_uow() as uow:
        for aid in ("a0", "a1"):
            uow.activities.add(Activity(id=aid, title=aid, subgoal=ImdiSubgoal.COMMUNITY, create_time=t0))
        for sid, aid, date, start in (("s1", "a0", "2026-03-18", ""), ("s2", "a1", "2026-03-04", "18:00"),
                                      ("s3", "a0", "2026-03-04", "09:00"), ("s4", "a1", "2026-04-01", "")):
            uow.sessions.add(Session(id=sid, activity_id=aid, date=date, start_time=start, create_time=t0))
        uow.commit()
    with sql_uow() as uow:
        first = uow.sessions.page(None, None, 2, end_date="2026-03-31")
        rest = uow.sessions.page(None, first.next_key, 2, end_date="2026-03-31")
        assert [s.id for s in first.items + rest.items] == ["s3", "s2", "s1"] and rest.next_key is None
        assert [s.id for s in uow.sessions.page(None, None, 9, start_date="2026-03-05").items] == ["s1", "s4"]
        assert [s.id for s in uow.sessions.page("a1", None, 9, start_date="2026-03-04", end_date="2026-03-04"
                                                ).items] == ["s2"]
        s1 = uow.sessions.get("s1")
        uow.sessions.update(dataclasses.replace(s1, date="2026-03-25", state=SessionState.CANCELLED,
                                                cancel_reason="closed", update_time=t0))
        uow.activities.update(dataclasses.replace(uow.activities.get("a0"), title="Leksehjelp", update_time=t0))
        uow.commit()
    with sql_uow() as uow:
        assert (uow.sessions.get("s1").cancelled, uow.sessions.get("s1").date) == (True, "2026-03-25")
        assert uow.activities.get("a0").title == "Leksehjelp" and uow.activities.get("a0").update_time == t0

    def attendance(aid, person="", minutes=0, count=1):
        return Attendance(id=aid, session_id="s2", activity_id="a1", person_id=person, gender=Gender.FEMALE,
                          age_band=AgeBand.AGE_26_66, count=count, create_time=t0 + dt.timedelta(minutes=minutes))

    with sql_uow() as uow:
        assert uow.attendances.add(attendance("t1", "p1", 0))
        assert uow.attendances.add(attendance("t2", "", 1, count=5))
        uow.attendances.withdraw(dataclasses.replace(attendance("t1", "p1"), withdraw_time=t0))
        assert uow.attendances.add(attendance("t3", "p1", 2))  # p1 again: the withdrawn one does not bind
        assert not uow.attendances.add(attendance("t4", "p1", 3))  # but the counted one does
        uow.commit()
    with sql_uow() as uow:
        assert [a.id for a in uow.attendances.counted("s2")] == ["t2", "t3"]
        assert uow.attendances.named_count("s2") == 1 and uow.attendances.attends("s2", "p1")
        assert uow.attendances.get("t1").withdrawn and uow.attendances.get("t1").withdraw_time == t0
        page = uow.attendances.page("s2", None, 2, show_withdrawn=True)
        assert [a.id for a in page.items] == ["t1", "t2"] and page.next_key is not None
        assert [a.id for a in uow.attendances.page("s2", page.next_key, 2, show_withdrawn=True).items] == ["t3"]
        assert [a.id for a in uow.attendances.page("s2", None, 9).items] == ["t2", "t3"]


# ---------------------------------------------------------------------------- facts through the broker


def test_reporting_counts_a_withdrawal_once_also_when_it_is_delivered_twice(stub, coord, volunteer, register,
                                                                           node, broker, issuer, tmp_path):
    """The events relay publishes the facts; the node's reporting consumes them. A withdrawal redelivered (the
    same ce_id) and re-sent (a new ce_id) still takes the attendance off the figures once."""
    env = inprocess.node_env("mir", database_url=f"sqlite:///{tmp_path}/reporting.db", kafka=broker.bootstrap,
                             issuer=issuer.url)
    with inprocess.running("reporting", build_reporting, env) as reporting:
        mother = register("Amina", 1984, types_pb2.GENDER_FEMALE)
        act = create_activity(stub, coord)
        session = create_session(stub, coord, act.name, date="2026-06-03").name
        cancelled = create_session(stub, coord, act.name, date="2026-06-10").name
        named = attend(stub, volunteer, session, person=mother)
        heads = attend(stub, volunteer, session, head_count=events_pb2.HeadCount(count=6, **WOMEN))
        withdraw(stub, volunteer, heads.name)
        stub.CancelSession(events_pb2.CancelSessionRequest(name=cancelled, reason="pool closed"), metadata=coord,
                           timeout=10)
        act_id = _id(act.name)
        t = reporting.app.tables

        def rows(table: str):
            with reporting.app.engine.connect() as conn:
                return conn.execute(sa.select(t[table]).where(t[table].c.activity_id == act_id)).all()

        def figures():
            with reporting.app.engine.connect() as conn:  # exact, before disclosure control: only our activity
                mine = sa.select(t["fact_attendances"]).where(t["fact_attendances"].c.activity_id == act_id)
                counted = [r for r in conn.execute(mine).all() if not r.withdrawn]
            return sum(1 if r.person_id else r.count for r in counted), len(counted)

        eventually(lambda: len(rows("fact_sessions")) == 2 and any(r.cancelled for r in rows("fact_sessions"))
                   and any(r.withdrawn for r in rows("fact_attendances")), timeout=60, what="the facts in reporting")
        assert figures() == (1, 1)
        assert {(r.session_id, r.cancelled) for r in rows("fact_sessions")} == {(_id(session), False),
                                                                                (_id(cancelled), True)}

        # The withdrawal as the relay published it, delivered again, and re-sent under a new id.
        records = read_topic(broker.bootstrap, "mir.events", until=lambda recs: any(
            r.key == act_id.encode() and dict(r.headers).get("ce_type") == b"no.brobygger.events.attendance_withdrawn.v1"
            for r in recs))
        [record] = [r for r in records if r.key == act_id.encode() and dict(r.headers).get("ce_type") ==
                    b"no.brobygger.events.attendance_withdrawn.v1"]
        original = Envelope.from_record(record.key, record.value, record.headers)
        resent = dataclasses.replace(original, id=uuid.uuid4().hex)
        consumer = reporting.app.workers["consume"][0]
        duplicates = consumer.duplicates
        producer = make_producer(broker.bootstrap, client_id="test-redelivery")
        try:
            for env_ in (original, resent):
                key, value, headers = env_.to_record()
                producer.send("mir.events", key=key, value=value, headers=headers).get(timeout=30)
        finally:
            producer.close(timeout=5)
        processed = t["processed_facts"]

        def resent_applied():
            with reporting.app.engine.connect() as conn:
                return conn.execute(sa.select(processed).where(processed.c.fact_id == resent.id)).first()

        eventually(lambda: consumer.duplicates > duplicates and resent_applied(), timeout=60,
                   what="the withdrawal delivered twice")
        assert figures() == (1, 1)
        assert [r.person_id for r in rows("fact_attendances") if not r.withdrawn] == [_id(named.person)]
