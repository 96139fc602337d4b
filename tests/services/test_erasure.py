"""A person's export and erasure across the four services of a node: real gRPC servers, SQLite and
PostgreSQL, real signed tokens. The facts between the services are carried by the test from each
outbox to the consumers the services would run (the same IdempotentConsumer objects), so that a
crash between two steps can be placed exactly; tests/federation does the same over the broker."""
from __future__ import annotations

import contextlib
import datetime as dt
import uuid

import grpc
import pytest
import sqlalchemy as sa

from brobygger.datasubject.v1 import datasubject_pb2, datasubject_pb2_grpc
from brobygger.events.v1 import events_pb2, events_pb2_grpc
from brobygger.membership.v1 import (
    consent_pb2, consent_pb2_grpc, erasure_pb2, erasure_pb2_grpc, membership_pb2, membership_pb2_grpc,
)
from brobygger.referral.v1 import referral_pb2, referral_pb2_grpc
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.facts import Envelope
from services.common.grpcclient import decode_error
from services.devstack import inprocess
from tests.conftest import POSTGRES_URL, bearer

ORG = "organizations/mir"
YEAR = types_pb2.DateRange(start_date="2026-01-01", end_date="2026-12-31")
REASON = erasure_pb2.ERASURE_REASON_CONSENT_WITHDRAWN


@contextlib.contextmanager
def _database(kind: str, tmp_path, name: str):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/{name}.db"
    else:
        with inprocess.postgres_database(POSTGRES_URL) as url:
            yield url


class Node:
    def __init__(self, services: dict[str, inprocess.RunningService]) -> None:
        self.services = services
        self.channels = {n: grpc.insecure_channel(s.address) for n, s in services.items()}

    def app(self, name):
        return self.services[name].app

    def consumer(self, name):
        return self.app(name).workers["consume"][0]

    def carry(self, source: str, to: list[str], *, fail: str = "", mark: bool = True) -> int:
        """Every unpublished fact of source's outbox to the consumers of to, then marked published
        (as the relay does once the broker has them). fail: a consumer whose handler crashes."""
        app = self.app(source)
        outbox = app.tables["outbox"]
        with app.engine.connect() as conn:
            rows = conn.execute(sa.select(outbox).where(outbox.c.published_at.is_(None)).order_by(outbox.c.id)).all()
        for r in rows:
            env = Envelope(id=r.fact_id, source=r.ce_source, type=r.ce_type, time=r.ce_time, dataschema=r.dataschema,
                           key=r.key, data=r.payload)
            for target in to:
                consumer = self.consumer(target)
                if target == fail:
                    crash(consumer, env)
                else:
                    consumer.process(env)
        if mark:
            with app.engine.begin() as conn:
                conn.execute(outbox.update().where(outbox.c.id.in_([r.id for r in rows])).values(
                    published_at=sa.func.current_timestamp()))
        return len(rows)

    def rows(self, name: str, table: str, where) -> list:
        app = self.app(name)
        t = app.tables[table]
        with app.engine.connect() as conn:
            return conn.execute(sa.select(t).where(where(t))).all()


def crash(consumer, env):
    """The consumer's process dies after the handler's changes and before its commit."""
    class Crash(BaseException):
        pass

    handler = consumer.handler

    def dying(uow, envelope):
        handler(uow, envelope)
        raise Crash()

    consumer.handler = dying
    try:
        with pytest.raises(Crash):
            consumer._apply(env)
    finally:
        consumer.handler = handler


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def node(request, broker, issuer, tmp_path):
    from services.events.bootstrap import build as events
    from services.membership.bootstrap import build as membership
    from services.referral.bootstrap import build as referral
    from services.reporting.bootstrap import build as reporting

    with contextlib.ExitStack() as stack:
        urls = {n: stack.enter_context(_database(request.param, tmp_path, n))
                for n in ("membership", "events", "referral", "reporting")}
        env = lambda n, **kw: inprocess.node_env("mir", database_url=urls[n], kafka=broker.bootstrap,  # noqa: E731
                                                 issuer=issuer.url, **kw)
        running = {"membership": stack.enter_context(inprocess.running("membership", membership, env("membership"),
                                                                       roles=()))}
        address = running["membership"].address
        running["events"] = stack.enter_context(inprocess.running(
            "events", events, env("events", BROBYGGER_MEMBERSHIP_ADDRESS=address), roles=()))
        running["referral"] = stack.enter_context(inprocess.running("referral", referral, env("referral"), roles=()))
        running["reporting"] = stack.enter_context(inprocess.running(
            "reporting", reporting, env("reporting"), roles=()))
        n = Node(running)
        yield n
        for ch in n.channels.values():
            ch.close()


