"""Registration in the real events service on SQLite and PostgreSQL: the SQL repository, promotion under
concurrent cancellations (threads against the real database), and the gRPC service with the real
membership service (a household's members) and the real broker."""
from __future__ import annotations

import threading

import grpc
import pytest
import sqlalchemy as sa
from cloudevents.v1.kafka import KafkaMessage, from_binary

from brobygger.events.v1 import registration_facts_pb2, registration_pb2, registration_pb2_grpc
from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.errors import DomainError
from services.common.vocabulary import ImdiSubgoal
from services.events.domain.model import Activity
from services.events.domain.registration import RegistrationState as S
from services.events.service_layer import commands, handlers
from services.events.service_layer import registration as reg
from tests.services.kafka_read import read_topic
from tests.services.test_events import (  # noqa: F401
    ORG, Everyone, _id, coord, create_activity, create_session, failure, membership, node, register, sql_uow, stub,
    volunteer,
)


class Households(Everyone):
    def household_members(self, household_id, *, purpose, on_behalf_of):
        return [f"{household_id}-m{i}" for i in range(3)]


def _course(sql_uow, capacity: int) -> reg.Scope:
    a = handlers.create_activity(commands.CreateActivity(
        Activity(id="", title="Ta ordet", subgoal=ImdiSubgoal.COMMUNITY, capacity=capacity)), sql_uow())
    return reg.Scope(a.id, "", f"{ORG}/activities/{a.id}")


def _all_at_once(jobs) -> list[str]:
    """Run each job from its own thread, released together; the outcome of each ('ok' or the refusal's reason)."""
    start, outcomes = threading.Barrier(len(jobs)), [""] * len(jobs)

    def one(i: int) -> None:
        start.wait()
        try:
            jobs[i]()
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = exc.reason

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


def test_concurrent_registrations_take_no_more_places_than_there_are(sql_uow):
    scope = _course(sql_uow, capacity=3)
    jobs = [lambda i=i: reg.create_registration(reg.CreateRegistration(scope, f"p{i}"), sql_uow(), Everyone())
            for i in range(8)]
    assert _all_at_once(jobs) == ["ok"] * 8
    with sql_uow() as uow:
        rows = uow.registrations.scope(scope.activity_id, "")
    assert sorted(r.state for r in rows) == [S.REGISTERED] * 3 + [S.WAITLISTED] * 5
    assert sorted(r.seq for r in rows) == list(range(1, 9))


def test_concurrent_cancellations_promote_each_waitlisted_person_once_in_order(sql_uow):
    scope = _course(sql_uow, capacity=3)
    made = [reg.create_registration(reg.CreateRegistration(scope, f"p{i}"), sql_uow(), Everyone())
            for i in range(9)]
    holders, waiting = made[:3], made[3:]
    # every holder cancelled twice at once (a double tap), all six requests at the same moment
    promoted: list[list[str]] = []
    lock = threading.Lock()

    def cancel(r):
        _, moved = reg.cancel_registration(reg.ChangeRegistration(scope.activity_id, r.id, "r"), sql_uow())
        with lock:
            promoted.append([m.id for m in moved])

    assert _all_at_once([lambda r=r: cancel(r) for r in holders * 2]) == ["ok"] * 6
    ids = [i for batch in promoted for i in batch]
    assert sorted(ids) == sorted(r.id for r in waiting[:3]) and len(ids) == len(set(ids))
    with sql_uow() as uow:
        rows = {r.id: r for r in uow.registrations.scope(scope.activity_id, "")}
        facts = uow.conn.execute(sa.select(uow.tables["outbox"].c.payload).where(
            uow.tables["outbox"].c.ce_type == "no.brobygger.events.registration_changed.v1")).scalars().all()
    assert [rows[r.id].state for r in made] == [S.CANCELLED] * 3 + [S.REGISTERED] * 3 + [S.WAITLISTED] * 3
    changed = [registration_facts_pb2.RegistrationChanged.FromString(p) for p in facts]
    assert sorted(c.registration_id for c in changed if c.promoted) == sorted(r.id for r in waiting[:3])
    assert len([c for c in changed if c.state == S.CANCELLED]) == 3


