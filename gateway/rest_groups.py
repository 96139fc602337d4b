"""Node mode: the REST routes of groups (local chapters and other groups), their members, and people's roles
for a period, over the membership service. Registered by gateway.rest.register."""
from __future__ import annotations

from typing import Any

from brobygger.membership.v1 import membership_pb2
from gateway.api import API_PREFIX, Api, Body, Call, Operation, Param
from gateway.rest import PAGE, Text, page_of, purpose

GROUP_MEMBERS_PURPOSE = purpose("these members", "planning the youth wing's meeting")
ROLES_PURPOSE = purpose("these roles", "the yearly report's volunteers")
GROUP_MASK = Text("update_mask", "display_name, the only field that can be corrected (also when absent).",
                  max_length=100)
ROLE_FILTERS = (
    Param("role", "Optional: only this role.", kind="enum", enum=membership_pb2.Role.DESCRIPTOR),
    Param("active_on", "Optional: only assignments held on this day, YYYY-MM-DD (started on or before it and not "
                       "ended before it).", kind="date"),
)


def register_groups(api: Api, membership: Any, parent: str, timeout: float) -> None:
    def group(c: Call) -> str:
        return f"{parent}/groups/{c.path['group_id']}"

    def person(c: Call) -> str:
        return f"{parent}/persons/{c.path['person_id']}"

    def person_name(value: str) -> str:
        value = value.strip()
        return value if "/" in value or not value else f"{parent}/persons/{value}"

    @api.route(Operation(
        "POST", f"{API_PREFIX}/groups", "createGroup", "Create a local chapter or another group", "membership",
        "membership", membership_pb2.Group, status=201,
        body=Body(membership_pb2.CreateGroupRequest, exclude=frozenset({"parent", "request_id"})),
        idempotent=True, location=True, not_found=False,
        description="group_id, the short id (e.g. linderud, mir-ung), and group with kind (GROUP_KIND_CHAPTER or "
                    "GROUP_KIND_GROUP) and display_name (e.g. \"MiR Linderud\"). An id taken is 409 GROUP_EXISTS. "
                    "A person's chapter must name a group of kind GROUP_KIND_CHAPTER. Coordinators only.",
    ))
    def create_group(c: Call):
        return membership.CreateGroup(membership_pb2.CreateGroupRequest(
            parent=parent, group_id=c.body.group_id, group=c.body.group, request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/groups", "listGroups", "List groups by id", "membership", "membership",
        membership_pb2.ListGroupsResponse, not_found=False,
        query=PAGE + (Param("kind", "Optional: only this kind.", kind="enum",
                            enum=membership_pb2.GroupKind.DESCRIPTOR),),
        description="Chapters and other groups, by id, paged. Coordinators only.",
    ))
    def list_groups(c: Call):
        return membership.ListGroups(
            membership_pb2.ListGroupsRequest(parent=parent, **page_of(c), kind=c.query["kind"]), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/groups/<id:group_id>", "getGroup", "Read a group", "membership", "membership",
        membership_pb2.Group, description="Its kind and display name, not its members. Coordinators only.",
    ))
    def get_group(c: Call):
        return membership.GetGroup(membership_pb2.GetGroupRequest(name=group(c)), timeout=timeout)

    @api.route(Operation(
        "PATCH", f"{API_PREFIX}/groups/<id:group_id>", "updateGroup", "Correct a group's display name",
        "membership", "membership", membership_pb2.Group, body=Body(membership_pb2.Group, "group"),
        query=(GROUP_MASK,), idempotent=True,
        description="Only display_name can change; a group's id and kind stay. Coordinators only.",
    ))
    def update_group(c: Call):
        body = membership_pb2.Group(name=group(c), display_name=c.body.display_name)
        mask = [p.strip() for p in (c.query["update_mask"] or "display_name").split(",") if p.strip()]
        return membership.UpdateGroup(membership_pb2.UpdateGroupRequest(
            group=body, update_mask={"paths": mask}, request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/groups/<id:group_id>/members", "addGroupMember", "Add a person to a group",
        "membership", "membership", membership_pb2.GroupMember,
        body=Body(membership_pb2.AddGroupMemberRequest, exclude=frozenset({"group", "request_id"})), idempotent=True,
        description="person: organizations/{org}/persons/{id} or an id. A person may be in many groups; adding a "
                    "member again changes nothing. Coordinators only.",
    ))
    def add_group_member(c: Call):
        return membership.AddGroupMember(membership_pb2.AddGroupMemberRequest(
            group=group(c), person=person_name(c.body.person), request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "DELETE", f"{API_PREFIX}/groups/<id:group_id>/members/<id:person_id>", "removeGroupMember",
        "Take a person out of a group", "membership", "membership", membership_pb2.GroupMember, idempotent=True,
        description="Answers the member as they were. Coordinators only.",
    ))
    def remove_group_member(c: Call):
        return membership.RemoveGroupMember(membership_pb2.RemoveGroupMemberRequest(
            name=f"{group(c)}/members/{c.path['person_id']}", request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/groups/<id:group_id>/members", "listGroupMembers", "List a group's members",
        "membership", "membership", membership_pb2.ListGroupMembersResponse, query=PAGE + (GROUP_MEMBERS_PURPOSE,),
        description="In the order they were added; each member names its person. Written to the audit log with "
                    "its purpose. Coordinators only.",
    ))
    def list_group_members(c: Call):
        return membership.ListGroupMembers(membership_pb2.ListGroupMembersRequest(
            parent=group(c), **page_of(c), purpose=c.query["purpose"]), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/persons/<id:person_id>/groups", "listPersonGroups", "List the groups a person is in",
        "membership", "membership", membership_pb2.ListGroupMembersResponse, query=PAGE + (GROUP_MEMBERS_PURPOSE,),
        description="The person's memberships by group id (ListGroupMembers of groups/- with person). Written to "
                    "the audit log with its purpose. Coordinators only.",
    ))
    def list_person_groups(c: Call):
        return membership.ListGroupMembers(membership_pb2.ListGroupMembersRequest(
            parent=f"{parent}/groups/-", person=person(c), **page_of(c), purpose=c.query["purpose"]),
            timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/persons/<id:person_id>/roleAssignments", "assignRole",
        "Give a person a role for a period", "membership", "membership", membership_pb2.RoleAssignment, status=201,
        body=Body(membership_pb2.RoleAssignment, "role_assignment"), idempotent=True, location=True,
        description="role (ROLE_BOARD_MEMBER, ROLE_COORDINATOR, ROLE_VOLUNTEER, ROLE_GUIDE, ROLE_PAID_ASSISTANT), "
                    "start_date, optional end_date (both days included) and group (organizations/{org}/groups/{id} "
                    "or an id, e.g. mir-ung for a board member of MiR-Ung). Coordinators only.",
    ))
    def assign_role(c: Call):
        body = membership_pb2.RoleAssignment()
        body.CopyFrom(c.body)
        g = body.group.strip()
        body.group = g if "/" in g or not g else f"{parent}/groups/{g}"
        return membership.AssignRole(membership_pb2.AssignRoleRequest(parent=person(c), role_assignment=body,
                                                                      request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/persons/<id:person_id>/roleAssignments/<id:assignment_id>:end", "endRole",
        "End a person's role", "membership", "membership", membership_pb2.RoleAssignment,
        body=Body(membership_pb2.EndRoleRequest, exclude=frozenset({"name", "request_id"})), idempotent=True,
        description="end_date: the last day the person held the role (on or after its start). Ending it again on "
                    "the same day changes nothing; on another day is 409 ROLE_ALREADY_ENDED. Coordinators only.",
    ))
    def end_role(c: Call):
        return membership.EndRole(membership_pb2.EndRoleRequest(
            name=f"{person(c)}/roleAssignments/{c.path['assignment_id']}", end_date=c.body.end_date,
            request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/persons/<id:person_id>/roleAssignments", "listPersonRoles", "List a person's roles",
        "membership", "membership", membership_pb2.ListRoleAssignmentsResponse,
        query=PAGE + ROLE_FILTERS + (ROLES_PURPOSE,),
        description="Newest start first. Written to the audit log with its purpose. Coordinators only.",
    ))
    def list_person_roles(c: Call):
        return membership.ListRoleAssignments(membership_pb2.ListRoleAssignmentsRequest(
            parent=person(c), **page_of(c), purpose=c.query["purpose"], role=c.query["role"],
            active_on=c.query["active_on"]), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/roleAssignments", "listRoleAssignments", "Who holds which role",
        "membership", "membership", membership_pb2.ListRoleAssignmentsResponse,
        query=PAGE + ROLE_FILTERS + (ROLES_PURPOSE,), not_found=False,
        description="Everyone's role assignments (persons/-), newest start first; with role and active_on, who "
                    "holds a role on a day. Written to the audit log with its purpose. Coordinators only.",
    ))
    def list_role_assignments(c: Call):
        return membership.ListRoleAssignments(membership_pb2.ListRoleAssignmentsRequest(
            parent=f"{parent}/persons/-", **page_of(c), purpose=c.query["purpose"], role=c.query["role"],
            active_on=c.query["active_on"]), timeout=timeout)