@pytest.fixture
def coord(issuer):
    return bearer(issuer.token("coordinator-mir"))


def _family(node: Node, md):
    """A mother with membership years, in a household with her son; the son attends homework help and is
    referred to his school. Every fact reaches reporting."""
    members = membership_pb2_grpc.MembershipServiceStub(node.channels["membership"])

    def person(given, year, gender):
        return members.RegisterPerson(membership_pb2.RegisterPersonRequest(parent=ORG, person=membership_pb2.Person(
            given_name=given, family_name="Hussain", birth_year=year, gender=gender, phone="+47 912 34 567"),
            request_id=str(uuid.uuid4())), metadata=md, timeout=10)

    mother = person("Amina", 1984, types_pb2.GENDER_FEMALE)
    son = person("Bilal", 2014, types_pb2.GENDER_MALE)
    other = person("Khadija", 1990, types_pb2.GENDER_FEMALE)
    for p, year in ((son, 2025), (son, 2026), (other, 2026)):
        members.RecordMembershipYear(membership_pb2.RecordMembershipYearRequest(
            parent=p.name, membership_year=membership_pb2.MembershipYear(
                year=year, fee_nok=200, payment_state=membership_pb2.PAYMENT_STATE_PAID, paid_date=f"{year}-02-01")),
            metadata=md, timeout=10)
    household = members.CreateHousehold(membership_pb2.CreateHouseholdRequest(
        parent=ORG, household=membership_pb2.Household(display_name="Familien Hussain")), metadata=md, timeout=10)
    for p, role in ((mother, membership_pb2.HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN), (son, membership_pb2.HOUSEHOLD_ROLE_CHILD)):
        members.AddHouseholdMember(membership_pb2.AddHouseholdMemberRequest(
            household=household.name, person=p.name, role=role), metadata=md, timeout=10)
    members.GetPerson(membership_pb2.GetPersonRequest(name=son.name, purpose="follow-up of homework help"),
                      metadata=md, timeout=10)
    # His mother's consent to photos of him, a group he is in, a role he holds (a young helper).
    consent_pb2_grpc.ConsentServiceStub(node.channels["membership"]).RecordConsent(consent_pb2.RecordConsentRequest(
        parent=son.name, consent=consent_pb2.Consent(
            purpose=consent_pb2.CONSENT_PURPOSE_PHOTOS, text_version="samtykke-2026-01", given_date="2026-01-10",
            source=consent_pb2.CONSENT_SOURCE_PAPER_FORM, given_by=consent_pb2.CONSENT_GIVER_GUARDIAN,
            guardian=mother.name)), metadata=md, timeout=10)
    group = members.CreateGroup(membership_pb2.CreateGroupRequest(
        parent=ORG, group_id="leksehjelp", group=membership_pb2.Group(
            kind=membership_pb2.GROUP_KIND_GROUP, display_name="Leksehjelpere")), metadata=md, timeout=10)
    members.AddGroupMember(membership_pb2.AddGroupMemberRequest(group=group.name, person=son.name),
                           metadata=md, timeout=10)
    members.AssignRole(membership_pb2.AssignRoleRequest(parent=son.name, role_assignment=membership_pb2.RoleAssignment(
        role=membership_pb2.ROLE_VOLUNTEER, start_date="2026-01-15")), metadata=md, timeout=10)
    events = events_pb2_grpc.EventsServiceStub(node.channels["events"])
    activity = events.CreateActivity(events_pb2.CreateActivityRequest(parent=ORG, activity=events_pb2.Activity(
        title="Homework help", subgoal=types_pb2.IMDI_SUBGOAL_QUALIFICATION)), metadata=md, timeout=10)
    for date in ("2026-03-04", "2026-03-11"):
        session = events.CreateSession(events_pb2.CreateSessionRequest(
            parent=activity.name, session=events_pb2.Session(date=date, start_time="17:00")), metadata=md, timeout=10)
        for p in (son, other):
            events.RecordAttendance(events_pb2.RecordAttendanceRequest(
                parent=session.name, attendance=events_pb2.Attendance(person=p.name)), metadata=md, timeout=10)
        events.LogVolunteerHours(events_pb2.LogVolunteerHoursRequest(parent=activity.name, hours_entry=events_pb2.HoursEntry(
            person=son.name, session=session.name, duration_minutes=60, task="helped the youngest read")),
            metadata=md, timeout=10)
    referrals = referral_pb2_grpc.ReferralServiceStub(node.channels["referral"])
    referral = referrals.CreateReferral(referral_pb2.CreateReferralRequest(parent=ORG, referral=referral_pb2.Referral(
        partner_kind=referral_pb2.PARTNER_KIND_SCHOOL, partner_name="Linderud skole",
        reason_category=referral_pb2.REASON_CATEGORY_SCHOOL_HOME, person=son.name)), metadata=md, timeout=10)
    for source in ("membership", "events", "referral"):
        node.carry(source, ["reporting"])
    return mother, son, other, household, referral


