"""Use cases of groups (local chapters and other groups), their members, and people's roles for a period.

Each takes a command and a unit of work and returns domain objects, as services.membership.service_layer.handlers
does. Changes are audited and published as facts with ids only; listings are audited with their purpose.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from brobygger.membership.v1 import membership_facts_pb2 as facts
from services.common.audit import check_purpose
from services.common.errors import AlreadyExists, FieldViolation, InvalidArgument, NotFound, Violations
from services.common.names import PERSON, NamePattern, new_id
from services.common.pagination import PageToken, page_size
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import run_once
from services.membership.domain.group import (
    Group, GroupKind, GroupMember, check_chapter_exists, validate_group,
)
from services.membership.domain.roles import (
    Role, RoleAssignment, check_period, check_role, ended, parse_day,
)
from services.membership.service_layer import commands
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

GROUP = NamePattern("organizations/{org}/groups/{group}")
GROUP_MEMBER = NamePattern("organizations/{org}/groups/{group}/members/{person}")
ROLE_ASSIGNMENT = NamePattern("organizations/{org}/persons/{person}/roleAssignments/{assignment}")

GROUPS_PAGE = PageToken((str,))
GROUP_MEMBERS_PAGE = PageToken((dt.datetime, str))
PERSON_GROUPS_PAGE = PageToken((str,))
ROLES_PAGE = PageToken((dt.date, str))
CHAPTERS_NAMED = 20  # how many chapters a refusal names


def _person_exists(uow: MembershipUnitOfWork, org: str, person_id: str) -> None:
    if uow.persons.get(person_id) is None:
        raise NotFound(f"There is no person {PERSON.format(org=org, person=person_id)}; list persons to find the "
                       "right name.", reason="PERSON_NOT_FOUND")


def _group(uow: MembershipUnitOfWork, org: str, group_id: str) -> Group:
    group = uow.groups.get(group_id)
    if group is None:
        raise NotFound(f"There is no group {GROUP.format(org=org, group=group_id)}; list groups to find the right "
                       "id, or create it.", reason="GROUP_NOT_FOUND")
    return group


def check_chapter(uow: MembershipUnitOfWork, chapter: str) -> None:
    """A person's chapter must name a group of kind CHAPTER (FailedPrecondition CHAPTER_NOT_FOUND)."""
    if chapter:
        check_chapter_exists(chapter, uow.groups.get(chapter), uow.groups.ids(GroupKind.CHAPTER, CHAPTERS_NAMED))


# ---------------------------------------------------------------------------- groups


def create_group(cmd: commands.CreateGroup, uow: MembershipUnitOfWork) -> Group:
    validate_group(cmd.group)

    def work() -> Group:
        if uow.groups.get(cmd.group.id) is not None:
            raise AlreadyExists(f"A group with the id {cmd.group.id!r} exists already "
                                f"({GROUP.format(org=cmd.org, group=cmd.group.id)}); choose another id, or use it.",
                                reason="GROUP_EXISTS", violations=[FieldViolation("group_id", "is taken")])
        now = utcnow()
        group = dataclasses.replace(cmd.group, display_name=cmd.group.display_name.strip(), create_time=now,
                                    update_time=now)
        uow.groups.add(group)
        uow.audit.record(cmd.actor, "group.create", GROUP.format(org=cmd.org, group=group.id),
                         GroupKind(group.kind).wire_name)
        return group

    return run_once(uow, method="CreateGroup", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda g: g.id, load=lambda group_id: uow.groups.get(group_id))


def get_group(cmd: commands.GetGroup, uow: MembershipUnitOfWork) -> Group:
    with uow:
        group = uow.groups.get(cmd.group_id)
        if group is None:
            raise NotFound(f"There is no group {cmd.resource}; list groups to find the right id.",
                           reason="GROUP_NOT_FOUND")
        return group


def list_groups(cmd: commands.ListGroups, uow: MembershipUnitOfWork) -> tuple[list[Group], str]:
    v = Violations()
    v.check(cmd.kind == 0 or GroupKind.is_set(cmd.kind), "kind", "must be one of " + GroupKind.choices())
    v.raise_if_any("listing")
    size = page_size(cmd.page_size)
    after = GROUPS_PAGE.decode(cmd.page_token, kind=cmd.kind)
    with uow:
        page = uow.groups.page(after, size, kind=cmd.kind)
    return page.items, GROUPS_PAGE.encode(page.next_key, kind=cmd.kind)


