"""The routes of groups, their members and roles over fake channels: each REST call becomes the right
membership request, and the answers and refusals come back as JSON and problems. ListPersons' new filters too."""
from __future__ import annotations

import grpc
import pytest

from brobygger.membership.v1 import membership_pb2
from tests.gateway.test_gateway_unit import MEMBERSHIP, _errors, auth, rich_error

G = "organizations/mir/groups/mir-ung"
P = "organizations/mir/persons/p1"


def answer(channels, rpc: str, response) -> None:
    channels["membership"].on(MEMBERSHIP + rpc, lambda r: response)


def sent(channels):
    [(method, request, _)] = channels["membership"].calls
    return method.rsplit("/", 1)[1], request


def test_create_a_group(node, channels):
    answer(channels, "CreateGroup", membership_pb2.Group(name=G, kind=membership_pb2.GROUP_KIND_GROUP,
                                                         display_name="MiR-Ung"))
    resp = node.post("/api/v1/groups", headers=auth(**{"Idempotency-Key": "g-1"}), json={
        "group_id": "mir-ung", "group": {"kind": "GROUP_KIND_GROUP", "display_name": "MiR-Ung"}})
    assert resp.status_code == 201 and resp.headers["Location"] == "/api/v1/groups/mir-ung"
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.group_id, request.group.kind, request.request_id) == (
        "CreateGroup", "organizations/mir", "mir-ung", membership_pb2.GROUP_KIND_GROUP, "g-1")


def test_a_taken_id_is_a_conflict(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.ALREADY_EXISTS, "GROUP_EXISTS", "A group with the id 'mir-ung' exists.",
                         [("group_id", "is taken")])

    channels["membership"].on(MEMBERSHIP + "CreateGroup", refuse)
    resp = node.post("/api/v1/groups", headers=auth(), json={"group_id": "mir-ung", "group": {
        "kind": "GROUP_KIND_GROUP", "display_name": "MiR-Ung"}})
    assert resp.status_code == 409 and resp.get_json()["reason"] == "GROUP_EXISTS"


def test_list_read_and_correct_groups(node, channels):
    answer(channels, "ListGroups", membership_pb2.ListGroupsResponse(groups=[membership_pb2.Group(name=G)]))
    assert node.get("/api/v1/groups?kind=GROUP_KIND_CHAPTER&page_size=10", headers=auth()).status_code == 200
    rpc, request = sent(channels)
    assert (request.kind, request.page_size) == (membership_pb2.GROUP_KIND_CHAPTER, 10)
    channels["membership"].calls.clear()
    answer(channels, "UpdateGroup", membership_pb2.Group(name=G, display_name="MiR-Ung Oslo"))
    resp = node.patch("/api/v1/groups/mir-ung", headers=auth(), json={"display_name": "MiR-Ung Oslo"})
    assert resp.get_json()["display_name"] == "MiR-Ung Oslo"
    rpc, request = sent(channels)
    assert (request.group.name, request.group.display_name, list(request.update_mask.paths)) == (
        G, "MiR-Ung Oslo", ["display_name"])
    assert "kind" in _errors(node.get("/api/v1/groups?kind=CLUB", headers=auth()))


@pytest.mark.parametrize("person", ["p1", P])
def test_members_are_added_removed_and_listed(node, channels, person):
    channels["membership"].on(MEMBERSHIP + "AddGroupMember", lambda r: membership_pb2.GroupMember(
        name=f"{G}/members/p1", person=r.person, group=r.group))
    resp = node.post("/api/v1/groups/mir-ung/members", json={"person": person}, headers=auth())
    assert resp.status_code == 200
    rpc, request = sent(channels)
    assert (request.group, request.person) == (G, P)
    channels["membership"].calls.clear()
    answer(channels, "RemoveGroupMember", membership_pb2.GroupMember(name=f"{G}/members/p1"))
    assert node.delete("/api/v1/groups/mir-ung/members/p1", headers=auth()).status_code == 200
    assert sent(channels)[1].name == f"{G}/members/p1"


def test_member_listings_need_a_purpose(node, channels):
    answer(channels, "ListGroupMembers", membership_pb2.ListGroupMembersResponse())
    assert list(_errors(node.get("/api/v1/groups/mir-ung/members", headers=auth()))) == ["purpose"]
    assert list(_errors(node.get("/api/v1/persons/p1/groups", headers=auth()))) == ["purpose"]
    assert channels["membership"].calls == []
    node.get("/api/v1/persons/p1/groups?purpose=follow-up", headers=auth())
    rpc, request = sent(channels)
    assert (request.parent, request.person, request.purpose) == ("organizations/mir/groups/-", P, "follow-up")


