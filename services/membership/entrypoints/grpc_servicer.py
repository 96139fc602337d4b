"""proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations


from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION, NamePattern
from services.common.timestamps import timestamp
from services.membership.domain.model import MembershipYear, Person
from services.membership.service_layer.handlers import Membership

PERSON = NamePattern("organizations/{org}/persons/{person}")

POLICY = {
    "GetPersonProfile": Access(roles=frozenset({"node-service"})),
}



class MembershipServicer(membership_pb2_grpc.MembershipServiceServicer):
    def __init__(self, service: Membership) -> None:
        self.s = service
        self.org = service.org

    def _person_proto(self, p: Person) -> membership_pb2.Person:
        return membership_pb2.Person(
            name=PERSON.format(org=self.org, person=p.id), given_name=p.given_name, family_name=p.family_name,
            birth_year=p.birth_year, gender=p.gender, preferred_languages=p.preferred_languages, email=p.email,
            phone=p.phone, postal_code=p.postal_code, municipality=p.municipality, chapter=p.chapter,
            create_time=timestamp(p.create_time), update_time=timestamp(p.update_time),
        )

    def _year_proto(self, m: MembershipYear) -> membership_pb2.MembershipYear:
        return membership_pb2.MembershipYear(
            name=f"{PERSON.format(org=self.org, person=m.person_id)}/membershipYears/{m.year}", year=m.year,
            fee_nok=m.fee_nok, payment_state=m.payment_state, paid_date=m.paid_date, update_time=timestamp(m.update_time),
        )

    def RegisterPerson(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        p = request.person
        person = Person(
            id="", given_name=p.given_name.strip(), family_name=p.family_name.strip(), birth_year=p.birth_year,
            gender=p.gender, preferred_languages=list(p.preferred_languages), email=p.email.strip(),
            phone=p.phone.strip(), postal_code=p.postal_code.strip(), municipality=p.municipality.strip(),
            chapter=p.chapter.strip(),
        )
        return self.s.register_person(person, request.request_id, self._person_proto)

    def GetPerson(self, request, context):
        ids = PERSON.parse(request.name, "name", org=self.org)
        person = self.s.get_person(ids["person"], current_principal(), request.purpose, request.name)
        return self._person_proto(person)

    def GetPersonProfile(self, request, context):
        ids = PERSON.parse(request.name, "name", org=self.org)
        p = self.s.profile(ids["person"], current_principal(), request.name)
        return membership_pb2.PersonProfile(name=request.name, birth_year=p.birth_year, gender=p.gender)

    def ListPersons(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        people, token = self.s.list_persons(request.page_size, request.page_token)
        return membership_pb2.ListPersonsResponse(persons=[self._person_proto(p) for p in people], next_page_token=token)

    def RecordMembershipYear(self, request, context):
        ids = PERSON.parse(request.parent, "parent", org=self.org)
        m = request.membership_year
        year = MembershipYear(person_id=ids["person"], year=m.year, fee_nok=m.fee_nok,
                              payment_state=m.payment_state, paid_date=m.paid_date.strip())
        return self.s.record_membership_year(ids["person"], request.parent, year, request.request_id, self._year_proto)

    def ListMembershipYears(self, request, context):
        ids = PERSON.parse(request.parent, "parent", org=self.org)
        years, token = self.s.list_membership_years(ids["person"], request.parent, request.page_size, request.page_token)
        return membership_pb2.ListMembershipYearsResponse(
            membership_years=[self._year_proto(m) for m in years], next_page_token=token)
