"""proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations

import dataclasses
from typing import Callable

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from services.common.audit import ON_BEHALF_OF_HEADER
from services.common.audit_servicer import AUDIT_LOG_POLICY, AuditLogServicer
from services.common.counting import NO_RULES, MembershipRules
from services.common.errors import PermissionDenied
from services.common.grpcserver import Access, current_principal
from services.common.names import HOUSEHOLD, HOUSEHOLD_MEMBER, ORGANIZATION, PERSON
from services.common.timestamps import timestamp
from services.membership.domain.household import Household, HouseholdMember
from services.membership.domain.model import MembershipYear, Person
from services.membership.domain.group import Group, GroupMember
from services.membership.domain.roles import RoleAssignment
from services.membership.entrypoints import renewal_servicer
from services.membership.entrypoints.import_servicer import PersonImportMethods
from services.membership.service_layer import commands, groups, handlers
from services.membership.service_layer.groups import GROUP, GROUP_MEMBER, ROLE_ASSIGNMENT
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

# Who may call what (methods not named: coordinators and the node's own services). Volunteers take
# attendance: they search people to add them at a session (ListPersons, with a query only, see
# handlers.list_persons) and read the roster's names (BatchGetPersons); they correct nobody's details.
_VOLUNTEERS_TOO = Access(roles=frozenset({"coordinator", "volunteer", "node-service"}))
# Households (who lives with whom) are for coordinators alone: not volunteers, nor the node's services
# (but for the list of a household's members, below).
_COORDINATORS = Access(roles=frozenset({"coordinator"}))
POLICY = {
    **{method: _COORDINATORS for method in ("CreateHousehold", "GetHousehold", "AddHouseholdMember",
                                            "RemoveHouseholdMember")},
    # Events asks for a household's members when a coordinator registers the household for an activity
    # (on their behalf, so the audit line names them; events lets only coordinators do so).
    "ListHouseholdMembers": Access(roles=frozenset({"coordinator", "node-service"})),
    # Groups and roles, too: who is in which group and who holds which role.
    **{method: _COORDINATORS for method in ("CreateGroup", "GetGroup", "ListGroups", "UpdateGroup", "AddGroupMember",
                                            "RemoveGroupMember", "ListGroupMembers", "AssignRole", "EndRole",
                                            "ListRoleAssignments")},
    "GetPersonProfile": Access(roles=frozenset({"node-service"})),
    "ListPersons": _VOLUNTEERS_TOO,
    "BatchGetPersons": _VOLUNTEERS_TOO,
    "UpdatePerson": Access(roles=frozenset({"coordinator"})),
    **renewal_servicer.POLICY,
    **AUDIT_LOG_POLICY,
}


def person_from_proto(p: membership_pb2.Person) -> Person:
    return Person(
        id="", given_name=p.given_name.strip(), family_name=p.family_name.strip(), birth_year=p.birth_year,
        gender=p.gender, preferred_languages=list(p.preferred_languages), email=p.email.strip(),
        phone=p.phone.strip(), postal_code=p.postal_code.strip(), municipality=p.municipality.strip(),
        chapter=p.chapter.strip(),
    )


class MembershipServicer(renewal_servicer.RenewalServicerMixin, PersonImportMethods, AuditLogServicer,
                         membership_pb2_grpc.MembershipServiceServicer):
    list_audit_entries_response = membership_pb2.ListAuditEntriesResponse

    def __init__(self, uow: Callable[[], MembershipUnitOfWork], org: str, rules: MembershipRules = NO_RULES) -> None:
        self.uow = uow
        self.org = org
        self.rules = rules  # the node's fee schedule and counting rules (its rule file)

    def _person(self, p: Person) -> membership_pb2.Person:
        return membership_pb2.Person(
            name=PERSON.format(org=self.org, person=p.id), given_name=p.given_name, family_name=p.family_name,
            birth_year=p.birth_year, gender=p.gender, preferred_languages=p.preferred_languages, email=p.email,
            phone=p.phone, postal_code=p.postal_code, municipality=p.municipality, chapter=p.chapter,
            create_time=timestamp(p.create_time), update_time=timestamp(p.update_time),
            household=HOUSEHOLD.format(org=self.org, household=p.household_id) if p.household_id else "",
        )

    def _household(self, h: Household) -> membership_pb2.Household:
        return membership_pb2.Household(name=HOUSEHOLD.format(org=self.org, household=h.id),
                                        display_name=h.display_name, create_time=timestamp(h.create_time))

    def _member(self, m: HouseholdMember) -> membership_pb2.HouseholdMember:
        return membership_pb2.HouseholdMember(
            name=HOUSEHOLD_MEMBER.format(org=self.org, household=m.household_id, person=m.person_id),
            person=PERSON.format(org=self.org, person=m.person_id), role=m.role,
            create_time=timestamp(m.create_time))

    def _year(self, m: MembershipYear) -> membership_pb2.MembershipYear:
        return membership_pb2.MembershipYear(
            name=f"{PERSON.format(org=self.org, person=m.person_id)}/membershipYears/{m.year}", year=m.year,
            fee_nok=m.fee_nok, payment_state=m.payment_state, paid_date=m.paid_date, update_time=timestamp(m.update_time),
        )

    def RegisterPerson(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = commands.RegisterPerson(person_from_proto(request.person), current_principal(), request.request_id)
        return self._person(handlers.register_person(cmd, self.uow()))

    def GetPerson(self, request, context):
        ids = PERSON.parse(request.name, "name", org=self.org)
        cmd = commands.GetPerson(ids["person"], request.name, current_principal(), request.purpose)
        return self._person(handlers.get_person(cmd, self.uow()))

    def GetPersonProfile(self, request, context):
        ids = PERSON.parse(request.name, "name", org=self.org)
        p = handlers.get_person_profile(commands.GetPersonProfile(ids["person"], request.name, current_principal()),
                                        self.uow())
        return membership_pb2.PersonProfile(name=request.name, birth_year=p.birth_year, gender=p.gender)

    def ListPersons(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = commands.ListPersons(request.parent, request.page_size, request.page_token, current_principal(),
                                   request.purpose, request.query, request.chapter, group=request.group,
                                   household=request.household, membership_year=request.membership_year,
                                   paying=request.paying, role=request.role, role_date=request.role_date)
        people, token = handlers.list_persons(cmd, self.uow())
        return membership_pb2.ListPersonsResponse(persons=[self._person(p) for p in people], next_page_token=token)

    def BatchGetPersons(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = commands.BatchGetPersons(self.org, tuple(request.names), current_principal(), request.purpose)
        people = handlers.batch_get_persons(cmd, self.uow())
        return membership_pb2.BatchGetPersonsResponse(persons=[self._person(p) for p in people])

    def UpdatePerson(self, request, context):
        ids = PERSON.parse(request.person.name, "person.name", org=self.org)
        patch = dataclasses.replace(person_from_proto(request.person), id=ids["person"])
        cmd = commands.UpdatePerson(patch, request.person.name, tuple(request.update_mask.paths), current_principal(),
                                    request.request_id)
        return self._person(handlers.update_person(cmd, self.uow()))

    def RecordMembershipYear(self, request, context):
        ids = PERSON.parse(request.parent, "parent", org=self.org)
        m = request.membership_year
        year = MembershipYear(person_id=ids["person"], year=m.year, fee_nok=m.fee_nok,
                              payment_state=m.payment_state, paid_date=m.paid_date.strip())
        cmd = commands.RecordMembershipYear(year, request.parent, current_principal(), request.request_id)
        return self._year(handlers.record_membership_year(cmd, self.uow()))

    def ListMembershipYears(self, request, context):
        ids = PERSON.parse(request.parent, "parent", org=self.org)
        cmd = commands.ListMembershipYears(ids["person"], request.parent, request.page_size, request.page_token,
                                           current_principal(), request.purpose)
        years, token = handlers.list_membership_years(cmd, self.uow())
        return membership_pb2.ListMembershipYearsResponse(membership_years=[self._year(m) for m in years],
                                                          next_page_token=token)

    def CreateHousehold(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        household = Household(id="", display_name=request.household.display_name.strip())
        cmd = commands.CreateHousehold(self.org, household, current_principal(), request.request_id)
        return self._household(handlers.create_household(cmd, self.uow()))

    def GetHousehold(self, request, context):
        ids = HOUSEHOLD.parse(request.name, "name", org=self.org)
        cmd = commands.GetHousehold(ids["household"], request.name, current_principal())
        return self._household(handlers.get_household(cmd, self.uow()))

    def AddHouseholdMember(self, request, context):
        household = HOUSEHOLD.parse(request.household, "household", org=self.org)
        person = PERSON.parse(request.person, "person", org=self.org)
        cmd = commands.AddHouseholdMember(self.org, household["household"], person["person"], request.role,
                                          current_principal(), request.request_id)
        return self._member(handlers.add_household_member(cmd, self.uow()))

    def RemoveHouseholdMember(self, request, context):
        ids = HOUSEHOLD_MEMBER.parse(request.name, "name", org=self.org)
        cmd = commands.RemoveHouseholdMember(self.org, ids["household"], ids["person"], current_principal(),
                                             request.request_id)
        return self._member(handlers.remove_household_member(cmd, self.uow()))

    def ListHouseholdMembers(self, request, context):
        ids = HOUSEHOLD.parse(request.parent, "parent", org=self.org)
        principal = current_principal()
        if "coordinator" not in principal.roles and not getattr(principal, "on_behalf_of", ""):
            # the node's services read a household only for a coordinator, who is named in the audit log
            raise PermissionDenied("The node's services list a household's members only on behalf of a "
                                   f"coordinator: send {ON_BEHALF_OF_HEADER} naming them.",
                                   reason="ON_BEHALF_OF_REQUIRED")
        cmd = commands.ListHouseholdMembers(ids["household"], request.parent, request.page_size, request.page_token,
                                            current_principal(), request.purpose)
        members, token = handlers.list_household_members(cmd, self.uow())
        return membership_pb2.ListHouseholdMembersResponse(household_members=[self._member(m) for m in members],
                                                           next_page_token=token)

    # ------------------------------------------------------------------ groups and roles

    def _group(self, g: Group) -> membership_pb2.Group:
        return membership_pb2.Group(name=GROUP.format(org=self.org, group=g.id), kind=g.kind,
                                    display_name=g.display_name, create_time=timestamp(g.create_time),
                                    update_time=timestamp(g.update_time))

    def _group_member(self, m: GroupMember) -> membership_pb2.GroupMember:
        return membership_pb2.GroupMember(
            name=GROUP_MEMBER.format(org=self.org, group=m.group_id, person=m.person_id),
            person=PERSON.format(org=self.org, person=m.person_id), group=GROUP.format(org=self.org, group=m.group_id),
            create_time=timestamp(m.create_time))

    def _assignment(self, a: RoleAssignment) -> membership_pb2.RoleAssignment:
        return membership_pb2.RoleAssignment(
            name=ROLE_ASSIGNMENT.format(org=self.org, person=a.person_id, assignment=a.id), role=a.role,
            start_date=a.start_date.isoformat(), end_date=a.end_date.isoformat() if a.end_date else "",
            group=GROUP.format(org=self.org, group=a.group_id) if a.group_id else "",
            person=PERSON.format(org=self.org, person=a.person_id), create_time=timestamp(a.create_time),
            update_time=timestamp(a.update_time))

    def CreateGroup(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        g = request.group
        group = Group(id=request.group_id.strip(), kind=g.kind, display_name=g.display_name)
        cmd = commands.CreateGroup(self.org, group, current_principal(), request.request_id)
        return self._group(groups.create_group(cmd, self.uow()))

    def GetGroup(self, request, context):
        ids = GROUP.parse(request.name, "name", org=self.org)
        return self._group(groups.get_group(commands.GetGroup(ids["group"], request.name, current_principal()),
                                            self.uow()))

    def ListGroups(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = commands.ListGroups(request.page_size, request.page_token, request.kind, current_principal())
        found, token = groups.list_groups(cmd, self.uow())
        return membership_pb2.ListGroupsResponse(groups=[self._group(g) for g in found], next_page_token=token)

    def UpdateGroup(self, request, context):
        ids = GROUP.parse(request.group.name, "group.name", org=self.org)
        cmd = commands.UpdateGroup(self.org, ids["group"], request.group.display_name,
                                   tuple(request.update_mask.paths), current_principal(), request.request_id)
        return self._group(groups.update_group(cmd, self.uow()))

    def AddGroupMember(self, request, context):
        group = GROUP.parse(request.group, "group", org=self.org)
        person = PERSON.parse(request.person, "person", org=self.org)
        cmd = commands.AddGroupMember(self.org, group["group"], person["person"], current_principal(),
                                      request.request_id)
        return self._group_member(groups.add_group_member(cmd, self.uow()))

    def RemoveGroupMember(self, request, context):
        ids = GROUP_MEMBER.parse(request.name, "name", org=self.org)
        cmd = commands.RemoveGroupMember(self.org, ids["group"], ids["person"], current_principal(),
                                         request.request_id)
        return self._group_member(groups.remove_group_member(cmd, self.uow()))

    def ListGroupMembers(self, request, context):
        if request.parent == f"organizations/{self.org}/groups/-":
            group_id = "-"
        else:
            group_id = GROUP.parse(request.parent, "parent", org=self.org)["group"]
        person = PERSON.parse(request.person, "person", org=self.org)["person"] if request.person else ""
        cmd = commands.ListGroupMembers(self.org, group_id, request.parent, person, request.page_size,
                                        request.page_token, current_principal(), request.purpose)
        members, token = groups.list_group_members(cmd, self.uow())
        return membership_pb2.ListGroupMembersResponse(group_members=[self._group_member(m) for m in members],
                                                       next_page_token=token)

    def AssignRole(self, request, context):
        ids = PERSON.parse(request.parent, "parent", org=self.org)
        a = request.role_assignment
        group = GROUP.parse(a.group, "role_assignment.group", org=self.org)["group"] if a.group.strip() else ""
        cmd = commands.AssignRole(self.org, ids["person"], a.role, a.start_date, a.end_date, group,
                                  current_principal(), request.request_id)
        return self._assignment(groups.assign_role(cmd, self.uow()))

    def EndRole(self, request, context):
        ids = ROLE_ASSIGNMENT.parse(request.name, "name", org=self.org)
        cmd = commands.EndRole(self.org, ids["person"], ids["assignment"], request.end_date, current_principal(),
                               request.request_id)
        return self._assignment(groups.end_role(cmd, self.uow()))

    def ListRoleAssignments(self, request, context):
        if request.parent == f"organizations/{self.org}/persons/-":
            person = "-"
        else:
            person = PERSON.parse(request.parent, "parent", org=self.org)["person"]
        cmd = commands.ListRoleAssignments(self.org, person, request.parent, request.role, request.active_on,
                                           request.page_size, request.page_token, current_principal(),
                                           request.purpose)
        found, token = groups.list_role_assignments(cmd, self.uow())
        return membership_pb2.ListRoleAssignmentsResponse(role_assignments=[self._assignment(a) for a in found],
                                                          next_page_token=token)
