"""Households in the membership service against a real gRPC server, real SQLite and PostgreSQL, the real
broker and real signed tokens."""
from __future__ import annotations

import grpc
import pytest
import sqlalchemy as sa
from cloudevents.v1.kafka import KafkaMessage, from_binary
from google.protobuf import field_mask_pb2

from brobygger.membership.v1 import membership_facts_pb2, membership_pb2
from services.common.grpcclient import decode_error
from tests.conftest import bearer
from tests.services.kafka_read import read_topic
from tests.services.test_membership import amina, coord, failure, node, register, stub  # noqa: F401
from tests.support import without_ids

ORG = "organizations/mir"
PARENT, CHILD = membership_pb2.HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN, membership_pb2.HOUSEHOLD_ROLE_CHILD


def create(stub, md, display_name="Familien Hussain", request_id=""):
    return stub.CreateHousehold(membership_pb2.CreateHouseholdRequest(
        parent=ORG, household=membership_pb2.Household(display_name=display_name), request_id=request_id),
        metadata=md, timeout=10)


def add(stub, md, household, person, role=CHILD, request_id=""):
    return stub.AddHouseholdMember(membership_pb2.AddHouseholdMemberRequest(
        household=household.name, person=person.name, role=role, request_id=request_id), metadata=md, timeout=10)


def members(stub, md, household, purpose="follow-up of homework help", **kw):
    return stub.ListHouseholdMembers(membership_pb2.ListHouseholdMembersRequest(
        parent=household.name, purpose=purpose, **kw), metadata=md, timeout=10)


def get(stub, md, person):
    return stub.GetPerson(membership_pb2.GetPersonRequest(name=person.name, purpose="check"), metadata=md)


def test_a_family_is_grouped_listed_and_named_on_each_person(stub, coord, node):
    h = create(stub, coord, request_id="00000000-0000-4000-8000-000000000001")
    assert create(stub, coord, request_id="00000000-0000-4000-8000-000000000001") == h
    assert h.name.startswith(f"{ORG}/households/") and h.display_name == "Familien Hussain"
    assert stub.GetHousehold(membership_pb2.GetHouseholdRequest(name=h.name), metadata=coord) == h
    mother, son = register(stub, coord), register(stub, coord, amina(given_name="Bilal", birth_year=2014))
    m = add(stub, coord, h, mother, PARENT)
    assert (m.name, m.person, m.role) == (f"{h.name}/members/{mother.name.rsplit('/', 1)[1]}", mother.name, PARENT)
    add(stub, coord, h, son)
    page = members(stub, coord, h, page_size=1)
    rest = members(stub, coord, h, page_size=1, page_token=page.next_page_token)
    assert [x.person for x in [*page.household_members, *rest.household_members]] == [mother.name, son.name]
    assert get(stub, coord, son).household == h.name
    listed = stub.ListPersons(membership_pb2.ListPersonsRequest(parent=ORG, purpose="check"), metadata=coord)
    assert {p.name: p.household for p in listed.persons} == {mother.name: h.name, son.name: h.name}
    audit = node.app.tables["audit_log"]
    with node.app.engine.connect() as conn:
        rows = conn.execute(sa.select(audit).where(audit.c.action.like("household.%")).order_by(audit.c.id)).all()
    assert [(r.action, r.purpose) for r in rows] == [
        ("household.create", ""), ("household.read", ""), ("household.member.add", "HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN"),
        ("household.member.add", "HOUSEHOLD_ROLE_CHILD"), ("household.member.list", "follow-up of homework help"),
        ("household.member.list", "follow-up of homework help")]


def test_a_person_is_in_at_most_one_household(stub, coord):
    first, second, person = create(stub, coord), create(stub, coord, "Familien Ali"), register(stub, coord)
    add(stub, coord, first, person)
    problem = failure(lambda: add(stub, coord, second, person))
    assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "ALREADY_IN_HOUSEHOLD")
    assert first.name in problem.message and "remove them there first" in problem.message
    removed = stub.RemoveHouseholdMember(membership_pb2.RemoveHouseholdMemberRequest(
        name=f"{first.name}/members/{person.name.rsplit('/', 1)[1]}"), metadata=coord)
    assert removed.role == CHILD
    assert get(stub, coord, person).household == ""
    add(stub, coord, second, person, membership_pb2.HOUSEHOLD_ROLE_PARTNER)
    assert get(stub, coord, person).household == second.name


def test_register_and_update_ignore_household(stub, coord):
    h = create(stub, coord)
    person = register(stub, coord, amina(household=h.name))
    assert person.household == ""
    problem = failure(lambda: stub.UpdatePerson(membership_pb2.UpdatePersonRequest(
        person=membership_pb2.Person(name=person.name, household=h.name),
        update_mask=field_mask_pb2.FieldMask(paths=["household"])), metadata=coord))
    assert (problem.code, problem.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_UPDATE_MASK")


def test_households_are_for_coordinators_alone(stub, coord, issuer):
    h, person = create(stub, coord), register(stub, coord)
    for md in (bearer(issuer.token("volunteer-mir")), bearer(issuer.service_token("node-mir")),
               bearer(issuer.token("coordinator-mira"))):
        for call in (lambda: create(stub, md), lambda: add(stub, md, h, person), lambda: members(stub, md, h),
                     lambda: stub.GetHousehold(membership_pb2.GetHouseholdRequest(name=h.name), metadata=md)):
            assert failure(call).code == grpc.StatusCode.PERMISSION_DENIED
    # the node's services list a household's members only on behalf of a coordinator (events registering it)
    problem = failure(lambda: members(stub, bearer(issuer.service_token("node-mir")), h))
    assert problem.reason == "ON_BEHALF_OF_REQUIRED"


def test_the_membership_fact_reaches_kafka_without_names(stub, coord, broker):
    h, person = create(stub, coord), register(stub, coord)
    add(stub, coord, h, person, PARENT)
    person_id = person.name.rsplit("/", 1)[1]
    kind = b"no.brobygger.membership.household_membership_changed.v1"
    def mine(recs):
        return [r for r in recs if r.key == person_id.encode() and kind in dict(r.headers).get("ce_type", b"")]

    [rec] = mine(read_topic(broker.bootstrap, "mir.membership", until=lambda recs: bool(mine(recs))))
    event = from_binary(KafkaMessage(headers={k: v for k, v in rec.headers}, key=rec.key, value=rec.value),
                        data_unmarshaller=lambda raw: raw)
    fact = membership_facts_pb2.HouseholdMembershipChanged.FromString(event.get_data())
    assert (fact.household_id, fact.person_id, fact.role, fact.change) == (
        h.name.rsplit("/", 1)[1], person_id, PARENT, membership_facts_pb2.HouseholdMembershipChanged.CHANGE_ADDED)
    for secret in (b"Amina", b"Hussain", b"Familien"):
        assert secret not in without_ids(rec.value)
