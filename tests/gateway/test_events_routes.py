"""The events routes the check-in and activity pages use, over fake channels: each REST call becomes the
right gRPC request, and the answers and refusals come back as JSON and problems."""
from __future__ import annotations

import grpc
import pytest

from brobygger.events.v1 import events_pb2
from brobygger.type.v1 import types_pb2
from tests.gateway.test_gateway_unit import EVENTS, _errors, auth, rich_error

SESSION = "organizations/mir/activities/act1/sessions/s1"


def answer(channels, rpc: str, response) -> None:
    channels["events"].on(EVENTS + rpc, lambda r: response)


def sent(channels):
    [(method, request, _)] = channels["events"].calls
    return method.rsplit("/", 1)[1], request


def test_every_activitys_sessions_by_date(node, channels):
    cancelled = events_pb2.Session(name=SESSION, date="2026-12-03", state=events_pb2.SESSION_STATE_CANCELLED,
                                   cancel_reason="pool closed")
    answer(channels, "ListSessions", events_pb2.ListSessionsResponse(sessions=[cancelled], next_page_token="n"))
    resp = node.get("/api/v1/sessions?start_date=2026-12-03&end_date=2026-12-31&page_size=20", headers=auth())
    assert resp.status_code == 200, resp.get_json()
    [listed] = resp.get_json()["sessions"]
    assert (listed["name"], listed["state"], listed["cancel_reason"]) == (SESSION, "SESSION_STATE_CANCELLED",
                                                                          "pool closed")
    assert resp.get_json()["next_page_token"] == "n"
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.start_date, request.end_date, request.page_size) == (
        "ListSessions", "organizations/mir/activities/-", "2026-12-03", "2026-12-31", 20)
    assert set(_errors(node.get("/api/v1/sessions?start_date=3.12.2026&end_date=2026-02-30", headers=auth()))) == {
        "start_date", "end_date"}


def test_a_session_and_its_summary(node, channels):
    answer(channels, "GetSession", events_pb2.Session(name=SESSION, date="2026-12-03"))
    assert node.get("/api/v1/activities/act1/sessions/s1", headers=auth()).get_json()["date"] == "2026-12-03"
    assert sent(channels)[1].name == SESSION
    channels["events"].calls.clear()
    answer(channels, "GetSessionSummary", events_pb2.SessionSummary(
        name=f"{SESSION}/summary", named_count=3, head_count_total=7, head_counts=[events_pb2.HeadCount(
            gender=types_pb2.GENDER_MALE, age_band=types_pb2.AGE_BAND_0_12, count=7)]))
    resp = node.get("/api/v1/activities/act1/sessions/s1/summary", headers=auth())
    assert resp.get_json()["head_counts"] == [{"gender": "GENDER_MALE", "age_band": "AGE_BAND_0_12", "count": 7}]
    assert sent(channels)[1].name == f"{SESSION}/summary"


def test_the_roster_needs_a_purpose_and_passes_its_filters(node, channels):
    answer(channels, "ListAttendances", events_pb2.ListAttendancesResponse(attendances=[events_pb2.Attendance(
        name=f"{SESSION}/attendances/a1", person="organizations/mir/persons/p1",
        state=events_pb2.ATTENDANCE_STATE_RECORDED)]))
    path = "/api/v1/activities/act1/sessions/s1/attendances"
    assert list(_errors(node.get(path, headers=auth()))) == ["purpose"]
    assert list(_errors(node.get(path + "?purpose=check-in&show_withdrawn=yes", headers=auth()))) == [
        "show_withdrawn"]
    assert channels["events"].calls == []
    resp = node.get(path + "?purpose=check-in&show_withdrawn=true&page_size=100", headers=auth())
    assert resp.get_json()["attendances"][0]["person"] == "organizations/mir/persons/p1"
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.purpose, request.show_withdrawn, request.page_size) == (
        "ListAttendances", SESSION, "check-in", True, 100)


def test_delete_withdraws_an_attendance(node, channels):
    answer(channels, "WithdrawAttendance", events_pb2.Attendance(
        name=f"{SESSION}/attendances/a1", state=events_pb2.ATTENDANCE_STATE_WITHDRAWN))
    resp = node.delete("/api/v1/activities/act1/sessions/s1/attendances/a1",
                       headers=auth(**{"Idempotency-Key": "undo-1"}))
    assert resp.status_code == 200 and resp.get_json()["state"] == "ATTENDANCE_STATE_WITHDRAWN"
    rpc, request = sent(channels)
    assert (rpc, request.name, request.request_id) == ("WithdrawAttendance", f"{SESSION}/attendances/a1", "undo-1")