def test_a_household_is_registered_in_one_transaction_beside_concurrent_registrations(sql_uow):
    scope = _course(sql_uow, capacity=4)
    jobs = [lambda: reg.register_household(reg.RegisterHousehold(scope, "h1", "swimming"), sql_uow(), Households()),
            lambda: reg.register_household(reg.RegisterHousehold(scope, "h2", "swimming"), sql_uow(), Households())]
    assert _all_at_once(jobs) == ["ok", "ok"]
    with sql_uow() as uow:
        rows = uow.registrations.scope(scope.activity_id, "")
    assert sorted(r.state for r in rows) == [S.REGISTERED] * 4 + [S.WAITLISTED] * 2
    # one household's members are in line together
    assert len({r.household_id for r in rows[:3]}) == 1


# ---------------------------------------------------------------------------- the gRPC service


@pytest.fixture
def regs(node):
    with grpc.insecure_channel(node.address) as ch:
        yield registration_pb2_grpc.RegistrationServiceStub(ch)


def _household(membership_svc, coord, persons) -> str:
    with grpc.insecure_channel(membership_svc.address) as ch:
        members = membership_pb2_grpc.MembershipServiceStub(ch)
        h = members.CreateHousehold(membership_pb2.CreateHouseholdRequest(
            parent=ORG, household=membership_pb2.Household(display_name="Familien Hussain")), metadata=coord)
        for p in persons:
            members.AddHouseholdMember(membership_pb2.AddHouseholdMemberRequest(
                household=h.name, person=p, role=membership_pb2.HOUSEHOLD_ROLE_CHILD), metadata=coord)
        return h.name


