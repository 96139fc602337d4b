"""The volunteer hours routes over fake channels: each REST call becomes the right events request, and the
answers and refusals come back as JSON and problems."""
from __future__ import annotations

import grpc

from brobygger.events.v1 import events_pb2
from tests.gateway.test_gateway_unit import EVENTS, _errors, auth, rich_error

A = "organizations/mir/activities/a1"
E = f"{A}/hoursEntries/e1"
GUIDE = "organizations/mir/persons/p1"


def entry(**fields) -> events_pb2.HoursEntry:
    values = dict(name=E, person=GUIDE, date="2026-03-04", duration_minutes=90, logged_by="coordinator-mir",
                  state=events_pb2.HOURS_ENTRY_STATE_RECORDED)
    values.update(fields)
    return events_pb2.HoursEntry(**values)


def sent(channels):
    [(method, request, _)] = channels["events"].calls
    return method.rsplit("/", 1)[1], request


def test_log_hours_at_a_session(node, channels):
    channels["events"].on(EVENTS + "LogVolunteerHours", lambda r: entry(session=r.hours_entry.session))
    resp = node.post("/api/v1/activities/a1/hoursEntries",
                     json={"person": GUIDE, "session": f"{A}/sessions/s1", "duration_minutes": 90,
                           "task": "homework help"}, headers=auth(**{"Idempotency-Key": "k-1"}))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["duration_minutes"] == 90 and body["state"] == "HOURS_ENTRY_STATE_RECORDED"
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.hours_entry.person, request.hours_entry.session,
            request.hours_entry.task, request.request_id) == (
        "LogVolunteerHours", A, GUIDE, f"{A}/sessions/s1", "homework help", "k-1")


def test_a_bad_entry_is_a_problem_naming_the_fields(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "The hours entry has invalid fields.",
                         [("hours_entry.duration_minutes", "must be 1 to 720 minutes (12 hours) in one entry")])

    channels["events"].on(EVENTS + "LogVolunteerHours", refuse)
    resp = node.post("/api/v1/activities/a1/hoursEntries", json={"person": GUIDE, "duration_minutes": 0},
                     headers=auth())
    errors = _errors(resp)
    assert "720" in errors.get("duration_minutes", errors.get("hours_entry.duration_minutes", ""))


def test_listings_per_activity_session_and_person_carry_the_purpose(node, channels):
    channels["events"].on(EVENTS + "ListHoursEntries", lambda r: events_pb2.ListHoursEntriesResponse(
        hours_entries=[entry()], total_minutes=90))
    got = node.get("/api/v1/activities/a1/hoursEntries?purpose=annual+report&page_size=10", headers=auth())
    assert got.status_code == 200 and got.get_json()["total_minutes"] == 90
    node.get("/api/v1/activities/a1/sessions/s1/hoursEntries?purpose=check&show_withdrawn=true", headers=auth())
    node.get("/api/v1/persons/p1/hoursEntries?purpose=thanks+letter", headers=auth())
    calls = [(r.parent, r.person, r.purpose, r.show_withdrawn, r.page_size) for _, r, _ in channels["events"].calls]
    assert calls == [(A, "", "annual report", False, 10), (f"{A}/sessions/s1", "", "check", True, 0),
                     ("organizations/mir/activities/-", GUIDE, "thanks letter", False, 0)]


def test_a_listing_without_purpose_is_refused_before_any_call(node, channels):
    resp = node.get("/api/v1/activities/a1/hoursEntries", headers=auth())
    assert "purpose" in _errors(resp) and not channels["events"].calls


def test_correct_with_the_fields_of_the_body_and_withdraw(node, channels):
    channels["events"].on(EVENTS + "UpdateHoursEntry", lambda r: entry(duration_minutes=r.hours_entry.duration_minutes))
    resp = node.patch("/api/v1/activities/a1/hoursEntries/e1", json={"duration_minutes": 120, "task": "guiding"},
                      headers=auth(**{"Idempotency-Key": "u-1"}))
    assert resp.status_code == 200 and resp.get_json()["duration_minutes"] == 120
    rpc, request = sent(channels)
    assert (rpc, request.hours_entry.name, sorted(request.update_mask.paths), request.request_id) == (
        "UpdateHoursEntry", E, ["duration_minutes", "task"], "u-1")
    channels["events"].calls.clear()
    channels["events"].on(EVENTS + "WithdrawHoursEntry", lambda r: entry(state=events_pb2.HOURS_ENTRY_STATE_WITHDRAWN))
    resp = node.delete("/api/v1/activities/a1/hoursEntries/e1", headers=auth())
    assert resp.get_json()["state"] == "HOURS_ENTRY_STATE_WITHDRAWN"
    assert sent(channels)[1].name == E


def test_a_volunteer_is_refused_with_the_services_reason(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED", "Coordinators only.")

    channels["events"].on(EVENTS + "GetHoursEntry", refuse)
    resp = node.get("/api/v1/activities/a1/hoursEntries/e1?purpose=x", headers=auth())
    assert resp.status_code == 403 and resp.get_json()["reason"] == "ROLE_REQUIRED"
