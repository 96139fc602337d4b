"""The people pages on Flask's test client over fake channels."""
from __future__ import annotations

import re

import grpc

from brobygger.membership.v1 import membership_pb2
from tests.gateway.web_support import MIR_TOKEN, VOLUNTEER_TOKEN, csrf_token, login, rich_error

MEMBERSHIP = "/brobygger.membership.v1.MembershipService/"
AMINA = membership_pb2.Person(name="organizations/mir/persons/p1", given_name="Amina", family_name="Khan",
                              birth_year=1984, gender=1, phone="912 34 567", chapter="linderud")


def with_purpose(web) -> str:
    login(web, MIR_TOKEN)
    token = csrf_token(web)
    web.post("/purpose", data={"purpose": "oppfølging av en familie", "next": "/", "csrf_token": token})
    return token


def test_the_list_asks_for_a_purpose_first_then_reads_with_it(web, channels):
    channels["membership"].on(MEMBERSHIP + "ListPersons",
                              lambda r: membership_pb2.ListPersonsResponse(persons=[AMINA], next_page_token="n2"))
    login(web, MIR_TOKEN)
    asked = web.get("/persons")
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/purpose?next=/persons")
    with_purpose(web)
    page = web.get("/persons").get_data(as_text=True)
    [request] = [c[1] for c in channels["membership"].calls if c[0].endswith("/ListPersons")]
    assert request.purpose == "oppfølging av en familie" and request.parent == "organizations/mir"
    assert "Amina Khan" in page and 'href="/persons/p1"' in page and "page_token=n2" in page


def test_registering_keeps_what_was_typed_and_names_the_wrong_field(web, channels):
    token = with_purpose(web)
    form = {"csrf_token": token, "request_id": "r-1", "given_name": "Amina", "family_name": "Khan",
            "birth_year": "nineteen", "phone": "912 34 567"}
    page = web.post("/persons/new", data=form)
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and not channels["membership"].calls
    assert 'id="f-birth_year"' in text and "Skriv et helt tall" in text and 'value="Amina"' in text
    channels["membership"].on(MEMBERSHIP + "RegisterPerson", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PERSON", "The person is not valid.",
        [("person.postal_code", "must be four digits")])))
    page = web.post("/persons/new", data={**form, "birth_year": "1984", "postal_code": "12"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "must be four digits" in text and 'value="912 34 567"' in text
    assert 'aria-invalid="true"' in text


def test_registering_sends_the_person_and_the_request_id_and_goes_to_the_page(web, channels):
    token = with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "RegisterPerson", lambda r: AMINA)
    answer = web.post("/persons/new", data={"csrf_token": token, "request_id": "r-2", "given_name": "Amina",
                                            "family_name": "Khan", "birth_year": "1984", "gender": "GENDER_FEMALE",
                                            "preferred_languages": "ur, nb"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/persons/p1"
    (_m, request, _t), = channels["membership"].calls
    assert request.request_id == "r-2" and request.person.gender == 1
    assert list(request.person.preferred_languages) == ["ur", "nb"]


def test_a_persons_page_reads_with_the_purpose_and_shows_the_years(web, channels):
    with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: AMINA)
    channels["membership"].on(MEMBERSHIP + "ListMembershipYears", lambda r: membership_pb2.ListMembershipYearsResponse(
        membership_years=[membership_pb2.MembershipYear(year=2026, fee_nok=200, payment_state=2)]))
    page = web.get("/persons/p1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Amina Khan" in text and "betalt" in text and "kvinne / jente" in text
    assert "Amina" not in text.split("<title>")[1].split("</title>")[0]
    # Every read of personal data with the purpose (the list of groups, which names nobody, needs none).
    assert all(c[1].purpose == "oppfølging av en familie" for c in channels["membership"].calls
               if not c[0].endswith("/ListGroups"))


def test_a_volunteer_gets_a_page_that_says_why(web):
    login(web, VOLUNTEER_TOKEN)
    page = web.get("/persons")
    assert page.status_code == 403 and "koordinatorer" in page.get_data(as_text=True)


def test_a_search_is_a_post_and_its_words_never_reach_a_url(web, channels):
    token = with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "ListPersons",
                              lambda r: membership_pb2.ListPersonsResponse(persons=[AMINA], next_page_token="n2"))
    page = web.post("/persons", data={"csrf_token": token, "query": "ami kh"})
    text = page.get_data(as_text=True)
    [request] = [c[1] for c in channels["membership"].calls if c[0].endswith("/ListPersons")]
    assert request.query == "ami kh" and request.purpose == "oppfølging av en familie"
    assert page.status_code == 200 and "Amina Khan" in text and "page_token" not in text
    assert not [url for url in re.findall(r'(?:href|action)="([^"]*)"', text) if "ami" in url or "kh" in url]


def test_a_correction_sends_only_the_changed_fields(web, channels):
    token = with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: AMINA)
    channels["membership"].on(MEMBERSHIP + "UpdatePerson", lambda r: r.person)
    form = web.get("/persons/p1/edit").get_data(as_text=True)
    assert 'value="Amina"' in form and 'value="912 34 567"' in form
    answer = web.post("/persons/p1/edit", data={
        "csrf_token": token, "request_id": "r-3", "given_name": "Amina", "family_name": "Khan", "birth_year": "1985",
        "gender": "GENDER_FEMALE", "phone": "912 34 567", "chapter": "linderud", "postal_code": "0955"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/persons/p1"
    update = [c[1] for c in channels["membership"].calls if c[0].endswith("UpdatePerson")][0]
    assert list(update.update_mask.paths) == ["birth_year", "postal_code"] and update.request_id == "r-3"
    assert update.person.name == AMINA.name and update.person.birth_year == 1985


def test_a_services_field_refusal_is_said_in_the_pages_language_without_wire_paths(web, channels):
    token = with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "RegisterPerson", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS",
        "The person has invalid fields: person.postal_code. See the field violations for how to fix each.",
        [("person.postal_code", "must be four digits, e.g. 0957"), ("person.municipality", "an unknown message")])))
    page = web.post("/persons/new", data={"csrf_token": token, "request_id": "r-2", "given_name": "Amina",
                                          "family_name": "Khan", "postal_code": "095"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "person.postal_code" not in text and "field violations" not in text
    assert "Sjekk feltene som er merket nedenfor." in text and "Skriv fire sifre, for eksempel 0957." in text
    assert "an unknown message" in text  # one the pages do not know is shown as the service said it


def test_a_persons_page_shows_their_id_and_offers_a_referral_with_it(web, channels):
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: AMINA)
    channels["membership"].on(MEMBERSHIP + "ListMembershipYears", lambda r: membership_pb2.ListMembershipYearsResponse())
    with_purpose(web)
    text = web.get("/persons/p1").get_data(as_text=True)
    assert "Id i Brobygger" in text and 'href="/referrals/new/federation?person=p1"' in text
    form = web.get("/referrals/new/federation?person=p1").get_data(as_text=True)
    assert re.search(r'id="f-person" name="person" type="text" value="p1"', form)