def test_register_a_household_list_the_waiting_list_cancel_and_promote(stub, regs, coord, volunteer, register,
                                                                        membership, broker):
    mother = register("Amina", 1984, types_pb2.GENDER_FEMALE)
    daughter = register("Sara", 2012, types_pb2.GENDER_FEMALE)
    other = register("Leila", 1990, types_pb2.GENDER_FEMALE)
    household = _household(membership, coord, [mother, daughter])
    act = create_activity(stub, coord, capacity=2)
    first = regs.CreateRegistration(registration_pb2.CreateRegistrationRequest(
        parent=act.name, registration=registration_pb2.Registration(person=other)), metadata=coord, timeout=10)
    assert first.state == registration_pb2.REGISTRATION_STATE_REGISTERED and first.session == ""
    answer = regs.RegisterHousehold(registration_pb2.RegisterHouseholdRequest(
        parent=act.name, household=household, purpose="registration for swimming"), metadata=coord, timeout=10)
    assert [(x.person, x.registration.state, x.already_registered) for x in answer.results] == [
        (mother, registration_pb2.REGISTRATION_STATE_REGISTERED, False),
        (daughter, registration_pb2.REGISTRATION_STATE_WAITLISTED, False)]
    assert answer.results[1].registration.household == household
    assert answer.results[1].registration.waitlist_position == 1

    # volunteers may not register a household; membership audited the coordinator's read
    problem = failure(lambda: regs.RegisterHousehold(registration_pb2.RegisterHouseholdRequest(
        parent=act.name, household=household, purpose="x"), metadata=volunteer, timeout=10))
    assert problem.code == grpc.StatusCode.PERMISSION_DENIED
    audit = membership.app.tables["audit_log"]
    with membership.app.engine.connect() as conn:
        line = conn.execute(sa.select(audit).where(audit.c.action == "household.member.list")).first()
    assert (line.actor, line.purpose) == ("coordinator-mir", "registration for swimming")

    listing = regs.ListRegistrations(registration_pb2.ListRegistrationsRequest(
        parent=act.name, purpose="at the door"), metadata=volunteer, timeout=10)
    assert [(r.person, r.waitlist_position) for r in listing.registrations] == [(other, 0), (mother, 0), (daughter, 1)]
    assert (listing.capacity, listing.taken, listing.waiting) == (2, 2, 1)

    cancelled = regs.CancelRegistration(registration_pb2.CancelRegistrationRequest(name=first.name), metadata=coord)
    assert cancelled.registration.state == registration_pb2.REGISTRATION_STATE_CANCELLED
    assert [(p.person, p.state) for p in cancelled.promoted] == [
        (daughter, registration_pb2.REGISTRATION_STATE_REGISTERED)]
    assert cancelled.promoted[0].HasField("promote_time")

    problem = failure(lambda: regs.CreateRegistration(registration_pb2.CreateRegistrationRequest(
        parent=act.name, registration=registration_pb2.Registration(person=mother)), metadata=coord, timeout=10))
    assert (problem.code, problem.reason) == (grpc.StatusCode.ALREADY_EXISTS, "ALREADY_REGISTERED")
    problem = failure(lambda: regs.CreateRegistration(registration_pb2.CreateRegistrationRequest(
        parent=act.name, registration=registration_pb2.Registration(person=f"{ORG}/persons/nobody")),
        metadata=coord, timeout=10))
    assert (problem.code, problem.reason) == (grpc.StatusCode.NOT_FOUND, "PERSON_NOT_FOUND")

    act_id = _id(act.name)
    ours = lambda recs: [r for r in recs if r.key == act_id.encode()  # noqa: E731
                         and dict(r.headers).get("ce_type") == b"no.brobygger.events.registration_changed.v1"]
    records = ours(read_topic(broker.bootstrap, "mir.events", until=lambda recs: len(ours(recs)) >= 5))
    changed = [registration_facts_pb2.RegistrationChanged.FromString(
        from_binary(KafkaMessage(headers=dict(r.headers), key=r.key, value=r.value),
                    data_unmarshaller=lambda d: d).get_data()) for r in records]
    assert [(c.person_id, c.state, c.promoted) for c in changed] == [
        (_id(other), S.REGISTERED, False), (_id(mother), S.REGISTERED, False), (_id(daughter), S.WAITLISTED, False),
        (_id(other), S.CANCELLED, False), (_id(daughter), S.REGISTERED, True)]
    for rec in records:
        for secret in (b"Amina", b"Sara", b"Leila", b"Hussain"):
            assert secret not in rec.value


def test_no_shows_after_a_session(stub, regs, coord, volunteer, register):
    came = register("Amina", 1984, types_pb2.GENDER_FEMALE)
    missed = register("Sara", 2012, types_pb2.GENDER_FEMALE)
    act = create_activity(stub, coord, capacity=10)
    session = create_session(stub, coord, act.name, date="2026-03-04").name
    for p in (came, missed):
        regs.CreateRegistration(registration_pb2.CreateRegistrationRequest(
            parent=session, registration=registration_pb2.Registration(person=p)), metadata=coord, timeout=10)
    from tests.services.test_events import attend
    attend(stub, volunteer, session, person=came)
    marked = regs.MarkNoShows(registration_pb2.MarkNoShowsRequest(session=session), metadata=coord, timeout=10)
    assert {r.person: r.state for r in marked.registrations} == {
        came: registration_pb2.REGISTRATION_STATE_ATTENDED, missed: registration_pb2.REGISTRATION_STATE_NO_SHOW}
    assert (marked.attended_count, marked.no_show_count) == (1, 1)
    problem = failure(lambda: regs.MarkNoShows(registration_pb2.MarkNoShowsRequest(session=session),
                                               metadata=volunteer, timeout=10))
    assert problem.code == grpc.StatusCode.PERMISSION_DENIED
