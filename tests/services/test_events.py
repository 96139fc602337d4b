"""The events service's adapters and wiring: its SQL repositories on SQLite and
PostgreSQL, a real membership service, real gRPC servers, the real broker and
real signed tokens. The rules of the use cases are tested on fakes in
tests/service_layer/test_events.py."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import threading
import uuid

import grpc
import pytest
import sqlalchemy as sa
from cloudevents.v1.kafka import KafkaMessage, from_binary

from brobygger.events.v1 import events_facts_pb2, events_pb2, events_pb2_grpc
from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.db import make_engine, migrate
from services.common.errors import DomainError
from services.common.grpcclient import decode_error
from services.common.vocabulary import AgeBand, Gender, ImdiSubgoal
from services.devstack import inprocess
from services.events.adapters.orm import tables
from services.events.bootstrap import MIGRATIONS, build
from services.events.domain.model import Activity, Attendance, PersonProfile, Session
from services.events.service_layer import commands, handlers
from services.events.service_layer.unit_of_work import SqlEventsUnitOfWork
from tests.conftest import POSTGRES_URL, bearer
from tests.services.kafka_read import read_topic

ORG = "organizations/mir"


@contextlib.contextmanager
def _membership_database(events_url: str, tmp_path):
    if events_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/membership.db"
    else:
        with inprocess.postgres_database(POSTGRES_URL) as url:
            yield url


@pytest.fixture
def membership(broker, issuer, database_url, tmp_path):
    """The node's real membership service, which events asks about named participants."""
    from services.membership.bootstrap import build as build_membership  # the test drives both; events does not

    with _membership_database(database_url, tmp_path) as url:
        env = inprocess.node_env("mir", database_url=url, kafka=broker.bootstrap, issuer=issuer.url)
        with inprocess.running("membership", build_membership, env, roles=()) as svc:
            yield svc


@pytest.fixture
def node(broker, issuer, database_url, membership):
    env = inprocess.node_env("mir", database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url,
                             BROBYGGER_MEMBERSHIP_ADDRESS=membership.address)
    with inprocess.running("events", build, env) as svc:
        yield svc


@pytest.fixture
def stub(node):
    with grpc.insecure_channel(node.address) as ch:
        yield events_pb2_grpc.EventsServiceStub(ch)


@pytest.fixture
def coord(issuer):
    return bearer(issuer.token("coordinator-mir"))


@pytest.fixture
def volunteer(issuer):
    return bearer(issuer.token("volunteer-mir"))


@pytest.fixture
def register(membership, coord):
    """Registers a person in membership; returns the person's resource name."""
    with grpc.insecure_channel(membership.address) as ch:
        members = membership_pb2_grpc.MembershipServiceStub(ch)

        def _register(given_name: str, birth_year: int, gender: int) -> str:
            return members.RegisterPerson(membership_pb2.RegisterPersonRequest(parent=ORG, person=membership_pb2.Person(
                given_name=given_name, family_name="Hussain", birth_year=birth_year, gender=gender)),
                metadata=coord, timeout=10).name

        yield _register


def activity(**overrides) -> events_pb2.Activity:
    fields = dict(title="Swimming for mothers and children", theme="swimming",
                  subgoal=types_pb2.IMDI_SUBGOAL_COMMUNITY, target_group="mothers and children",
                  funder="Gjensidigestiftelsen", chapter="linderud")
    fields.update(overrides)
    return events_pb2.Activity(**fields)


def create_activity(stub, md, request_id="", **overrides) -> events_pb2.Activity:
    return stub.CreateActivity(events_pb2.CreateActivityRequest(parent=ORG, activity=activity(**overrides),
                                                                request_id=request_id), metadata=md, timeout=10)


def create_session(stub, md, parent, date="2026-03-04", **overrides) -> events_pb2.Session:
    fields = dict(date=date, start_time="17:30", duration_minutes=90, location="Linderud bad")
    fields.update(overrides)
    return stub.CreateSession(events_pb2.CreateSessionRequest(parent=parent, session=events_pb2.Session(**fields)),
                              metadata=md, timeout=10)


def attend(stub, md, session, person="", head_count=None, request_id="") -> events_pb2.Attendance:
    if head_count is not None:
        att = events_pb2.Attendance(head_count=head_count)
    else:
        att = events_pb2.Attendance(person=person)
    return stub.RecordAttendance(events_pb2.RecordAttendanceRequest(parent=session, attendance=att,
                                                                    request_id=request_id), metadata=md, timeout=10)