def test_roles_are_assigned_ended_and_listed(node, channels):
    channels["membership"].on(MEMBERSHIP + "AssignRole", lambda r: membership_pb2.RoleAssignment(
        name=f"{P}/roleAssignments/a1", **{k: getattr(r.role_assignment, k) for k in ("role", "start_date", "group")}))
    resp = node.post("/api/v1/persons/p1/roleAssignments", headers=auth(**{"Idempotency-Key": "r-1"}), json={
        "role": "ROLE_BOARD_MEMBER", "start_date": "2026-01-01", "group": "mir-ung"})
    assert resp.status_code == 201 and resp.headers["Location"] == "/api/v1/persons/p1/roleAssignments/a1"
    rpc, request = sent(channels)
    assert (request.parent, request.role_assignment.role, request.role_assignment.group, request.request_id) == (
        P, membership_pb2.ROLE_BOARD_MEMBER, G, "r-1")
    channels["membership"].calls.clear()
    answer(channels, "EndRole", membership_pb2.RoleAssignment(name=f"{P}/roleAssignments/a1", end_date="2026-06-30"))
    resp = node.post("/api/v1/persons/p1/roleAssignments/a1:end", headers=auth(), json={"end_date": "2026-06-30"})
    assert resp.get_json()["end_date"] == "2026-06-30"
    assert (sent(channels)[1].name, sent(channels)[1].end_date) == (f"{P}/roleAssignments/a1", "2026-06-30")
    channels["membership"].calls.clear()
    answer(channels, "ListRoleAssignments", membership_pb2.ListRoleAssignmentsResponse())
    node.get("/api/v1/roleAssignments?purpose=report&role=ROLE_GUIDE&active_on=2026-03-01", headers=auth())
    rpc, request = sent(channels)
    assert (request.parent, request.role, request.active_on) == (
        "organizations/mir/persons/-", membership_pb2.ROLE_GUIDE, "2026-03-01")
    assert set(_errors(node.get("/api/v1/roleAssignments?purpose=x&active_on=1.3.", headers=auth()))) == {
        "active_on"}


def test_persons_are_listed_with_the_new_filters(node, channels):
    answer(channels, "ListPersons", membership_pb2.ListPersonsResponse())
    node.get("/api/v1/persons?purpose=planning&group=mir-ung&household=h1&membership_year=2026&paying=true"
             "&role=ROLE_VOLUNTEER&role_date=2026-03-01", headers=auth())
    rpc, r = sent(channels)
    assert (r.group, r.household, r.membership_year, r.paying, r.role, r.role_date) == (
        "mir-ung", "h1", 2026, True, membership_pb2.ROLE_VOLUNTEER, "2026-03-01")
    assert set(_errors(node.get("/api/v1/persons?purpose=p&paying=yes&role=ROLE_KING", headers=auth()))) == {
        "paying", "role"}


@pytest.mark.parametrize("path, method", [
    ("/api/v1/groups", "post"), ("/api/v1/groups", "get"), ("/api/v1/groups/{group_id}", "get"),
    ("/api/v1/groups/{group_id}", "patch"), ("/api/v1/groups/{group_id}/members", "post"),
    ("/api/v1/groups/{group_id}/members", "get"), ("/api/v1/groups/{group_id}/members/{person_id}", "delete"),
    ("/api/v1/persons/{person_id}/groups", "get"), ("/api/v1/persons/{person_id}/roleAssignments", "post"),
    ("/api/v1/persons/{person_id}/roleAssignments", "get"),
    ("/api/v1/persons/{person_id}/roleAssignments/{assignment_id}:end", "post"),
    ("/api/v1/roleAssignments", "get"),
])
def test_the_group_and_role_operations_are_described(node, path, method):
    op = node.get("/openapi.json").get_json()["paths"][path][method]
    assert op["tags"] == ["membership"] and op["description"]


def test_a_chapter_that_is_no_chapter_is_a_conflict_naming_the_field(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "CHAPTER_NOT_FOUND",
                         "chapter 'stovner' names no chapter of this organisation; choose one of the chapters "
                         "(furuset, linderud).", [("person.chapter", "names no chapter of this organisation")])

    channels["membership"].on(MEMBERSHIP + "RegisterPerson", refuse)
    resp = node.post("/api/v1/persons", headers=auth(), json={"given_name": "Amina", "gender": "GENDER_FEMALE",
                                                              "chapter": "stovner"})
    problem = resp.get_json()
    assert resp.status_code == 409 and problem["reason"] == "CHAPTER_NOT_FOUND"
    assert "furuset, linderud" in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == ["person.chapter"]