def export(node: Node, md, person: str) -> dict[str, datasubject_pb2.ServiceData]:
    out = {}
    for name in ("membership", "events", "referral", "reporting"):
        stub = datasubject_pb2_grpc.DataSubjectServiceStub(node.channels[name])
        out[name] = stub.ExportPersonData(datasubject_pb2.ExportPersonDataRequest(
            person=person, purpose="the person's request of 4 December"), metadata=md, timeout=10)
    return out


def tables_of(data: datasubject_pb2.ServiceData) -> dict[str, list[dict]]:
    return {t.table: [dict(r) for r in t.rows] for t in data.tables}


def statistics(node: Node, md) -> reporting_pb2.Statistics:
    stub = reporting_pb2_grpc.ReportingServiceStub(node.channels["reporting"])
    return stub.GetStatistics(reporting_pb2.GetStatisticsRequest(organization=ORG, period=YEAR), metadata=md,
                              timeout=10)


def raw(node: Node):
    """Reporting's true figures with their cell keys (before rounding and suppression)."""
    from services.reporting.domain.cellkey import CellKeys
    from services.reporting.domain.model import Period
    from services.reporting.service_layer.handlers import raw_statistics

    app = node.app("reporting")
    with app.registrations[0].servicer.uow() as uow:
        return raw_statistics(uow, Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                              CellKeys(app.settings.disclosure_secret))