def failure(call) -> "object":
    with pytest.raises(grpc.RpcError) as err:
        call()
    return decode_error(err.value)


def _id(name: str) -> str:
    return name.rsplit("/", 1)[1]


def test_activities_and_sessions_round_trip_and_paginate(stub, coord):
    titles = ["Homework help", "Yoga and zumba for women", "Language café"]
    made = [create_activity(stub, coord, title=t, capacity=20) for t in titles]
    assert made[0].name.startswith(f"{ORG}/activities/") and made[0].create_time.seconds > 0
    got = stub.GetActivity(events_pb2.GetActivityRequest(name=made[1].name), metadata=coord)
    assert (got.title, got.subgoal, got.chapter, got.capacity) == (
        "Yoga and zumba for women", types_pb2.IMDI_SUBGOAL_COMMUNITY, "linderud", 20)

    seen, token = [], ""
    while True:
        page = stub.ListActivities(events_pb2.ListActivitiesRequest(parent=ORG, page_size=2, page_token=token),
                                   metadata=coord)
        assert len(page.activities) <= 2
        seen += [a.name for a in page.activities]
        token = page.next_page_token
        if not token:
            break
    assert seen == [a.name for a in reversed(made)]

    parent = made[0].name
    for date in ("2026-03-18", "2026-03-04", "2026-04-01"):
        created = create_session(stub, coord, parent, date=date)
        assert created.name.startswith(f"{parent}/sessions/")
    first = stub.ListSessions(events_pb2.ListSessionsRequest(parent=parent, page_size=2), metadata=coord)
    rest = stub.ListSessions(events_pb2.ListSessionsRequest(parent=parent, page_size=2,
                                                            page_token=first.next_page_token), metadata=coord)
    dates = [s.date for s in first.sessions] + [s.date for s in rest.sessions]
    assert dates == ["2026-03-04", "2026-03-18", "2026-04-01"]
    assert rest.next_page_token == ""
    assert stub.ListSessions(events_pb2.ListSessionsRequest(parent=made[1].name), metadata=coord).sessions == []

    # A token of one list is no token of another.
    problem = failure(lambda: stub.ListActivities(events_pb2.ListActivitiesRequest(
        parent=ORG, page_token=first.next_page_token), metadata=coord))
    assert (problem.code, problem.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN")
    problem = failure(lambda: stub.GetActivity(events_pb2.GetActivityRequest(name=f"{ORG}/activities/nosuch"),
                                               metadata=coord))
    assert (problem.code, problem.reason) == (grpc.StatusCode.NOT_FOUND, "ACTIVITY_NOT_FOUND")


def test_attendance_facts_carry_gender_and_age_band_but_no_names(stub, coord, volunteer, register, broker):
    mother = register("Amina", 1984, types_pb2.GENDER_FEMALE)       # 42 in 2026
    daughter = register("Sara", 2012, types_pb2.GENDER_FEMALE)      # 14 in 2026
    act = create_activity(stub, coord, capacity=30)
    session = create_session(stub, coord, act.name, date="2026-03-04").name
    a1 = attend(stub, volunteer, session, person=mother)
    assert a1.name.startswith(f"{session}/attendances/") and a1.person == mother
    attend(stub, volunteer, session, person=daughter)
    problem = failure(lambda: attend(stub, volunteer, session, person=mother))
    assert (problem.code, problem.reason) == (grpc.StatusCode.ALREADY_EXISTS, "ALREADY_ATTENDED")
    heads = attend(stub, volunteer, session, head_count=events_pb2.HeadCount(
        gender=types_pb2.GENDER_FEMALE, age_band=types_pb2.AGE_BAND_26_66, count=12))
    assert heads.WhichOneof("participant") == "head_count" and heads.head_count.count == 12

    act_id, session_id = _id(act.name), _id(session)
    ours = lambda recs: [r for r in recs if r.key == act_id.encode()]  # noqa: E731
    done = lambda recs: len(ours(recs)) >= 5  # noqa: E731
    records = ours(read_topic(broker.bootstrap, "mir.events", until=done))
    # The payload is protobuf (content-type application/protobuf), so the SDK must not parse it as JSON.
    events = [from_binary(KafkaMessage(headers=dict(r.headers), key=r.key, value=r.value),
                          data_unmarshaller=lambda data: data) for r in records]
    assert [e["type"] for e in events] == [
        "no.brobygger.events.activity_created.v1", "no.brobygger.events.session_scheduled.v1"
    ] + ["no.brobygger.events.attendance_recorded.v1"] * 3  # the refused second try emitted nothing
    assert all(e["source"] == "/organizations/mir/events" and e["specversion"] == "1.0" for e in events)
    created = events_facts_pb2.ActivityCreated.FromString(events[0].get_data())
    assert (created.activity_id, created.subgoal, created.funder) == (act_id, types_pb2.IMDI_SUBGOAL_COMMUNITY,
                                                                      "Gjensidigestiftelsen")
    scheduled = events_facts_pb2.SessionScheduled.FromString(events[1].get_data())
    assert (scheduled.session_id, scheduled.activity_id, scheduled.date) == (session_id, act_id, "2026-03-04")
    recorded = [events_facts_pb2.AttendanceRecorded.FromString(e.get_data()) for e in events[2:]]
    assert [(r.person_id, r.gender, r.age_band, r.count) for r in recorded] == [
        (_id(mother), types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_26_66, 1),
        (_id(daughter), types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_13_19, 1),
        ("", types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_26_66, 12),
    ]
    assert all((r.session_id, r.activity_id, r.date) == (session_id, act_id, "2026-03-04") for r in recorded)
    assert [r.key for r in records[2:]] == [act_id.encode()] * 3
    for rec in records:
        for secret in (b"Amina", b"Sara", b"Hussain"):
            assert secret not in rec.value and all(secret not in v for _, v in rec.headers)


def test_membership_audits_the_volunteer_who_records_attendance(stub, coord, volunteer, register, membership):
    mother = register("Amina", 1984, types_pb2.GENDER_FEMALE)
    daughter = register("Sara", 2012, types_pb2.GENDER_FEMALE)
    session = create_session(stub, coord, create_activity(stub, coord).name).name
    attend(stub, volunteer, session, person=mother)
    attend(stub, coord, session, person=daughter)
    audit = membership.app.tables["audit_log"]
    with membership.app.engine.connect() as conn:
        lines = conn.execute(sa.select(audit).where(audit.c.action == "person.profile.read")
                             .order_by(audit.c.id)).all()
    # events asks with the node's service token, on behalf of whoever recorded the attendance
    assert [(r.actor, r.actor_client, r.resource, r.purpose) for r in lines] == [
        ("volunteer-mir", "service-account-node-mir on behalf of volunteer-mir", mother, "statistics"),
        ("coordinator-mir", "service-account-node-mir on behalf of coordinator-mir", daughter, "statistics")]


def test_a_person_membership_does_not_know_is_not_found(stub, coord, volunteer):
    session = create_session(stub, coord, create_activity(stub, coord).name).name
    problem = failure(lambda: attend(stub, volunteer, session, person=f"{ORG}/persons/nobodyhere"))
    assert (problem.code, problem.reason) == (grpc.StatusCode.NOT_FOUND, "PERSON_NOT_FOUND")
    assert [f for f, _ in problem.violations] == ["attendance.person"]


def test_membership_down_is_unavailable_and_records_nothing(stub, coord, volunteer, register, membership, node):
    person = register("Amina", 1984, types_pb2.GENDER_FEMALE)
    session = create_session(stub, coord, create_activity(stub, coord).name).name
    membership.host.stop(0)
    problem = failure(lambda: attend(stub, volunteer, session, person=person))
    assert (problem.code, problem.reason) == (grpc.StatusCode.UNAVAILABLE, "MEMBERSHIP_UNAVAILABLE")
    assert "retry" in problem.message.lower()
    # Head counts need no membership.
    attend(stub, volunteer, session, head_count=events_pb2.HeadCount(
        gender=types_pb2.GENDER_MALE, age_band=types_pb2.AGE_BAND_0_12, count=3))
    attendances = node.app.tables["attendances"]
    with node.app.engine.connect() as conn:
        assert conn.execute(sa.select(attendances.c.person_id)).scalars().all() == [None]


def test_invalid_input_and_names_are_refused_field_by_field(stub, coord, volunteer):
    problem = failure(lambda: create_activity(stub, coord, title=" ", subgoal=types_pb2.IMDI_SUBGOAL_UNSPECIFIED,
                                              capacity=-1))
    assert (problem.code, problem.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS")
    assert {f for f, _ in problem.violations} == {"activity.title", "activity.subgoal", "activity.capacity"}

    act = create_activity(stub, coord)
    session = create_session(stub, coord, act.name).name
    problem = failure(lambda: attend(stub, volunteer, session, person="Amina Hussain"))
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in problem.violations] == ["attendance.person"]
    problem = failure(lambda: attend(stub, volunteer, act.name, person=f"{ORG}/persons/x"))
    assert [f for f, _ in problem.violations] == ["parent"]


def test_volunteers_take_attendance_but_do_not_plan(stub, coord, volunteer, register):
    act = create_activity(stub, coord)
    session = create_session(stub, coord, act.name).name
    assert stub.GetActivity(events_pb2.GetActivityRequest(name=act.name), metadata=volunteer).name == act.name
    assert stub.ListActivities(events_pb2.ListActivitiesRequest(parent=ORG), metadata=volunteer).activities
    assert stub.ListSessions(events_pb2.ListSessionsRequest(parent=act.name), metadata=volunteer).sessions
    attend(stub, volunteer, session, person=register("Amina", 1984, types_pb2.GENDER_FEMALE))
    for call in (lambda: create_activity(stub, volunteer), lambda: create_session(stub, volunteer, act.name)):
        problem = failure(call)
        assert (problem.code, problem.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")


def test_other_organisations_are_refused_on_every_method(stub, coord, issuer):
    act = create_activity(stub, coord)
    session = create_session(stub, coord, act.name).name
    md = bearer(issuer.token("coordinator-mira"))
    calls = [
        lambda: create_activity(stub, md),
        lambda: stub.GetActivity(events_pb2.GetActivityRequest(name=act.name), metadata=md),
        lambda: stub.ListActivities(events_pb2.ListActivitiesRequest(parent=ORG), metadata=md),
        lambda: create_session(stub, md, act.name),
        lambda: stub.ListSessions(events_pb2.ListSessionsRequest(parent=act.name), metadata=md),
        lambda: attend(stub, md, session, head_count=events_pb2.HeadCount(
            gender=types_pb2.GENDER_FEMALE, age_band=types_pb2.AGE_BAND_26_66, count=1)),
    ]
    for call in calls:
        problem = failure(call)
        assert (problem.code, problem.reason) == (grpc.StatusCode.PERMISSION_DENIED, "WRONG_ORGANIZATION")
    problem = failure(lambda: stub.GetActivity(events_pb2.GetActivityRequest(name="organizations/mira/activities/a1"),
                                               metadata=coord))
    assert (problem.code, problem.reason) == (grpc.StatusCode.NOT_FOUND, "WRONG_ORGANIZATION")


def test_request_id_makes_a_retry_a_no_op(stub, coord, volunteer, register, node):
    rid = str(uuid.uuid4())
    first = create_activity(stub, coord, request_id=rid)
    assert create_activity(stub, coord, request_id=rid).name == first.name
    session = create_session(stub, coord, first.name).name
    person = register("Amina", 1984, types_pb2.GENDER_FEMALE)
    rid = str(uuid.uuid4())
    named = attend(stub, volunteer, session, person=person, request_id=rid)
    assert attend(stub, volunteer, session, person=person, request_id=rid) == named
    heads = events_pb2.HeadCount(gender=types_pb2.GENDER_FEMALE, age_band=types_pb2.AGE_BAND_67_PLUS, count=2)
    rid = str(uuid.uuid4())
    counted = attend(stub, volunteer, session, head_count=heads, request_id=rid)
    assert attend(stub, volunteer, session, head_count=heads, request_id=rid) == counted
    t = node.app.tables
    with node.app.engine.connect() as conn:
        count = lambda table: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()  # noqa: E731
        assert (count(t["activities"]), count(t["attendances"])) == (1, 2)
        types = conn.execute(sa.select(t["outbox"].c.ce_type)).scalars().all()
    assert sorted(types) == sorted(["no.brobygger.events.activity_created.v1",
                                    "no.brobygger.events.session_scheduled.v1"]
                                   + ["no.brobygger.events.attendance_recorded.v1"] * 2)


# ---------------------------------------------------------------------------- the SQL adapters, without a server


@pytest.fixture
def sql_uow(database_url):
    """Units of work on a migrated events database (SQLite or PostgreSQL)."""
    migrate(database_url, MIGRATIONS)
    engine = make_engine(database_url)
    yield functools.partial(SqlEventsUnitOfWork, engine, tables, "mir")
    engine.dispose()


def test_sql_repositories_store_page_and_count(sql_uow):
    t0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    made = [Activity(id=f"a{i}", title=f"A{i}", subgoal=ImdiSubgoal.COMMUNITY, capacity=i, anonymous_attendance=i == 1,
                     create_time=t0 + dt.timedelta(minutes=i // 2)) for i in range(3)]  # a0 and a1 share a time
    times = [("2026-03-18", "17:30", "s1"), ("2026-03-04", "18:00", "s2"), ("2026-03-04", "09:00", "s3")]
    with sql_uow() as uow:
        for a in made:
            uow.activities.add(a)
        for date, start, sid in times:
            uow.sessions.add(Session(id=sid, activity_id="a0", date=date, start_time=start, create_time=t0))
        uow.commit()
    with sql_uow() as uow:
        assert uow.activities.get("a1") == made[1] and uow.activities.get("nosuch") is None
        first = uow.activities.page(None, 2)
        rest = uow.activities.page(first.next_key, 2)
        assert [a.id for a in first.items + rest.items] == ["a2", "a1", "a0"] and rest.next_key is None
        first = uow.sessions.page("a0", None, 2)
        rest = uow.sessions.page("a0", first.next_key, 2)
        assert [s.id for s in first.items + rest.items] == ["s3", "s2", "s1"] and first.next_key == (
            "2026-03-04", "18:00", "s2")
        assert uow.sessions.page("a1", None, 2).items == []
        assert uow.sessions.get("s1", for_update=True).date == "2026-03-18"

    def attendance(aid: str, person: str = "", count: int = 1) -> Attendance:
        return Attendance(id=aid, session_id="s1", activity_id="a0", person_id=person, gender=Gender.FEMALE,
                          age_band=AgeBand.AGE_26_66, count=count, create_time=t0)

    with sql_uow() as uow:
        assert uow.attendances.add(attendance("t1", "p1"))
        assert uow.attendances.add(attendance("t2", count=5)) and uow.attendances.add(attendance("t3", count=7))
        assert not uow.attendances.add(attendance("t4", "p1"))  # the unique key binds named participants only
        uow.commit()
    with sql_uow() as uow:
        assert uow.attendances.attends("s1", "p1") and not uow.attendances.attends("s2", "p1")
        assert uow.attendances.named_count("s1") == 1 and uow.attendances.named_count("s2") == 0
        assert uow.attendances.get("t1") == attendance("t1", "p1")
        assert uow.attendances.get("t2") == attendance("t2", count=5)  # a head count: no person
        assert uow.attendances.get("t4") is None


class Everyone:
    """A membership directory that knows every person: the concurrency test is about the database."""

    def profile(self, person_id: str, *, on_behalf_of: str = "") -> PersonProfile:
        return PersonProfile(birth_year=1990, gender=Gender.FEMALE)


def _attend_concurrently(sql_uow, session: Session, persons: list[str]) -> list[str]:
    """Record each person at the session from its own thread, all at once; the outcome of each."""
    start, outcomes = threading.Barrier(len(persons)), [""] * len(persons)

    def one(i: int) -> None:
        cmd = commands.RecordAttendance(session.activity_id, session.id, "s", person_id=persons[i])
        start.wait()
        try:
            handlers.record_attendance(cmd, sql_uow(), Everyone())
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = exc.reason

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(persons))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


def test_concurrent_requests_admit_a_person_once_and_no_more_than_the_capacity(sql_uow):
    def session_of(capacity: int) -> Session:
        activity = handlers.create_activity(commands.CreateActivity(
            Activity(id="", title="Homework help", subgoal=ImdiSubgoal.QUALIFICATION, capacity=capacity)), sql_uow())
        return handlers.create_session(commands.CreateSession(
            Session(id="", activity_id=activity.id, date="2026-03-04"), "a"), sql_uow())

    assert _attend_concurrently(sql_uow, session_of(0), ["p1"] * 6) == ["ALREADY_ATTENDED"] * 5 + ["ok"]
    small = session_of(3)
    assert _attend_concurrently(sql_uow, small, [f"p{i}" for i in range(8)]) == ["CAPACITY_REACHED"] * 5 + ["ok"] * 3
    with sql_uow() as uow:
        assert uow.attendances.named_count(small.id) == 3
