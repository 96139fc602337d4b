"""The household routes over fake channels: each REST call becomes the right membership request, and the
answers and refusals come back as JSON and problems."""
from __future__ import annotations

import grpc
import pytest

from brobygger.membership.v1 import membership_pb2
from tests.gateway.test_gateway_unit import MEMBERSHIP, _errors, auth, rich_error

H = "organizations/mir/households/h1"


def answer(channels, rpc: str, response) -> None:
    channels["membership"].on(MEMBERSHIP + rpc, lambda r: response)


def sent(channels):
    [(method, request, _)] = channels["membership"].calls
    return method.rsplit("/", 1)[1], request


def test_create_a_household(node, channels):
    answer(channels, "CreateHousehold", membership_pb2.Household(name=H, display_name="Familien Hussain"))
    resp = node.post("/api/v1/households", json={"display_name": "Familien Hussain"},
                     headers=auth(**{"Idempotency-Key": "h-1"}))
    assert resp.status_code == 201 and resp.headers["Location"] == "/api/v1/households/h1"
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.household.display_name, request.request_id) == (
        "CreateHousehold", "organizations/mir", "Familien Hussain", "h-1")


def test_read_a_household(node, channels):
    answer(channels, "GetHousehold", membership_pb2.Household(name=H, display_name="Familien Hussain"))
    assert node.get("/api/v1/households/h1", headers=auth()).get_json()["display_name"] == "Familien Hussain"
    assert sent(channels)[1].name == H


@pytest.mark.parametrize("person", ["p1", "organizations/mir/persons/p1"])
def test_add_a_member_by_id_or_name(node, channels, person):
    channels["membership"].on(MEMBERSHIP + "AddHouseholdMember", lambda r: membership_pb2.HouseholdMember(
        name=f"{H}/members/p1", person=r.person, role=r.role))
    resp = node.post("/api/v1/households/h1/members", json={"person": person, "role": "HOUSEHOLD_ROLE_CHILD"},
                     headers=auth(**{"Idempotency-Key": "m-1"}))
    assert resp.status_code == 200 and resp.get_json()["role"] == "HOUSEHOLD_ROLE_CHILD"
    rpc, request = sent(channels)
    assert (request.household, request.person, request.role, request.request_id) == (
        H, "organizations/mir/persons/p1", membership_pb2.HOUSEHOLD_ROLE_CHILD, "m-1")


def test_a_person_in_another_household_is_a_conflict(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "ALREADY_IN_HOUSEHOLD",
                         "organizations/mir/persons/p1 is already a member of household "
                         "organizations/mir/households/h2; remove them there first.", [("person", "already a member")])

    channels["membership"].on(MEMBERSHIP + "AddHouseholdMember", refuse)
    resp = node.post("/api/v1/households/h1/members", json={"person": "p1", "role": "HOUSEHOLD_ROLE_CHILD"},
                     headers=auth())
    assert resp.status_code == 409 and resp.get_json()["reason"] == "ALREADY_IN_HOUSEHOLD"
    assert "households/h2" in resp.get_json()["detail"]
    assert "household" in _errors(node.post("/api/v1/households/h1/members", headers=auth(),
                                             json={"household": H, "person": "p1"}))


def test_remove_a_member(node, channels):
    answer(channels, "RemoveHouseholdMember", membership_pb2.HouseholdMember(name=f"{H}/members/p1"))
    resp = node.delete("/api/v1/households/h1/members/p1", headers=auth(**{"Idempotency-Key": "rm-1"}))
    assert resp.status_code == 200
    rpc, request = sent(channels)
    assert (rpc, request.name, request.request_id) == ("RemoveHouseholdMember", f"{H}/members/p1", "rm-1")


def test_members_need_a_purpose(node, channels):
    answer(channels, "ListHouseholdMembers", membership_pb2.ListHouseholdMembersResponse(household_members=[
        membership_pb2.HouseholdMember(name=f"{H}/members/p1", person="organizations/mir/persons/p1",
                                       role=membership_pb2.HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN)]))
    assert list(_errors(node.get("/api/v1/households/h1/members", headers=auth()))) == ["purpose"]
    assert channels["membership"].calls == []
    resp = node.get("/api/v1/households/h1/members?purpose=homework+help&page_size=5", headers=auth())
    assert resp.get_json()["household_members"][0]["role"] == "HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN"
    rpc, request = sent(channels)
    assert (request.parent, request.purpose, request.page_size) == (H, "homework help", 5)


def test_a_household_sent_with_a_person_is_not_a_correction(node, channels):
    channels["membership"].on(MEMBERSHIP + "UpdatePerson", lambda r: r.person)
    node.patch("/api/v1/persons/p1", headers=auth(), json={"phone": "+47 912 34 567", "household": H})
    assert list(channels["membership"].calls[-1][1].update_mask.paths) == ["phone"]


@pytest.mark.parametrize("path, method", [
    ("/api/v1/households", "post"), ("/api/v1/households/{household_id}", "get"),
    ("/api/v1/households/{household_id}/members", "post"), ("/api/v1/households/{household_id}/members", "get"),
    ("/api/v1/households/{household_id}/members/{person_id}", "delete"),
])
def test_the_household_operations_are_described(node, path, method):
    op = node.get("/openapi.json").get_json()["paths"][path][method]
    assert op["tags"] == ["membership"] and op["description"]