def test_export_holds_everything_each_service_has_about_the_person_and_is_audited(node, coord):
    mother, son, other, household, referral = _family(node, coord)
    data = export(node, coord, son.name)
    son_id = son.name.rsplit("/", 1)[1]
    m = tables_of(data["membership"])
    assert [r["given_name"] for r in m["persons"]] == ["Bilal"]
    assert sorted(r["year"] for r in m["membership_years"]) == [2025, 2026]
    assert m["household_members"][0]["household_id"] == household.name.rsplit("/", 1)[1]
    assert "erasures" not in m
    assert [(e.action, e.purpose) for e in data["membership"].audit_entries if e.action == "person.read"] == [
        ("person.read", "follow-up of homework help")]
    e = tables_of(data["events"])
    assert len(e["attendances"]) == 2 and {r["person_id"] for r in e["attendances"]} == {son_id}
    assert [r["id"] for r in tables_of(data["referral"])["referrals"]] == [referral.name.rsplit("/", 1)[1]]
    r = tables_of(data["reporting"])
    assert len(r["fact_attendances"]) == 2 and len(r["fact_membership_years"]) == 2 and len(r["fact_persons"]) == 1
    # Each export is in its service's audit log: who exported, and why.
    for name in ("membership", "events", "referral", "reporting"):
        lines = node.rows(name, "audit_log", lambda t: t.c.action == "person.export")
        assert [(x.actor, x.resource, x.purpose) for x in lines] == [
            ("coordinator-mir", son.name, "the person's request of 4 December")]
    # Volunteers may not export anyone.
    volunteer = bearer_of(node, "volunteer-mir")
    with pytest.raises(grpc.RpcError) as err:
        datasubject_pb2_grpc.DataSubjectServiceStub(node.channels["membership"]).ExportPersonData(
            datasubject_pb2.ExportPersonDataRequest(person=son.name, purpose="x"), metadata=volunteer, timeout=10)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


_ISSUER = {}


def bearer_of(node, user):
    return bearer(_ISSUER["issuer"].token(user))


@pytest.fixture(autouse=True)
def _remember_issuer(issuer):
    _ISSUER["issuer"] = issuer


