"""The recurrence routes over fake channels: each REST call becomes the right RecurrenceService request, and
the answers and refusals come back as JSON and problems."""
from __future__ import annotations

import grpc

from brobygger.events.v1 import events_pb2, recurrence_pb2
from tests.gateway.test_gateway_unit import _errors, auth, rich_error

A = "organizations/mir/activities/a1"
REC = "/brobygger.events.v1.RecurrenceService/"
BODY = {"rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "start_date": "2027-01-13", "end_date": "2027-06-16",
        "start_time": "17:00", "duration_minutes": 120, "exception_dates": ["2027-02-22/2027-02-26"]}


def sent(channels):
    [(method, request, _)] = channels["events"].calls
    return method.rsplit("/", 1)[1], request


def test_put_sets_the_recurrence_of_the_activity_in_the_path(node, channels):
    channels["events"].on(REC + "SetRecurrence", lambda r: recurrence_pb2.Recurrence(
        name=r.recurrence.name, rule=r.recurrence.rule, scheduled_count=11, revision=1))
    resp = node.put("/api/v1/activities/a1/recurrence", json=BODY, headers=auth(**{"Idempotency-Key": "k-1"}))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json()["scheduled_count"] == 11
    rpc, request = sent(channels)
    assert (rpc, request.recurrence.name, request.recurrence.rule, list(request.recurrence.exception_dates),
            request.request_id) == ("SetRecurrence", f"{A}/recurrence", BODY["rule"], ["2027-02-22/2027-02-26"],
                                    "k-1")


def test_preview_and_a_refusal_naming_the_field(node, channels):
    channels["events"].on(REC + "PreviewRecurrence", lambda r: recurrence_pb2.PreviewRecurrenceResponse(
        dates=["2027-01-13", "2027-01-27"], new_dates=["2027-01-13", "2027-01-27"]))
    resp = node.post("/api/v1/activities/a1/recurrence:preview", json=BODY, headers=auth())
    assert resp.status_code == 200 and resp.get_json()["dates"] == ["2027-01-13", "2027-01-27"]
    assert sent(channels)[1].parent == A

    def refuse(request):
        raise rich_error(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "The recurrence has invalid fields.",
                         [("recurrence.end_date", "is required: the last day (or a COUNT in the rule)")])

    channels["events"].on(REC + "PreviewRecurrence", refuse)
    errors = _errors(node.post("/api/v1/activities/a1/recurrence:preview", json={**BODY, "end_date": ""},
                               headers=auth()))
    assert "last day" in errors.get("end_date", errors.get("recurrence.end_date", ""))


def test_get_and_list_occurrences(node, channels):
    channels["events"].on(REC + "GetRecurrence", lambda r: recurrence_pb2.Recurrence(name=r.name, revision=2))
    channels["events"].on(REC + "ListOccurrences", lambda r: recurrence_pb2.ListOccurrencesResponse(occurrences=[
        recurrence_pb2.Occurrence(session=events_pb2.Session(name=f"{A}/sessions/s1", date="2027-01-28"),
                                  rule_date="2027-01-27", moved=True)]))
    got = node.get("/api/v1/activities/a1/recurrence", headers=auth())
    assert got.status_code == 200 and got.get_json()["revision"] == 2
    listed = node.get("/api/v1/activities/a1/recurrence/occurrences?page_size=5", headers=auth())
    [occurrence] = listed.get_json()["occurrences"]
    assert occurrence["moved"] is True and occurrence["rule_date"] == "2027-01-27"
    assert [(r.parent, r.page_size) for m, r, _ in channels["events"].calls if m.endswith("ListOccurrences")] == [
        (f"{A}/recurrence", 5)]
