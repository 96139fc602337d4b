"""proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations

import dataclasses
from typing import Callable

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from services.common.audit_servicer import AUDIT_LOG_POLICY, AuditLogServicer
from services.common.counting import NO_RULES, MembershipRules
from services.common.grpcserver import Access, current_principal
from services.common.names import HOUSEHOLD, HOUSEHOLD_MEMBER, ORGANIZATION, PERSON
from services.common.timestamps import timestamp
from services.membership.domain.household import Household, HouseholdMember
from services.membership.domain.model import MembershipYear, Person
from services.membership.entrypoints import renewal_servicer
from services.membership.entrypoints.import_servicer import PersonImportMethods
from services.membership.service_layer import commands, handlers
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

# Who may call what (methods not named: coordinators and the node's own services). Volunteers take
# attendance: they search people to add them at a session (ListPersons, with a query only, see
# handlers.list_persons) and read the roster's names (BatchGetPersons); they correct nobody's details.
_VOLUNTEERS_TOO = Access(roles=frozenset({"coordinator", "volunteer", "node-service"}))
# Households (who lives with whom) are for coordinators alone: not volunteers, nor the node's services.
_COORDINATORS = Access(roles=frozenset({"coordinator"}))
POLICY = {
    **{method: _COORDINATORS for method in ("CreateHousehold", "GetHousehold", "AddHouseholdMember",
                                            "RemoveHouseholdMember", "ListHouseholdMembers")},
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
                                   request.purpose, request.query, request.chapter)
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
        cmd = commands.ListHouseholdMembers(ids["household"], request.parent, request.page_size, request.page_token,
                                            current_principal(), request.purpose)
        members, token = handlers.list_household_members(cmd, self.uow())
        return membership_pb2.ListHouseholdMembersResponse(household_members=[self._member(m) for m in members],
                                                           next_page_token=token)