def test_erasure_reaches_every_service_survives_a_crash_and_keeps_the_figures(node, coord):
    mother, son, other, household, referral = _family(node, coord)
    son_id = son.name.rsplit("/", 1)[1]
    before, raw_before = statistics(node, coord), raw(node)
    assert raw_before.members.value == 2 and raw_before.participants_unique_total.value == 2
    assert raw_before.volunteers.value == 1 and dict(raw_before.role_holders)[membership_pb2.ROLE_VOLUNTEER].value == 1
    erasures = erasure_pb2_grpc.ErasureServiceStub(node.channels["membership"])

    with pytest.raises(grpc.RpcError) as err:
        erasures.RequestErasure(erasure_pb2.RequestErasureRequest(person=son.name), metadata=coord, timeout=10)
    problem = decode_error(err.value)
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT and {f for f, _ in problem.violations} == {"reason", "confirm"}

    request_id = str(uuid.uuid4())
    erasure = erasures.RequestErasure(erasure_pb2.RequestErasureRequest(
        person=son.name, reason=REASON, confirm=True, request_id=request_id), metadata=coord, timeout=10)
    assert erasures.RequestErasure(erasure_pb2.RequestErasureRequest(
        person=son.name, reason=REASON, confirm=True, request_id=request_id), metadata=coord, timeout=10) == erasure
    assert erasure.state == erasure_pb2.Erasure.STATE_IN_PROGRESS and erasure.requester_role == "coordinator"
    assert [(s.service, s.HasField("complete_time")) for s in erasure.services] == [
        ("membership", True), ("events", False), ("referral", False), ("reporting", False)]
    # Membership holds nothing of the person any more: not found, not changeable, not erasable again.
    members = membership_pb2_grpc.MembershipServiceStub(node.channels["membership"])
    with pytest.raises(grpc.RpcError) as err:
        members.GetPerson(membership_pb2.GetPersonRequest(name=son.name, purpose="check"), metadata=coord, timeout=10)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as err:
        erasures.RequestErasure(erasure_pb2.RequestErasureRequest(person=son.name, reason=REASON, confirm=True),
                                metadata=coord, timeout=10)
    assert decode_error(err.value).reason == "ERASURE_IN_PROGRESS"
    # Nor exported half erased: membership refuses while the other services have yet to follow.
    with pytest.raises(grpc.RpcError) as err:
        export(node, coord, son.name)
    assert (err.value.code(), decode_error(err.value).reason) == (grpc.StatusCode.FAILED_PRECONDITION,
                                                                 "ERASURE_IN_PROGRESS")

    # The erasure fact reaches events, referral and reporting; events crashes before its commit.
    node.carry("membership", ["events", "referral", "reporting"], fail="events")
    assert len(node.rows("events", "attendances", lambda t: t.c.person_id == son_id)) == 2  # rolled back
    for source in ("referral", "reporting"):
        node.carry(source, ["membership"])
    state = erasures.GetErasure(erasure_pb2.GetErasureRequest(name=erasure.name), metadata=coord, timeout=10)
    assert state.state == erasure_pb2.Erasure.STATE_IN_PROGRESS
    assert [s.service for s in state.services if not s.HasField("complete_time")] == ["events"]

    # Events restarts: the fact is delivered again (its offset was never committed) and applied once.
    app = node.app("membership")
    outbox = app.tables["outbox"]
    with app.engine.begin() as conn:
        conn.execute(outbox.update().where(outbox.c.ce_type.like("%person_erasure_requested%")).values(published_at=None))
    node.carry("membership", ["events", "referral", "reporting"])  # referral and reporting: a redelivery, a no-op
    node.carry("events", ["membership", "reporting"])
    for source in ("referral", "reporting"):
        assert node.carry(source, ["membership"]) == 0  # nothing new: the redelivery was a no-op there
    done = erasures.GetErasure(erasure_pb2.GetErasureRequest(name=erasure.name), metadata=coord, timeout=10)
    assert done.state == erasure_pb2.Erasure.STATE_COMPLETED and done.HasField("complete_time")
    listed = erasures.ListErasures(erasure_pb2.ListErasuresRequest(parent=ORG), metadata=coord, timeout=10)
    assert [e.name for e in listed.erasures] == [erasure.name]

    # No service holds the person's id any more, in any table.
    for name in ("membership", "events", "referral", "reporting"):
        app = node.app(name)
        with app.engine.connect() as conn:
            for table in app.tables.values():
                for row in conn.execute(sa.select(table)).all():
                    assert son_id not in repr(tuple(row)), f"{name}.{table.name} still holds the person"
    # Membership's erasure log says that and why, not who.
    log = node.rows("membership", "erasures", lambda t: t.c.id == erasure.name.rsplit("/", 1)[1])
    assert log[0].person_id is None and log[0].reason == REASON
    # What remains is anonymous: attendances as head counts, the referral without its person.
    assert len(node.rows("events", "attendances", lambda t: t.c.person_id.is_(None))) == 2
    # His hours stay as hours given at homework help, by nobody named and without the task.
    assert [(h.person_id, h.task, h.minutes) for h in node.rows("events", "hours_entries", lambda t: t.c.id != "")] == [
        ("", "", 60), ("", "", 60)]
    # The consent his mother gave for him went with him.
    assert node.rows("membership", "consents", lambda t: t.c.id != "") == []
    assert node.rows("referral", "referrals", lambda t: t.c.id == referral.name.rsplit("/", 1)[1])[0].person == ""
    # The household keeps its other member; the read of the person is still accounted for.
    assert [r.person_id for r in node.rows("membership", "household_members", lambda t: t.c.person_id != "")] == [
        mother.name.rsplit("/", 1)[1]]
    reads = node.rows("membership", "audit_log", lambda t: t.c.action == "person.read")
    assert [(r.actor, r.resource, r.purpose) for r in reads] == [
        ("coordinator-mir", f"{ORG}/persons/erased", "follow-up of homework help")]
    # The published figures are exactly what they were.
    after = statistics(node, coord)
    assert raw(node) == raw_before  # the same counts of the same record keys: every rounding as before
    assert after.members == before.members and after.participants == before.participants
    assert after.paying_members == before.paying_members and after.visits_total == before.visits_total
    assert after.participants_unique_total == before.participants_unique_total


