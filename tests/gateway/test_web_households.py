"""A person's household and a household's page on Flask's test client over fake channels."""
from __future__ import annotations

import re

import grpc

from brobygger.membership.v1 import membership_pb2
from tests.gateway.test_web_persons import AMINA, MEMBERSHIP, with_purpose
from tests.gateway.web_support import VOLUNTEER_TOKEN, login, rich_error

H = "organizations/mir/households/h1"
BILAL = membership_pb2.Person(name="organizations/mir/persons/p2", given_name="Bilal", family_name="Khan",
                              birth_year=2014, household=H)
MEMBERS = [membership_pb2.HouseholdMember(name=f"{H}/members/p1", person=AMINA.name,
                                          role=membership_pb2.HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN),
           membership_pb2.HouseholdMember(name=f"{H}/members/p2", person=BILAL.name,
                                          role=membership_pb2.HOUSEHOLD_ROLE_CHILD)]


def household_answers(channels, members=MEMBERS):
    m = channels["membership"]
    m.on(MEMBERSHIP + "GetHousehold", lambda r: membership_pb2.Household(name=H, display_name="Familien Khan"))
    m.on(MEMBERSHIP + "ListHouseholdMembers",
         lambda r: membership_pb2.ListHouseholdMembersResponse(household_members=members))
    people = {AMINA.name: AMINA, BILAL.name: BILAL}
    m.on(MEMBERSHIP + "BatchGetPersons",
         lambda r: membership_pb2.BatchGetPersonsResponse(persons=[people[n] for n in r.names]))
    m.on(MEMBERSHIP + "ListMembershipYears", lambda r: membership_pb2.ListMembershipYearsResponse())


def calls(channels, rpc):
    return [c[1] for c in channels["membership"].calls if c[0].endswith("/" + rpc)]


def test_a_persons_page_shows_their_household_with_names_roles_and_links(web, channels):
    with_purpose(web)
    household_answers(channels)
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: BILAL)
    text = web.get("/persons/p2").get_data(as_text=True)
    assert "Familien Khan" in text and "Husstand" in text
    assert 'href="/persons/p1"' in text and "Amina Khan" in text and "forelder eller verge" in text
    assert "barn" in text and 'href="/households/h1"' in text
    [listing] = calls(channels, "ListHouseholdMembers")
    [batch] = calls(channels, "BatchGetPersons")
    assert (listing.parent, listing.purpose) == (H, "oppfølging av en familie")
    assert list(batch.names) == [AMINA.name, BILAL.name] and batch.purpose == "oppfølging av en familie"
    assert "Khan" not in text.split("<title>")[1].split("</title>")[0]


def test_a_person_without_a_household_is_offered_one_as_parent(web, channels):
    token = with_purpose(web)
    household_answers(channels, members=[MEMBERS[0]])
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: AMINA)
    text = web.get("/persons/p1").get_data(as_text=True)
    assert "er ikke medlem av en husstand" in text and 'action="/persons/p1/household"' in text
    assert not calls(channels, "ListHouseholdMembers")
    channels["membership"].on(MEMBERSHIP + "CreateHousehold",
                              lambda r: membership_pb2.Household(name=H, display_name=r.household.display_name))
    channels["membership"].on(MEMBERSHIP + "AddHouseholdMember", lambda r: MEMBERS[0])
    answer = web.post("/persons/p1/household", data={"csrf_token": token, "request_id": "r-h",
                                                     "display_name": "Familien Khan"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/households/h1"
    [created] = calls(channels, "CreateHousehold")
    [added] = calls(channels, "AddHouseholdMember")
    assert (created.household.display_name, created.request_id) == ("Familien Khan", "r-h")
    assert (added.household, added.person, added.role, added.request_id) == (
        H, AMINA.name, membership_pb2.HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN, "r-h")


def test_a_households_page_adds_a_person_by_id_with_a_role(web, channels):
    token = with_purpose(web)
    household_answers(channels)
    text = web.get("/households/h1").get_data(as_text=True)
    assert "Familien Khan" in text and "Amina Khan" in text and 'action="/households/h1/members/p2/remove"' in text
    assert 'id="f-person"' in text and 'id="f-role"' in text
    channels["membership"].on(MEMBERSHIP + "AddHouseholdMember", lambda r: MEMBERS[1])
    answer = web.post("/households/h1/members", data={"csrf_token": token, "request_id": "r-a", "person": " p3 ",
                                                      "role": "HOUSEHOLD_ROLE_CHILD"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/households/h1"
    [added] = calls(channels, "AddHouseholdMember")
    assert (added.household, added.person, added.role, added.request_id) == (
        H, "organizations/mir/persons/p3", membership_pb2.HOUSEHOLD_ROLE_CHILD, "r-a")


def test_a_missing_role_or_id_is_said_beside_the_form_and_keeps_what_was_typed(web, channels):
    token = with_purpose(web)
    household_answers(channels)
    page = web.post("/households/h1/members", data={"csrf_token": token, "request_id": "r-a", "person": "p3"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and not calls(channels, "AddHouseholdMember")
    assert 'value="p3"' in text and "Velg personens rolle i husstanden." in text


def test_a_person_in_another_household_is_refused_with_a_link_to_it(web, channels):
    token = with_purpose(web)
    household_answers(channels)
    elsewhere = membership_pb2.Person(name="organizations/mir/persons/p3", given_name="Omar", family_name="Ali",
                                      household="organizations/mir/households/h2")
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: elsewhere)

    def refuse(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "ALREADY_IN_HOUSEHOLD",
                         "organizations/mir/persons/p3 is already a member of household "
                         "organizations/mir/households/h2; remove them there first.",
                         [("person", "already a member of organizations/mir/households/h2")])

    channels["membership"].on(MEMBERSHIP + "AddHouseholdMember", refuse)
    page = web.post("/households/h1/members", data={"csrf_token": token, "request_id": "r-a", "person": "p3",
                                                    "role": "HOUSEHOLD_ROLE_CHILD"})
    text = page.get_data(as_text=True)
    assert page.status_code == 409 and "Omar Ali er allerede medlem av en annen husstand" in text
    assert 'href="/households/h2"' in text and 'value="p3"' in text
    assert "organizations/mir" not in text


def test_removing_a_member(web, channels):
    token = with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "RemoveHouseholdMember", lambda r: MEMBERS[1])
    answer = web.post("/households/h1/members/p2/remove", data={"csrf_token": token, "request_id": "r-r"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/households/h1"
    [removed] = calls(channels, "RemoveHouseholdMember")
    assert (removed.name, removed.request_id) == (f"{H}/members/p2", "r-r")


def test_household_pages_need_a_purpose_and_no_names_reach_a_url(web, channels):
    with_purpose(web)
    household_answers(channels)
    text = web.get("/households/h1").get_data(as_text=True)
    assert not [url for url in re.findall(r'(?:href|action)="([^"]*)"', text) if "Khan" in url or "Amina" in url]


def test_volunteers_see_no_household(web):
    login(web, VOLUNTEER_TOKEN)
    assert web.get("/households/h1").status_code == 403
