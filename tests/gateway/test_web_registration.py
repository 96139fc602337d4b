"""Registration in the web app on Flask's test client over fake channels: a course's places and waiting list,
registering a person or a household in one tap, cancelling with the promotion said, no-shows, and who may."""
from __future__ import annotations

import re

import grpc

from brobygger.events.v1 import events_pb2, registration_pb2 as rp
from brobygger.membership.v1 import membership_pb2
from tests.gateway.test_gateway_unit import EVENTS, MEMBERSHIP, MIR_TOKEN
from tests.gateway.web_support import VOLUNTEER_TOKEN, csrf_token, login, rich_error

REG = "/brobygger.events.v1.RegistrationService/"
A = "organizations/mir/activities/a1"
S = f"{A}/sessions/s1"
AMINA = membership_pb2.Person(name="organizations/mir/persons/p1", given_name="Amina", family_name="Khan",
                              birth_year=1984, household="organizations/mir/households/h1")
SARA = membership_pb2.Person(name="organizations/mir/persons/p2", given_name="Sara", family_name="Khan",
                             birth_year=2012, household="organizations/mir/households/h1")
LEILA = membership_pb2.Person(name="organizations/mir/persons/p3", given_name="Leila", family_name="Ali",
                              birth_year=1990)
PEOPLE = {p.name: p for p in (AMINA, SARA, LEILA)}


def reg(rid, person, state, position=0, **fields):
    return rp.Registration(name=f"{A}/registrations/{rid}", person=person, state=state, waitlist_position=position,
                           **fields)


def answers(channels, rows=(), capacity=2):
    e, m = channels["events"], channels["membership"]
    e.on(EVENTS + "GetActivity", lambda r: events_pb2.Activity(name=A, title="Ta ordet", capacity=capacity))
    e.on(EVENTS + "GetSession", lambda r: events_pb2.Session(name=S, date="2026-03-04", start_time="17:00"))
    e.on(REG + "ListRegistrations", lambda r: rp.ListRegistrationsResponse(
        registrations=list(rows), capacity=capacity,
        taken=sum(1 for x in rows if x.state != rp.REGISTRATION_STATE_WAITLISTED),
        waiting=sum(1 for x in rows if x.state == rp.REGISTRATION_STATE_WAITLISTED)))
    m.on(MEMBERSHIP + "BatchGetPersons",
         lambda r: membership_pb2.BatchGetPersonsResponse(persons=[PEOPLE[n] for n in r.names]))


def calls(channels, rpc):
    return [c[1] for c in channels["events"].calls if c[0].endswith("/" + rpc)]


def test_the_course_page_lists_places_and_the_waiting_list_in_order(web, channels):
    answers(channels, [reg("r1", LEILA.name, rp.REGISTRATION_STATE_REGISTERED),
                       reg("r2", AMINA.name, rp.REGISTRATION_STATE_REGISTERED, promote_time={"seconds": 1}),
                       reg("r4", SARA.name, rp.REGISTRATION_STATE_WAITLISTED, 1)])
    login(web, MIR_TOKEN)
    page = web.get("/registrations/a1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 av 2 plasser tatt" in text and "Venteliste" in text and "fra ventelisten" in text
    waiting = text.split('id="waiting"')[1]
    assert "Sara Khan" in waiting and "Leila" not in waiting
    assert 'action="/registrations/a1/cancel/r4"' in waiting
    [listed] = calls(channels, "ListRegistrations")
    assert listed.parent == A and listed.purpose == "påmelding til Ta ordet"
    assert "Khan" not in text.split("<title>")[1].split("</title>")[0]


def test_search_then_one_tap_registers_a_household_and_says_each_member(web, channels):
    answers(channels)
    channels["membership"].on(MEMBERSHIP + "ListPersons", lambda r: membership_pb2.ListPersonsResponse(persons=[AMINA]))
    login(web, MIR_TOKEN)
    found = web.post("/registrations/a1/s1/search", data={"query": "ami", "csrf_token": csrf_token(web)})
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and 'name="household" value="h1"' in text and 'name="person" value="p1"' in text
    channels["events"].on(REG + "RegisterHousehold", lambda r: rp.RegisterHouseholdResponse(results=[
        rp.HouseholdRegistrationResult(person=AMINA.name, registration=reg("r5", AMINA.name,
                                                                           rp.REGISTRATION_STATE_REGISTERED)),
        rp.HouseholdRegistrationResult(person=SARA.name, registration=reg("r6", SARA.name,
                                                                          rp.REGISTRATION_STATE_WAITLISTED, 3))]))
    done = web.post("/registrations/a1/s1/register", data={"household": "h1", "request_id": "tap-1",
                                                             "csrf_token": csrf_token(web)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/registrations/a1/s1#places")
    [sent] = calls(channels, "RegisterHousehold")
    assert (sent.parent, sent.household, sent.request_id) == (S, "organizations/mir/households/h1", "tap-1")
    text = web.get(done.headers["Location"]).get_data(as_text=True)
    assert "Amina Khan har plass." in text and "Sara Khan står på ventelisten, nummer 3." in text


def test_cancel_says_who_got_the_place_and_a_refusal_is_said_in_bokmal(web, channels):
    answers(channels)
    channels["events"].on(REG + "CancelRegistration", lambda r: rp.CancelRegistrationResponse(
        registration=reg("r1", LEILA.name, rp.REGISTRATION_STATE_CANCELLED),
        promoted=[reg("r4", SARA.name, rp.REGISTRATION_STATE_REGISTERED)]))
    login(web, MIR_TOKEN)
    done = web.post("/registrations/a1/cancel/r1", data={"request_id": "c-1", "csrf_token": csrf_token(web)})
    assert done.headers["Location"].endswith("/registrations/a1#places")
    assert calls(channels, "CancelRegistration")[0].name == f"{A}/registrations/r1"
    text = web.get(done.headers["Location"]).get_data(as_text=True)
    assert "Sara Khan fikk plassen fra ventelisten." in text

    def refuse(r):
        raise rich_error(grpc.StatusCode.ALREADY_EXISTS, "ALREADY_REGISTERED", "The person is registered.")

    channels["events"].on(REG + "CreateRegistration", refuse)
    done = web.post("/registrations/a1/register", data={"person": "p1", "csrf_token": csrf_token(web)})
    text = web.get(done.headers["Location"]).get_data(as_text=True)
    assert 'class="notice error"' in text and "allerede påmeldt" in text


def test_no_shows_are_marked_from_the_session_page_after_the_session(web, channels):
    answers(channels, [reg("r1", LEILA.name, rp.REGISTRATION_STATE_REGISTERED)])
    login(web, MIR_TOKEN)
    text = web.get("/registrations/a1/s1").get_data(as_text=True)
    assert 'action="/registrations/a1/s1/no-shows"' in text
    channels["events"].on(REG + "MarkNoShows", lambda r: rp.MarkNoShowsResponse(attended_count=4, no_show_count=1))
    done = web.post("/registrations/a1/s1/no-shows", data={"csrf_token": csrf_token(web)})
    assert calls(channels, "MarkNoShows")[0].session == S
    assert "4 kom, 1 kom ikke" in web.get(done.headers["Location"]).get_data(as_text=True)


def test_registration_pages_are_for_coordinators(web, channels):
    answers(channels)
    login(web, VOLUNTEER_TOKEN)
    assert web.get("/registrations/a1").status_code == 403