def test_a_fact_about_the_person_that_reaches_reporting_after_the_erasure_is_counted_under_the_token(node, coord):
    mother, son, other, household, referral = _family(node, coord)
    son_id = son.name.rsplit("/", 1)[1]
    events = events_pb2_grpc.EventsServiceStub(node.channels["events"])
    activity = events.CreateActivity(events_pb2.CreateActivityRequest(parent=ORG, activity=events_pb2.Activity(
        title="Swimming", subgoal=types_pb2.IMDI_SUBGOAL_COMMUNITY)), metadata=coord, timeout=10)
    session = events.CreateSession(events_pb2.CreateSessionRequest(
        parent=activity.name, session=events_pb2.Session(date="2026-04-01")), metadata=coord, timeout=10)
    events.RecordAttendance(events_pb2.RecordAttendanceRequest(
        parent=session.name, attendance=events_pb2.Attendance(person=son.name)), metadata=coord, timeout=10)
    erasures = erasure_pb2_grpc.ErasureServiceStub(node.channels["membership"])
    erasures.RequestErasure(erasure_pb2.RequestErasureRequest(person=son.name, reason=REASON, confirm=True),
                            metadata=coord, timeout=10)
    # Reporting has the erasure before events' attendance, which was on its way (another topic).
    node.carry("membership", ["reporting", "referral"], mark=False)
    node.carry("events", ["reporting"])
    node.carry("membership", ["events"])
    for source in ("events", "referral", "reporting"):
        node.carry(source, ["membership", "reporting"] if source != "reporting" else ["membership"])
    rows = node.rows("reporting", "fact_attendances", lambda t: t.c.person_id.like("~%"))
    assert len(rows) == 3 and len({r.person_id for r in rows}) == 1
    app = node.app("reporting")
    with app.engine.connect() as conn:
        for table in app.tables.values():
            for row in conn.execute(sa.select(table)).all():
                assert son_id not in repr(tuple(row)), f"reporting.{table.name} holds the person"
    assert raw(node).participants_unique_total.value == 2  # still one person among two


def test_a_fact_not_yet_published_when_events_erases_leaves_without_the_id(node, coord):
    mother, son, other, household, referral = _family(node, coord)
    son_id = son.name.rsplit("/", 1)[1]
    events = events_pb2_grpc.EventsServiceStub(node.channels["events"])
    activity = events.CreateActivity(events_pb2.CreateActivityRequest(parent=ORG, activity=events_pb2.Activity(
        title="Zumba", subgoal=types_pb2.IMDI_SUBGOAL_COMMUNITY)), metadata=coord, timeout=10)
    session = events.CreateSession(events_pb2.CreateSessionRequest(
        parent=activity.name, session=events_pb2.Session(date="2026-05-06")), metadata=coord, timeout=10)
    events.RecordAttendance(events_pb2.RecordAttendanceRequest(
        parent=session.name, attendance=events_pb2.Attendance(person=son.name)), metadata=coord, timeout=10)
    erasure_pb2_grpc.ErasureServiceStub(node.channels["membership"]).RequestErasure(
        erasure_pb2.RequestErasureRequest(person=son.name, reason=REASON, confirm=True), metadata=coord, timeout=10)
    node.carry("membership", ["events", "referral", "reporting"])  # events erases before its relay ran
    assert not [r for r in node.rows("events", "outbox", lambda t: t.c.id > 0) if son_id.encode() in bytes(r.payload)]
    node.carry("events", ["reporting", "membership"])
    [late] = node.rows("reporting", "fact_attendances", lambda t: t.c.date == dt.date(2026, 5, 6))
    assert (late.person_id, late.count) == ("", 1)  # an anonymous participant, as events now holds it


