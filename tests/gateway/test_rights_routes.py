"""A data subject's rights in the REST API over fake channels: the export gathered from the four services
in one document, an erasure request and the erasure log."""
from __future__ import annotations

import grpc
from google.protobuf import struct_pb2

from brobygger.datasubject.v1 import datasubject_pb2
from brobygger.membership.v1 import erasure_pb2
from tests.gateway.test_gateway_unit import _errors, auth, rich_error

DATA_SUBJECT = "/brobygger.datasubject.v1.DataSubjectService/"
ERASURE = "/brobygger.membership.v1.ErasureService/"
P = "organizations/mir/persons/p1"
E = "organizations/mir/erasures/e1"


def _part(service: str, table: str, row: dict) -> datasubject_pb2.ServiceData:
    s = struct_pb2.Struct()
    s.update(row)
    return datasubject_pb2.ServiceData(service=service, tables=[datasubject_pb2.TableRows(
        table=table, description=f"{table} of the person", rows=[s])])


def test_an_export_is_one_document_from_every_service_with_the_purpose_passed_on(node, channels):
    for name, table in (("membership", "persons"), ("events", "attendances"), ("referral", "referrals"),
                        ("reporting", "fact_persons")):
        channels[name].on(DATA_SUBJECT + "ExportPersonData", lambda r, n=name, t=table: _part(n, t, {"person": r.person}))
    resp = node.get("/api/v1/persons/p1:export?purpose=her+request", headers=auth())
    assert resp.status_code == 200, resp.get_data(as_text=True)
    doc = resp.get_json()
    assert doc["format"] == "brobygger.person-data-export.v1" and doc["person"] == P and doc["export_time"]
    assert [s["service"] for s in doc["services"]] == ["membership", "events", "referral", "reporting"]
    assert doc["services"][1]["tables"][0] == {"table": "attendances", "description": "attendances of the person",
                                               "rows": [{"person": P}]}
    for name in channels:
        [(method, request, _)] = channels[name].calls
        assert (method, request.person, request.purpose) == (DATA_SUBJECT + "ExportPersonData", P, "her request")


def test_an_export_needs_a_purpose_and_fails_whole_when_a_service_refuses(node, channels):
    assert list(_errors(node.get("/api/v1/persons/p1:export", headers=auth()))) == ["purpose"]
    for name in ("membership", "events", "referral"):
        channels[name].on(DATA_SUBJECT + "ExportPersonData", lambda r, n=name: _part(n, "t", {}))

    def refuse(request):
        raise rich_error(grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED", "coordinators only")

    channels["reporting"].on(DATA_SUBJECT + "ExportPersonData", refuse)
    resp = node.get("/api/v1/persons/p1:export?purpose=x", headers=auth())
    assert resp.status_code == 403 and resp.get_json()["reason"] == "ROLE_REQUIRED"


def test_an_erasure_request_names_the_person_reason_and_confirmation(node, channels):
    channels["membership"].on(ERASURE + "RequestErasure", lambda r: erasure_pb2.Erasure(
        name=E, reason=r.reason, state=erasure_pb2.Erasure.STATE_IN_PROGRESS, requester_role="coordinator"))
    resp = node.post("/api/v1/persons/p1:erase", headers=auth(**{"Idempotency-Key": "k-1"}),
                     json={"reason": "ERASURE_REASON_OBJECTION", "confirm": True})
    assert resp.status_code == 202, resp.get_data(as_text=True)
    assert resp.get_json()["name"] == E and resp.get_json()["state"] == "STATE_IN_PROGRESS"
    [(method, request, _)] = channels["membership"].calls
    assert (request.person, request.reason, request.confirm, request.request_id) == (
        P, erasure_pb2.ERASURE_REASON_OBJECTION, True, "k-1")
    # The person cannot be given in the body: the path names them.
    assert "person" in _errors(node.post("/api/v1/persons/p1:erase", headers=auth(),
                                         json={"person": "organizations/mir/persons/p2", "confirm": True}))


def test_an_erasure_in_progress_is_a_conflict(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "ERASURE_IN_PROGRESS", f"follow it at {E}.")

    channels["membership"].on(ERASURE + "RequestErasure", refuse)
    resp = node.post("/api/v1/persons/p1:erase", headers=auth(),
                     json={"reason": "ERASURE_REASON_OBJECTION", "confirm": True})
    assert resp.status_code == 409 and resp.get_json()["reason"] == "ERASURE_IN_PROGRESS"


def test_the_erasure_log(node, channels):
    channels["membership"].on(ERASURE + "GetErasure", lambda r: erasure_pb2.Erasure(name=r.name))
    channels["membership"].on(ERASURE + "ListErasures", lambda r: erasure_pb2.ListErasuresResponse(
        erasures=[erasure_pb2.Erasure(name=E)], next_page_token="t2"))
    assert node.get("/api/v1/erasures/e1", headers=auth()).get_json()["name"] == E
    page = node.get("/api/v1/erasures?page_size=5", headers=auth()).get_json()
    assert [e["name"] for e in page["erasures"]] == [E] and page["next_page_token"] == "t2"
    assert channels["membership"].calls[-1][1].page_size == 5


def test_the_routes_are_in_the_openapi_document(node):
    paths = node.get("/openapi.json").get_json()["paths"]
    for path in ("/api/v1/persons/{person_id}:export", "/api/v1/persons/{person_id}:erase", "/api/v1/erasures",
                 "/api/v1/erasures/{erasure_id}"):
        assert path in paths


def test_an_erasure_in_progress_is_sent_again_and_a_completed_one_is_a_conflict(node, channels):
    channels["membership"].on(ERASURE + "ResendErasure", lambda r: erasure_pb2.Erasure(
        name=r.name, state=erasure_pb2.Erasure.STATE_IN_PROGRESS))
    resp = node.post("/api/v1/erasures/e1:resend", headers=auth(**{"Idempotency-Key": "k-2"}))
    assert resp.status_code == 202, resp.get_data(as_text=True)
    assert resp.get_json()["name"] == E and resp.get_json()["state"] == "STATE_IN_PROGRESS"
    [(method, request, _)] = channels["membership"].calls
    assert (method, request.name, request.request_id) == (ERASURE + "ResendErasure", E, "k-2")

    def refuse(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "ERASURE_COMPLETED",
                         f"The erasure {E} is completed: every service has erased the person.")

    channels["membership"].on(ERASURE + "ResendErasure", refuse)
    resp = node.post("/api/v1/erasures/e1:resend", headers=auth())
    assert resp.status_code == 409 and resp.get_json()["reason"] == "ERASURE_COMPLETED"
    assert "every service has erased the person" in resp.get_json()["detail"]