def update_group(cmd: commands.UpdateGroup, uow: MembershipUnitOfWork) -> Group:
    """Correct a group's display name: the only field the mask may name (a group's id and kind stay)."""
    paths = [p.strip() for p in cmd.update_mask if p.strip()]
    if paths != ["display_name"] and set(paths) != {"display_name"}:
        raise InvalidArgument("update_mask must be 'display_name': a group's id and kind cannot change.",
                              reason="INVALID_UPDATE_MASK",
                              violations=[FieldViolation("update_mask", "name display_name, the only field that "
                                                                        "can be corrected")])

    def work() -> Group:
        group = _group(uow, cmd.org, cmd.group_id)
        updated = dataclasses.replace(group, display_name=cmd.display_name.strip())
        validate_group(updated)
        if updated.display_name != group.display_name:
            updated = dataclasses.replace(updated, update_time=utcnow())
            uow.groups.update(updated)
        uow.audit.record(cmd.actor, "group.update", GROUP.format(org=cmd.org, group=group.id),
                         "correction of display_name" if updated != group else "correction: nothing changed")
        return updated

    return run_once(uow, method="UpdateGroup", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda g: g.id, load=lambda group_id: uow.groups.get(group_id))


def _membership_changed(uow: MembershipUnitOfWork, group: Group, person_id: str, change: int) -> None:
    uow.facts.add(facts.GroupMembershipChanged(group_id=group.id, person_id=person_id, kind=group.kind,
                                               change=change, changed_date=today().isoformat()), key=person_id)


def add_group_member(cmd: commands.AddGroupMember, uow: MembershipUnitOfWork) -> GroupMember:
    """The person as a member of the group (again: as they are, nothing changes). Audited, and a
    GroupMembershipChanged fact when they were not a member."""
    def work() -> GroupMember:
        group = _group(uow, cmd.org, cmd.group_id)
        _person_exists(uow, cmd.org, cmd.person_id)
        member = uow.groups.member(cmd.group_id, cmd.person_id)
        if member is None:
            member = GroupMember(cmd.group_id, cmd.person_id, utcnow())
            uow.groups.add_member(member)
            _membership_changed(uow, group, cmd.person_id, facts.GroupMembershipChanged.CHANGE_ADDED)
        uow.audit.record(cmd.actor, "group.member.add",
                         GROUP_MEMBER.format(org=cmd.org, group=cmd.group_id, person=cmd.person_id))
        return member

    def load(key: str) -> GroupMember:
        group_id, person_id = key.split("/")
        return uow.groups.member(group_id, person_id) or GroupMember(group_id, person_id)

    return run_once(uow, method="AddGroupMember", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda m: f"{m.group_id}/{m.person_id}", load=load)


def remove_group_member(cmd: commands.RemoveGroupMember, uow: MembershipUnitOfWork) -> GroupMember:
    """Takes the person out of the group; NotFound when they are not a member. Audited, and a fact."""
    name = GROUP_MEMBER.format(org=cmd.org, group=cmd.group_id, person=cmd.person_id)

    def work() -> GroupMember:
        group = _group(uow, cmd.org, cmd.group_id)
        member = uow.groups.member(cmd.group_id, cmd.person_id)
        if member is None:
            raise NotFound(f"{PERSON.format(org=cmd.org, person=cmd.person_id)} is not a member of group "
                           f"{GROUP.format(org=cmd.org, group=cmd.group_id)}; list the group's members to find the "
                           "right name.", reason="GROUP_MEMBER_NOT_FOUND")
        uow.groups.remove_member(cmd.group_id, cmd.person_id)
        _membership_changed(uow, group, cmd.person_id, facts.GroupMembershipChanged.CHANGE_REMOVED)
        uow.audit.record(cmd.actor, "group.member.remove", name)
        return member

    def load(key: str) -> GroupMember:
        group_id, person_id = key.split("/")
        return GroupMember(group_id, person_id)

    return run_once(uow, method="RemoveGroupMember", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda m: f"{m.group_id}/{m.person_id}", load=load)


def list_group_members(cmd: commands.ListGroupMembers,
                       uow: MembershipUnitOfWork) -> tuple[list[GroupMember], str]:
    """A group's members in the order they were added, or (group '-') a person's groups by id; audited with
    who and why."""
    purpose = check_purpose(cmd.purpose, "these members", "planning the youth wing's meeting")
    size = page_size(cmd.page_size)
    if cmd.group_id == "-":
        if not cmd.person_id:
            raise InvalidArgument("With parent organizations/{org}/groups/- give person: whose groups to list.",
                                  reason="PERSON_REQUIRED",
                                  violations=[FieldViolation("person", "is required with groups/-, e.g. "
                                                             f"{PERSON.format(org=cmd.org, person='0f3c9a')}")])
        after = PERSON_GROUPS_PAGE.decode(cmd.page_token, person=cmd.person_id)
        with uow:
            _person_exists(uow, cmd.org, cmd.person_id)
            page = uow.groups.of_person(cmd.person_id, after, size)
            uow.audit.record(cmd.actor, "group.member.list", PERSON.format(org=cmd.org, person=cmd.person_id),
                             purpose)
            uow.commit()
        return page.items, PERSON_GROUPS_PAGE.encode(page.next_key, person=cmd.person_id)
    if cmd.person_id:
        raise InvalidArgument("person filters only the listing of organizations/{org}/groups/-; a group's members "
                              "are listed without it.", reason="INVALID_ARGUMENT",
                              violations=[FieldViolation("person", "only with parent groups/-")])
    after = GROUP_MEMBERS_PAGE.decode(cmd.page_token, group=cmd.group_id)
    with uow:
        _group(uow, cmd.org, cmd.group_id)
        page = uow.groups.members(cmd.group_id, after, size)
        uow.audit.record(cmd.actor, "group.member.list", cmd.resource, purpose)
        uow.commit()
    return page.items, GROUP_MEMBERS_PAGE.encode(page.next_key, group=cmd.group_id)