def test_an_erasure_a_service_missed_completes_after_a_resend_and_a_completed_one_refuses(node, coord):
    mother, son, other, household, referral = _family(node, coord)
    son_id = son.name.rsplit("/", 1)[1]
    erasures = erasure_pb2_grpc.ErasureServiceStub(node.channels["membership"])
    erasure = erasures.RequestErasure(erasure_pb2.RequestErasureRequest(person=son.name, reason=REASON, confirm=True),
                                      metadata=coord, timeout=10)
    # Events never gets the fact (dead-lettered, or gone from the topic before its consumer came back).
    node.carry("membership", ["referral", "reporting"])
    for source in ("referral", "reporting"):
        node.carry(source, ["membership"])
    assert len(node.rows("events", "attendances", lambda t: t.c.person_id == son_id)) == 2
    # A volunteer may not resend; the node's operator (its service credentials) and coordinators may.
    with pytest.raises(grpc.RpcError) as err:
        erasures.ResendErasure(erasure_pb2.ResendErasureRequest(name=erasure.name),
                               metadata=bearer_of(node, "volunteer-mir"), timeout=10)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    again = erasures.ResendErasure(erasure_pb2.ResendErasureRequest(name=erasure.name, request_id=str(uuid.uuid4())),
                                   metadata=coord, timeout=10)
    assert again.state == erasure_pb2.Erasure.STATE_IN_PROGRESS
    assert node.carry("membership", ["events", "referral", "reporting"]) == 1  # referral, reporting: not named
    for source in ("referral", "reporting"):
        assert node.carry(source, ["membership"]) == 0
    node.carry("events", ["membership", "reporting"])
    done = erasures.GetErasure(erasure_pb2.GetErasureRequest(name=erasure.name), metadata=coord, timeout=10)
    assert done.state == erasure_pb2.Erasure.STATE_COMPLETED
    assert node.rows("events", "attendances", lambda t: t.c.person_id == son_id) == []
    [line] = node.rows("membership", "audit_log", lambda t: t.c.action == "person.erase.resend")
    assert (line.actor, line.resource, line.purpose) == ("coordinator-mir", erasure.name, "sent again to events")
    # No row of membership names the person any more, the resent fact included.
    app = node.app("membership")
    with app.engine.connect() as conn:
        for table in app.tables.values():
            for row in conn.execute(sa.select(table)).all():
                assert son_id not in repr(tuple(row)), f"membership.{table.name} still holds the person"
    with pytest.raises(grpc.RpcError) as err:
        erasures.ResendErasure(erasure_pb2.ResendErasureRequest(name=erasure.name), metadata=coord, timeout=10)
    problem = decode_error(err.value)
    assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "ERASURE_COMPLETED")
    assert "every service has erased the person" in problem.message


def test_a_resend_still_in_the_outbox_when_the_erasure_completes_is_dropped(node, coord):
    mother, son, other, household, referral = _family(node, coord)
    son_id = son.name.rsplit("/", 1)[1]
    erasures = erasure_pb2_grpc.ErasureServiceStub(node.channels["membership"])
    erasure = erasures.RequestErasure(erasure_pb2.RequestErasureRequest(person=son.name, reason=REASON, confirm=True),
                                      metadata=coord, timeout=10)
    node.carry("membership", ["events", "referral", "reporting"])
    erasures.ResendErasure(erasure_pb2.ResendErasureRequest(name=erasure.name), metadata=coord, timeout=10)
    # The confirmations arrive before the relay has sent the resend: nobody needs it any more.
    for source in ("events", "referral", "reporting"):
        node.carry(source, ["membership"])
    done = erasures.GetErasure(erasure_pb2.GetErasureRequest(name=erasure.name), metadata=coord, timeout=10)
    assert done.state == erasure_pb2.Erasure.STATE_COMPLETED
    assert node.carry("membership", ["events"]) == 0
    assert not [r for r in node.rows("membership", "outbox", lambda t: t.c.id > 0)
                if r.key == son_id or son_id.encode() in bytes(r.payload)]
