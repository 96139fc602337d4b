"""The registration routes over fake channels: each REST call becomes the right RegistrationService request,
and answers and refusals come back as JSON and problems."""
from __future__ import annotations

import grpc

from brobygger.events.v1 import registration_pb2 as rp
from tests.gateway.test_gateway_unit import _errors, auth, rich_error

SERVICE = "/brobygger.events.v1.RegistrationService/"
A = "organizations/mir/activities/a1"
S = f"{A}/sessions/s1"
P = "organizations/mir/persons/p1"


def reg(**fields) -> rp.Registration:
    values = dict(name=f"{A}/registrations/r1", person=P, state=rp.REGISTRATION_STATE_REGISTERED)
    values.update(fields)
    return rp.Registration(**values)


def sent(channels):
    method, request, _ = channels["events"].calls[-1]
    return method.rsplit("/", 1)[1], request


def test_register_a_person_for_a_course_and_for_a_session(node, channels):
    channels["events"].on(SERVICE + "CreateRegistration", lambda r: reg(state=rp.REGISTRATION_STATE_WAITLISTED,
                                                                          waitlist_position=2))
    resp = node.post("/api/v1/activities/a1/registrations", json={"person": "p1"},
                     headers=auth(**{"Idempotency-Key": "k-1"}))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.get_json()["state"] == "REGISTRATION_STATE_WAITLISTED" and resp.get_json()["waitlist_position"] == 2
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.registration.person, request.request_id) == (
        "CreateRegistration", A, P, "k-1")
    node.post("/api/v1/activities/a1/sessions/s1/registrations", json={"person": P, "hold": True}, headers=auth())
    _, request = sent(channels)
    assert (request.parent, request.registration.hold) == (S, True)


def test_register_a_household_reports_each_member(node, channels):
    channels["events"].on(SERVICE + "RegisterHousehold", lambda r: rp.RegisterHouseholdResponse(results=[
        rp.HouseholdRegistrationResult(person=P, registration=reg()),
        rp.HouseholdRegistrationResult(person="organizations/mir/persons/p2", already_registered=True,
                                       registration=reg(person="organizations/mir/persons/p2"))]))
    resp = node.post("/api/v1/activities/a1/registrations:registerHousehold?purpose=swimming",
                     json={"household": "h1"}, headers=auth())
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert [x.get("already_registered", False) for x in resp.get_json()["results"]] == [False, True]
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.household, request.purpose) == (
        "RegisterHousehold", A, "organizations/mir/households/h1", "swimming")
    assert "purpose" in _errors(node.post("/api/v1/activities/a1/registrations:registerHousehold",
                                          json={"household": "h1"}, headers=auth()))


def test_the_listing_carries_the_purpose_and_cancel_shows_who_was_promoted(node, channels):
    channels["events"].on(SERVICE + "ListRegistrations", lambda r: rp.ListRegistrationsResponse(
        registrations=[reg()], capacity=1, taken=1))
    got = node.get("/api/v1/activities/a1/sessions/s1/registrations?purpose=at+the+door&show_cancelled=true",
                   headers=auth())
    assert got.status_code == 200 and got.get_json()["capacity"] == 1
    _, request = sent(channels)
    assert (request.parent, request.purpose, request.show_cancelled) == (S, "at the door", True)
    assert "purpose" in _errors(node.get("/api/v1/activities/a1/registrations", headers=auth()))

    channels["events"].on(SERVICE + "CancelRegistration", lambda r: rp.CancelRegistrationResponse(
        registration=reg(state=rp.REGISTRATION_STATE_CANCELLED),
        promoted=[reg(name=f"{A}/registrations/r2", person="organizations/mir/persons/p2")]))
    resp = node.post("/api/v1/activities/a1/registrations/r1:cancel", headers=auth(**{"Idempotency-Key": "c-1"}))
    assert resp.status_code == 200 and resp.get_json()["promoted"][0]["name"].endswith("/r2")
    rpc, request = sent(channels)
    assert (rpc, request.name, request.request_id) == ("CancelRegistration", f"{A}/registrations/r1", "c-1")


def test_refusals_are_problems(node, channels):
    def closed(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "REGISTRATION_CLOSED", "Registration is attended.")

    channels["events"].on(SERVICE + "CancelRegistration", closed)
    resp = node.post("/api/v1/activities/a1/registrations/r1:cancel", headers=auth())
    assert resp.status_code == 409 and resp.get_json()["reason"] == "REGISTRATION_CLOSED"

    channels["events"].on(SERVICE + "MarkNoShows", lambda r: rp.MarkNoShowsResponse(attended_count=3,
                                                                                     no_show_count=1))
    resp = node.post("/api/v1/activities/a1/sessions/s1:markNoShows", headers=auth())
    assert resp.get_json()["no_show_count"] == 1
    assert sent(channels)[1].session == S
    channels["events"].on(SERVICE + "ConfirmRegistration", lambda r: reg())
    assert node.post("/api/v1/activities/a1/registrations/r1:confirm", headers=auth()).status_code == 200