def test_minus_of_a_head_count_and_a_cell_at_zero(node, channels):
    answer(channels, "DecrementHeadCount", events_pb2.SessionSummary(name=f"{SESSION}/summary"))
    path = "/api/v1/activities/act1/sessions/s1:decrementHeadCount"
    body = {"gender": "GENDER_FEMALE", "age_band": "AGE_BAND_26_66"}
    assert node.post(path, json=body, headers=auth(**{"Idempotency-Key": "tap-7"})).status_code == 200
    rpc, request = sent(channels)
    assert (request.session, request.gender, request.age_band, request.request_id) == (
        SESSION, types_pb2.GENDER_FEMALE, types_pb2.AGE_BAND_26_66, "tap-7")
    assert "session" in _errors(node.post(path, json={"session": "x", **body}, headers=auth()))

    def at_zero(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "HEAD_COUNT_ZERO", "that cell is at 0.")

    channels["events"].on(EVENTS + "DecrementHeadCount", at_zero)
    resp = node.post(path, json=body, headers=auth())
    assert resp.status_code == 409 and resp.get_json()["reason"] == "HEAD_COUNT_ZERO"


def test_patch_an_activity_with_a_mask_or_the_fields_sent(node, channels):
    channels["events"].on(EVENTS + "UpdateActivity", lambda r: r.activity)
    resp = node.patch("/api/v1/activities/act1?update_mask=title,capacity", headers=auth(),
                      json={"title": "Leksehjelp", "capacity": 25, "theme": "ignored"})
    assert resp.status_code == 200 and resp.get_json()["name"] == "organizations/mir/activities/act1"
    request = channels["events"].calls[-1][1]
    assert (request.activity.name, list(request.update_mask.paths)) == ("organizations/mir/activities/act1",
                                                                        ["title", "capacity"])
    node.patch("/api/v1/activities/act1", headers=auth(), json={"name": "x", "subgoal": "IMDI_SUBGOAL_QUALIFICATION",
                                                                 "targetGroup": "girls 13-19"})
    request = channels["events"].calls[-1][1]
    assert list(request.update_mask.paths) == ["subgoal", "target_group"]  # the fields sent, output-only aside
    assert request.activity.name == "organizations/mir/activities/act1"  # the path names it, not the body


def test_patch_a_session_and_a_refused_move(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "ATTENDANCE_RECORDED",
                         "Withdraw the attendance first.")

    channels["events"].on(EVENTS + "UpdateSession", refuse)
    resp = node.patch("/api/v1/activities/act1/sessions/s1", headers=auth(), json={"date": "2027-01-06"})
    assert resp.status_code == 409 and resp.get_json()["reason"] == "ATTENDANCE_RECORDED"
    request = channels["events"].calls[-1][1]
    assert (request.session.name, request.session.date, list(request.update_mask.paths)) == (
        SESSION, "2027-01-06", ["date"])


def test_cancel_a_session(node, channels):
    answer(channels, "CancelSession", events_pb2.Session(name=SESSION, state=events_pb2.SESSION_STATE_CANCELLED))
    resp = node.post("/api/v1/activities/act1/sessions/s1:cancel", headers=auth(**{"Idempotency-Key": "c-1"}),
                     json={"reason": "pool closed"})
    assert resp.status_code == 200 and resp.get_json()["state"] == "SESSION_STATE_CANCELLED"
    rpc, request = sent(channels)
    assert (request.name, request.reason, request.request_id) == (SESSION, "pool closed", "c-1")
    assert "name" in _errors(node.post("/api/v1/activities/act1/sessions/s1:cancel", headers=auth(),
                                       json={"name": "x", "reason": "r"}))


@pytest.mark.parametrize("path, method", [
    ("/api/v1/sessions", "get"), ("/api/v1/activities/{activity_id}", "patch"),
    ("/api/v1/activities/{activity_id}/sessions/{session_id}", "patch"),
    ("/api/v1/activities/{activity_id}/sessions/{session_id}:cancel", "post"),
    ("/api/v1/activities/{activity_id}/sessions/{session_id}/attendances", "get"),
    ("/api/v1/activities/{activity_id}/sessions/{session_id}/attendances/{attendance_id}", "delete"),
    ("/api/v1/activities/{activity_id}/sessions/{session_id}:decrementHeadCount", "post"),
    ("/api/v1/activities/{activity_id}/sessions/{session_id}/summary", "get"),
    ("/api/v1/audit/events", "get"),
])
def test_the_events_operations_are_described(node, path, method):
    op = node.get("/openapi.json").get_json()["paths"][path][method]
    assert op["tags"] in (["events"], ["audit"]) and (op.get("description") or path.endswith("summary"))