# ---------------------------------------------------------------------------- roles


def _role_changed(uow: MembershipUnitOfWork, a: RoleAssignment) -> None:
    uow.facts.add(facts.RoleAssignmentChanged(
        assignment_id=a.id, person_id=a.person_id, role=a.role, group_id=a.group_id,
        start_date=a.start_date.isoformat(), end_date=a.end_date.isoformat() if a.end_date else ""), key=a.person_id)


def _assignment_name(org: str, a: RoleAssignment) -> str:
    return ROLE_ASSIGNMENT.format(org=org, person=a.person_id, assignment=a.id)


def assign_role(cmd: commands.AssignRole, uow: MembershipUnitOfWork) -> RoleAssignment:
    """A new role assignment for a period (optionally within a group); audited with the role, and a
    RoleAssignmentChanged fact (ids, role, dates)."""
    v = Violations()
    check_role(cmd.role, v)
    start = parse_day(cmd.start_date, "role_assignment.start_date", v, required=True)
    end = parse_day(cmd.end_date, "role_assignment.end_date", v, required=False)
    check_period(start, end, today(), v)
    v.raise_if_any("role assignment")
    assert start is not None

    def work() -> RoleAssignment:
        _person_exists(uow, cmd.org, cmd.person_id)
        if cmd.group_id:
            _group(uow, cmd.org, cmd.group_id)
        now = utcnow()
        a = RoleAssignment(new_id(), cmd.person_id, cmd.role, start, end, cmd.group_id, now, now)
        uow.roles.add(a)
        _role_changed(uow, a)
        uow.audit.record(cmd.actor, "role.assign", _assignment_name(cmd.org, a), Role(a.role).wire_name)
        return a

    return run_once(uow, method="AssignRole", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda a: a.id, load=lambda assignment_id: uow.roles.get(assignment_id))


def end_role(cmd: commands.EndRole, uow: MembershipUnitOfWork) -> RoleAssignment:
    """The assignment ended on end_date (the last day held). Ending it again on the same day changes nothing;
    on another day is FailedPrecondition ROLE_ALREADY_ENDED."""
    v = Violations()
    end = parse_day(cmd.end_date, "end_date", v, required=True)
    v.raise_if_any("request")
    assert end is not None
    resource = ROLE_ASSIGNMENT.format(org=cmd.org, person=cmd.person_id, assignment=cmd.assignment_id)

    def work() -> RoleAssignment:
        held = uow.roles.get(cmd.assignment_id)
        if held is None or held.person_id != cmd.person_id:
            raise NotFound(f"There is no role assignment {resource}; list the person's roles to find the right "
                           "name.", reason="ROLE_ASSIGNMENT_NOT_FOUND")
        a = ended(held, end, today(), resource)
        if a != held:
            a = dataclasses.replace(a, update_time=utcnow())
            uow.roles.update(a)
            _role_changed(uow, a)
        uow.audit.record(cmd.actor, "role.end", resource, f"ended {end.isoformat()}")
        return a

    return run_once(uow, method="EndRole", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda a: a.id, load=lambda assignment_id: uow.roles.get(assignment_id))


def list_role_assignments(cmd: commands.ListRoleAssignments,
                          uow: MembershipUnitOfWork) -> tuple[list[RoleAssignment], str]:
    """A person's role assignments, or everyone's (person '-'), newest start first; optionally one role and
    those held on a day. Audited with who and why."""
    purpose = check_purpose(cmd.purpose, "these roles", "the yearly report's volunteers")
    v = Violations()
    v.check(cmd.role == 0 or Role.is_set(cmd.role), "role", "must be one of " + Role.choices())
    day = parse_day(cmd.active_on, "active_on", v, required=False)
    v.raise_if_any("listing")
    size = page_size(cmd.page_size)
    filters = {"person": cmd.person_id, "role": cmd.role, "on": day.isoformat() if day else ""}
    after = ROLES_PAGE.decode(cmd.page_token, **filters)
    with uow:
        if cmd.person_id != "-":
            _person_exists(uow, cmd.org, cmd.person_id)
        page = uow.roles.page(after, size, person_id="" if cmd.person_id == "-" else cmd.person_id, role=cmd.role,
                              active_on=day)
        resource = cmd.resource
        if cmd.role:
            resource += f"?role={Role(cmd.role).wire_name}"
        uow.audit.record(cmd.actor, "role.list", resource, purpose)
        uow.commit()
    return page.items, ROLES_PAGE.encode(page.next_key, **filters)
