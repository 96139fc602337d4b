"""Gateway unit tests: Flask's test client, no network.

The gRPC services are replaced by fake channels that answer with proto
messages or rich gRPC errors built exactly as the services' error interceptor
builds them, so these tests cover the gateway's own mapping (HTTP <-> JSON <->
proto, gRPC status -> problem+json, auth at the edge). End-to-end behaviour
against real services is tested in tests/federation.
"""
from __future__ import annotations

import logging

import flask
import grpc
import pytest
from grpc_health.v1 import health_pb2
from openapi_spec_validator import validate
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from brobygger.events.v1 import events_pb2
from brobygger.membership.v1 import membership_pb2
from brobygger.referral.v1 import referral_pb2
from brobygger.reporting.v1 import reporting_pb2
from brobygger.type.v1 import types_pb2
from gateway import app as gateway_app
from gateway.app import create_app, current_token
from gateway.openapi import openapi_path
from gateway.web.ui import is_page
from services.common import telemetry
from services.common.auth import AuthError, Principal
from services.common.errors import FieldViolation
from services.common.grpcserver import status_for
from services.common.settings import load

MIR_TOKEN = "token-coordinator-mir"
MIRA_TOKEN = "token-coordinator-mira"
ANALYST_TOKEN = "token-analyst-imdi"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"

PRINCIPALS = {
    MIR_TOKEN: Principal("u-1", "coordinator-mir", "brobygger-web", frozenset({"mir"}), frozenset({"coordinator"})),
    MIRA_TOKEN: Principal("u-2", "coordinator-mira", "brobygger-web", frozenset({"mira"}),
                          frozenset({"coordinator"})),
    ANALYST_TOKEN: Principal("u-3", "analyst-imdi", "brobygger-web", frozenset({"imdi"}), frozenset({"analyst"})),
}


class FakeVerifier:
    def verify(self, token: str) -> Principal:
        if token not in PRINCIPALS:
            raise AuthError("TOKEN_INVALID", "The token's signature does not verify.")
        return PRINCIPALS[token]


class FakeRpcError(grpc.RpcError, grpc.Call):
    """A failed call as grpcio reports it, carrying google.rpc.Status details."""

    def __init__(self, status: grpc.Status | None = None, *, code=None, details: str = "") -> None:
        self._code = status.code if status is not None else code
        self._details = status.details if status is not None else details
        self._trailing = status.trailing_metadata if status is not None else ()

    def code(self):
        return self._code

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailing

    def initial_metadata(self):
        return ()

    def is_active(self):
        return False

    def time_remaining(self):
        return None

    def cancel(self):
        return False

    def add_callback(self, callback):
        return False


def rich_error(code: grpc.StatusCode, reason: str, message: str, violations=()) -> FakeRpcError:
    return FakeRpcError(status_for(code, reason, message, violations=[FieldViolation(f, d) for f, d in violations]))


class _Future:
    def __init__(self, fn, request):
        self.fn, self.request = fn, request

    def result(self, timeout=None):
        return self.fn(self.request)


class _MultiCallable:
    def __init__(self, channel: "FakeChannel", method: str) -> None:
        self.channel, self.method = channel, method

    def __call__(self, request, timeout=None, metadata=None, **kwargs):
        self.channel.calls.append((self.method, request, timeout))
        handler = self.channel.handlers.get(self.method)
        if handler is None:
            raise FakeRpcError(code=grpc.StatusCode.UNIMPLEMENTED, details=f"no fake for {self.method}")
        return handler(request)

    def future(self, request, timeout=None, metadata=None, **kwargs):
        return _Future(lambda r: self(r, timeout=timeout, metadata=metadata), request)


class FakeChannel:
    """Stands in for a grpc.Channel: handlers by full method path."""

    def __init__(self) -> None:
        self.handlers: dict = {}
        self.calls: list = []

    def on(self, method: str, handler) -> None:
        self.handlers[method] = handler

    def unary_unary(self, method, request_serializer=None, response_deserializer=None, **kwargs):
        return _MultiCallable(self, method)

    def unary_stream(self, method, *args, **kwargs):
        return None  # Health.Watch: built by the stub, never called

    def close(self) -> None:
        pass


MEMBERSHIP = "/brobygger.membership.v1.MembershipService/"
EVENTS = "/brobygger.events.v1.EventsService/"
REFERRAL = "/brobygger.referral.v1.ReferralService/"
REPORTING = "/brobygger.reporting.v1.ReportingService/"
FEDERATION = "/brobygger.reporting.v1.FederationService/"
HEALTH = "/grpc.health.v1.Health/Check"


def auth(token: str = MIR_TOKEN, **headers) -> dict:
    return {"Authorization": f"Bearer {token}", **headers}


def stored_person(request) -> membership_pb2.Person:
    person = membership_pb2.Person()
    person.CopyFrom(request.person)
    person.name = "organizations/mir/persons/p1"
    return person


# ---------------------------------------------------------------------- happy paths

def test_register_person_maps_body_idempotency_key_and_token(node, channels):
    seen = {}

    def register(request):
        seen["token"] = current_token()
        seen["request"] = request
        return stored_person(request)

    channels["membership"].on(MEMBERSHIP + "RegisterPerson", register)
    body = {"given_name": "Amina", "family_name": "Khan", "birth_year": 1984, "gender": "GENDER_FEMALE",
            "preferred_languages": ["ur", "nb"], "municipality": "Oslo"}
    resp = node.post("/api/v1/persons", json=body, headers=auth(**{"Idempotency-Key": "7d6f0c1e-retry-1"}))
    assert resp.status_code == 201, resp.get_json()
    assert resp.headers["Location"] == "/api/v1/persons/p1"
    data = resp.get_json()
    assert data["name"] == "organizations/mir/persons/p1"
    assert data["gender"] == "GENDER_FEMALE"
    assert data["birth_year"] == 1984
    assert data["preferred_languages"] == ["ur", "nb"]
    assert data["postal_code"] == ""  # every field present, snake_case
    request = seen["request"]
    assert request.parent == "organizations/mir"
    assert request.request_id == "7d6f0c1e-retry-1"
    assert request.person.gender == types_pb2.GENDER_FEMALE
    assert seen["token"] == MIR_TOKEN  # forwarded to the service
    assert channels["membership"].calls[0][2] is not None  # every call has a deadline


def test_lists_pass_paging_and_64_bit_numbers_are_numbers(node, channels):
    channels["membership"].on(MEMBERSHIP + "ListMembershipYears", lambda r: membership_pb2.ListMembershipYearsResponse(
        membership_years=[membership_pb2.MembershipYear(
            name=f"{r.parent}/membershipYears/2025", year=2025, fee_nok=200,
            payment_state=membership_pb2.PAYMENT_STATE_PAID)],
        next_page_token="next"))
    resp = node.get("/api/v1/persons/p1/membership-years?page_size=10&page_token=abc&purpose=fee+reminder",
                    headers=auth())
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["next_page_token"] == "next"
    assert data["membership_years"][0]["fee_nok"] == 200
    assert data["membership_years"][0]["payment_state"] == "PAYMENT_STATE_PAID"
    request = channels["membership"].calls[0][1]
    assert (request.parent, request.page_size, request.page_token, request.purpose) == (
        "organizations/mir/persons/p1", 10, "abc", "fee reminder")


def test_get_person_passes_purpose(node, channels):
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: membership_pb2.Person(name=r.name))
    resp = node.get("/api/v1/persons/p1?purpose=follow-up", headers=auth())
    assert resp.status_code == 200
    request = channels["membership"].calls[0][1]
    assert (request.name, request.purpose) == ("organizations/mir/persons/p1", "follow-up")


@pytest.mark.parametrize("path, service, rpc, response", [
    ("/api/v1/persons", "membership", "ListPersons", membership_pb2.ListPersonsResponse()),
    ("/api/v1/persons/p1", "membership", "GetPerson", membership_pb2.Person(name="organizations/mir/persons/p1")),
    ("/api/v1/persons/p1/membership-years", "membership", "ListMembershipYears",
     membership_pb2.ListMembershipYearsResponse()),
    ("/api/v1/referrals", "referral", "ListReferrals", referral_pb2.ListReferralsResponse()),
    ("/api/v1/referrals/r1", "referral", "GetReferral", referral_pb2.Referral(name="organizations/mir/referrals/r1")),
])
def test_every_read_of_personal_data_needs_a_purpose(node, channels, path, service, rpc, response):
    prefix = MEMBERSHIP if service == "membership" else REFERRAL
    channels[service].on(prefix + rpc, lambda r: response)
    for query in ("", "?purpose=", "?purpose=%20%20", "?purpose=" + "x" * 201, "?purpose=a%0Ab"):
        errors = _errors(node.get(path + query, headers=auth()))
        assert list(errors) == ["purpose"], query
    missing = _errors(node.get(path, headers=auth()))["purpose"]
    assert missing.startswith("is required: say why you read ") and "e.g." in missing
    assert channels[service].calls == []
    assert node.get(path + "?purpose=%20weekly%20review%20", headers=auth()).status_code == 200
    assert channels[service].calls[0][1].purpose == "weekly review"


def test_list_persons_passes_the_search_and_the_chapter(node, channels):
    channels["membership"].on(MEMBERSHIP + "ListPersons", lambda r: membership_pb2.ListPersonsResponse(
        persons=[membership_pb2.Person(name="organizations/mir/persons/p1", given_name="Øyvind")],
        next_page_token="next"))
    resp = node.get("/api/v1/persons?query=%C3%98YV%20%C3%A5s&chapter=linderud&page_size=5&purpose=adding+to+the+session",
                    headers=auth())
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["persons"][0]["given_name"] == "Øyvind"
    request = channels["membership"].calls[0][1]
    assert (request.query, request.chapter, request.page_size, request.purpose) == (
        "ØYV ås", "linderud", 5, "adding to the session")
    errors = _errors(node.get("/api/v1/persons?purpose=x&query=" + "a" * 101 + "&chapter=" + "c" * 42,
                              headers=auth()))
    assert set(errors) == {"query", "chapter"} and len(channels["membership"].calls) == 1


def test_batch_get_persons_takes_names_or_ids_in_order(node, channels):
    channels["membership"].on(MEMBERSHIP + "BatchGetPersons", lambda r: membership_pb2.BatchGetPersonsResponse(
        persons=[membership_pb2.Person(name=n) for n in r.names]))
    resp = node.get("/api/v1/persons:batchGet?names=organizations/mir/persons/p2&names=p1&names=p2"
                    "&purpose=attendance", headers=auth())
    assert resp.status_code == 200, resp.get_json()
    assert [p["name"] for p in resp.get_json()["persons"]] == [
        "organizations/mir/persons/p2", "organizations/mir/persons/p1", "organizations/mir/persons/p2"]
    request = channels["membership"].calls[0][1]
    assert (request.parent, request.purpose) == ("organizations/mir", "attendance")


def test_batch_get_persons_checks_names_and_purpose_before_calling(node, channels):
    assert set(_errors(node.get("/api/v1/persons:batchGet", headers=auth()))) == {"names", "purpose"}
    too_many = "&".join(f"names=p{i}" for i in range(101))
    assert "names" in _errors(node.get(f"/api/v1/persons:batchGet?{too_many}&purpose=x", headers=auth()))
    assert "names[1]" in _errors(node.get("/api/v1/persons:batchGet?names=p1&names=%20&purpose=x", headers=auth()))
    assert channels["membership"].calls == []


def test_a_missing_person_of_a_batch_is_404_naming_it(node, channels):
    def fail(request):
        raise rich_error(grpc.StatusCode.NOT_FOUND, "PERSON_NOT_FOUND",
                         "There is no person organizations/mir/persons/gone at this node.",
                         [("names[1]", "no such person")])

    channels["membership"].on(MEMBERSHIP + "BatchGetPersons", fail)
    resp = node.get("/api/v1/persons:batchGet?names=p1&names=gone&purpose=attendance", headers=auth())
    assert resp.status_code == 404
    problem = resp.get_json()
    assert problem["reason"] == "PERSON_NOT_FOUND" and "organizations/mir/persons/gone" in problem["detail"]
    assert problem["errors"] == [{"field": "names[1]", "detail": "no such person"}]


def test_update_person_takes_the_mask_from_the_query(node, channels):
    channels["membership"].on(MEMBERSHIP + "UpdatePerson", lambda r: r.person)
    resp = node.patch("/api/v1/persons/p1?update_mask=phone,%20email",
                      json={"phone": "+47 400 00 000", "email": "", "given_name": "Not in the mask"},
                      headers=auth(**{"Idempotency-Key": "fix-1"}))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["name"] == "organizations/mir/persons/p1"
    request = channels["membership"].calls[0][1]
    assert list(request.update_mask.paths) == ["phone", "email"]
    assert (request.person.name, request.person.phone, request.request_id) == (
        "organizations/mir/persons/p1", "+47 400 00 000", "fix-1")


def test_update_person_without_a_mask_corrects_the_fields_the_body_holds(node, channels):
    channels["membership"].on(MEMBERSHIP + "UpdatePerson", lambda r: r.person)
    body = {"name": "organizations/mir/persons/other", "birthYear": 1986, "email": "", "update_time": None}
    assert node.patch("/api/v1/persons/p1", json=body, headers=auth()).status_code == 200
    request = channels["membership"].calls[0][1]
    assert list(request.update_mask.paths) == ["birth_year", "email"]  # output-only fields aside
    assert request.person.name == "organizations/mir/persons/p1"  # the path names the person, not the body


def test_a_refused_update_mask_is_a_problem_listing_the_fields(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.INVALID_ARGUMENT, "UPDATE_MASK_REQUIRED",
                         "update_mask must name the fields to correct. Correctable fields: given_name, phone.",
                         [("update_mask", "name one or more of: given_name, phone")])

    channels["membership"].on(MEMBERSHIP + "UpdatePerson", refuse)
    resp = node.patch("/api/v1/persons/p1?update_mask=*", json={"phone": "1"}, headers=auth())
    assert resp.status_code == 400 and resp.get_json()["reason"] == "UPDATE_MASK_REQUIRED"
    assert "update_mask" in _errors(resp)
    assert "person.nickname" in _errors(node.patch("/api/v1/persons/p1", json={"nickname": "x"}, headers=auth()))


def test_list_referrals_passes_state_direction_and_purpose(node, channels):
    channels["referral"].on(REFERRAL + "ListReferrals", lambda r: referral_pb2.ListReferralsResponse())
    resp = node.get("/api/v1/referrals?state=REFERRAL_STATE_ACCEPTED&direction=DIRECTION_INCOMING"
                    "&purpose=case+review", headers=auth())
    assert resp.status_code == 200
    request = channels["referral"].calls[0][1]
    assert (request.parent, request.state, request.direction, request.purpose) == (
        "organizations/mir", referral_pb2.REFERRAL_STATE_ACCEPTED, referral_pb2.DIRECTION_INCOMING, "case review")


@pytest.mark.parametrize("service, prefix, module", [("membership", MEMBERSHIP, membership_pb2),
                                                     ("events", EVENTS, events_pb2),
                                                     ("referral", REFERRAL, referral_pb2),
                                                     ("reporting", REPORTING, reporting_pb2)])
def test_each_services_audit_log_has_its_route(node, channels, service, prefix, module):
    from brobygger.type.v1 import audit_pb2

    entry = audit_pb2.AuditEntry(sequence=12, actor="volunteer-mir", action="person.profile.read",
                                 client="service-account-node-mir on behalf of volunteer-mir",
                                 resource="organizations/mir/persons/p1", purpose="statistics")
    entry.create_time.FromSeconds(1_760_000_000)
    channels[service].on(prefix + "ListAuditEntries", lambda r: module.ListAuditEntriesResponse(
        audit_entries=[entry], next_page_token="next"))
    resp = node.get(f"/api/v1/audit/{service}?resource=organizations/mir/persons/p1&actor=volunteer-mir"
                    "&page_size=20&page_token=t", headers=auth())
    assert resp.status_code == 200, resp.get_json()
    [got] = resp.get_json()["audit_entries"]
    assert (got["sequence"], got["actor"], got["client"], got["create_time"]) == (
        12, "volunteer-mir", "service-account-node-mir on behalf of volunteer-mir", "2025-10-09T08:53:20Z")
    assert resp.get_json()["next_page_token"] == "next"
    request = channels[service].calls[0][1]
    assert (request.parent, request.resource, request.actor, request.page_size, request.page_token) == (
        "organizations/mir", "organizations/mir/persons/p1", "volunteer-mir", 20, "t")


def test_a_refused_audit_log_read_is_a_problem(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED",
                         "Calling ListAuditEntries needs one of the roles coordinator.")

    channels["referral"].on(REFERRAL + "ListAuditEntries", refuse)
    resp = node.get("/api/v1/audit/referral", headers=auth())
    assert resp.status_code == 403 and resp.get_json()["reason"] == "ROLE_REQUIRED"
    assert node.get("/api/v1/audit/gateway", headers=auth()).status_code == 404  # only the services keep one
    errors = _errors(node.get("/api/v1/audit/membership?resource=" + "r" * 301 + "&actor=" + "a" * 201,
                              headers=auth()))
    assert set(errors) == {"resource", "actor"} and channels["membership"].calls == []


def test_attendance_head_count(node, channels):
    channels["events"].on(EVENTS + "RecordAttendance", lambda r: events_pb2.Attendance(
        name=f"{r.parent}/attendances/a1", head_count=r.attendance.head_count))
    resp = node.post("/api/v1/activities/act1/sessions/s1/attendances", headers=auth(), json={
        "head_count": {"gender": "GENDER_FEMALE", "age_band": "AGE_BAND_26_66", "count": 14}})
    assert resp.status_code == 201
    request = channels["events"].calls[0][1]
    assert request.parent == "organizations/mir/activities/act1/sessions/s1"
    assert resp.get_json()["head_count"] == {"gender": "GENDER_FEMALE", "age_band": "AGE_BAND_26_66", "count": 14}
    assert "person" not in resp.get_json()  # the other member of the oneof is absent


@pytest.mark.parametrize("action, rpc", [("accept", "AcceptReferral"), ("reject", "RejectReferral"),
                                         ("complete", "CompleteReferral")])
def test_referral_actions(node, channels, action, rpc):
    channels["referral"].on(REFERRAL + rpc, lambda r: referral_pb2.Referral(
        name=r.name, state=referral_pb2.REFERRAL_STATE_ACCEPTED))
    body = {"declined_by": "provider", "outcome": "no_capacity"} if action == "reject" else {}
    resp = node.post(f"/api/v1/referrals/r1:{action}", json=body, headers=auth(**{"Idempotency-Key": "k1"}))
    assert resp.status_code == 200, resp.get_json()
    request = channels["referral"].calls[0][1]
    assert request.name == "organizations/mir/referrals/r1"
    assert request.request_id == "k1"
    if action == "reject":
        assert (request.declined_by, request.outcome) == ("provider", "no_capacity")


def test_accept_without_body(node, channels):
    channels["referral"].on(REFERRAL + "AcceptReferral", lambda r: referral_pb2.Referral(name=r.name))
    assert node.post("/api/v1/referrals/r1:accept", headers=auth()).status_code == 200


def test_action_body_may_not_carry_the_name(node, channels):
    resp = node.post("/api/v1/referrals/r1:complete", json={"name": "organizations/mira/referrals/9"},
                     headers=auth())
    assert resp.status_code == 400
    assert resp.get_json()["errors"][0]["field"] == "name"
    assert channels["referral"].calls == []


def test_node_statistics_render_cells(node, channels):
    channels["reporting"].on(REPORTING + "GetStatistics", lambda r: reporting_pb2.Statistics(
        organization="mir", period=r.period,
        members=reporting_pb2.Cell(value=0),
        paying_members=reporting_pb2.Cell(suppressed=reporting_pb2.SUPPRESSION_PRIMARY)))
    resp = node.get("/api/v1/statistics?start_date=2025-01-01&end_date=2025-12-31", headers=auth())
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["members"] == {"value": 0}
    assert data["paying_members"] == {"value": None, "suppressed": "primary"}
    request = channels["reporting"].calls[0][1]
    assert request.organization == "organizations/mir"
    assert (request.period.start_date, request.period.end_date) == ("2025-01-01", "2025-12-31")


# ---------------------------------------------------------------------- gRPC errors -> problems

@pytest.mark.parametrize("code, status", [
    (grpc.StatusCode.INVALID_ARGUMENT, 400),
    (grpc.StatusCode.OUT_OF_RANGE, 400),
    (grpc.StatusCode.UNAUTHENTICATED, 401),
    (grpc.StatusCode.PERMISSION_DENIED, 403),
    (grpc.StatusCode.NOT_FOUND, 404),
    (grpc.StatusCode.ALREADY_EXISTS, 409),
    (grpc.StatusCode.ABORTED, 409),
    (grpc.StatusCode.FAILED_PRECONDITION, 409),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
    (grpc.StatusCode.UNAVAILABLE, 503),
    (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    (grpc.StatusCode.INTERNAL, 500),
    (grpc.StatusCode.UNKNOWN, 500),
    (grpc.StatusCode.UNIMPLEMENTED, 500),
])
def test_grpc_codes_become_problems(node, channels, code, status):
    def fail(request):
        raise rich_error(code, "PERSON_NOT_FOUND", "No person p1 at organisation mir.")

    channels["membership"].on(MEMBERSHIP + "GetPerson", fail)
    resp = node.get("/api/v1/persons/p1?purpose=follow-up", headers=auth(traceparent=TRACEPARENT))
    assert resp.status_code == status
    assert resp.content_type == "application/problem+json"
    problem = resp.get_json()
    assert problem["status"] == status
    assert problem["trace_id"] == TRACE_ID
    if status < 500 or code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        assert problem["reason"] == "PERSON_NOT_FOUND"
        assert problem["type"] == "https://brobygger.no/problems/person-not-found"
        assert problem["title"] == "Person not found"
        assert problem["detail"] == "No person p1 at organisation mir."
    else:
        assert problem["reason"] == "INTERNAL"
        assert "p1" not in problem["detail"] and TRACE_ID in problem["detail"]
    if status == 401:
        assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]
    if status in (429, 503):
        assert resp.headers["Retry-After"]


def test_field_violations_become_errors(node, channels):
    def fail(request):
        raise rich_error(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS",
                         "The person has invalid fields: person.birth_year.",
                         [("person.birth_year", "must be between 1900 and this year")])

    channels["membership"].on(MEMBERSHIP + "RegisterPerson", fail)
    resp = node.post("/api/v1/persons", json={"given_name": "A", "birth_year": 1066}, headers=auth())
    assert resp.status_code == 400
    problem = resp.get_json()
    assert problem["reason"] == "INVALID_FIELDS"
    assert problem["errors"] == [{"field": "person.birth_year", "detail": "must be between 1900 and this year"}]


def test_transport_errors_do_not_leak_addresses(node, channels):
    def down(request):
        raise FakeRpcError(code=grpc.StatusCode.UNAVAILABLE,
                           details="failed to connect to all addresses; last error: 10.0.3.7:50051 refused")

    channels["membership"].on(MEMBERSHIP + "ListPersons", down)
    resp = node.get("/api/v1/persons?purpose=planning", headers=auth())
    assert resp.status_code == 503
    problem = resp.get_json()
    assert problem["reason"] == "SERVICE_UNAVAILABLE"
    assert "10.0.3.7" not in resp.get_data(as_text=True)
    assert "membership" in problem["detail"]


def test_period_violations_are_named_by_query_parameter(node, channels):
    def fail(request):
        raise rich_error(grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PERIOD", "The period ends before it starts.",
                         [("period.end_date", "must not be before start_date")])

    channels["reporting"].on(REPORTING + "GetStatistics", fail)
    resp = node.get("/api/v1/statistics?start_date=2025-12-31&end_date=2025-01-01", headers=auth())
    assert resp.status_code == 400
    assert resp.get_json()["errors"] == [{"field": "end_date", "detail": "must not be before start_date"}]


# ---------------------------------------------------------------------- bad requests named by field

def _errors(resp) -> dict:
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.content_type == "application/problem+json"
    return {e["field"]: e["detail"] for e in resp.get_json()["errors"]}


def test_unknown_field_is_named(node, channels):
    errors = _errors(node.post("/api/v1/persons", json={"given_name": "A", "nickname": "x"}, headers=auth()))
    assert "person.nickname" in errors
    assert "given_name" in errors["person.nickname"]  # says which fields exist
    assert channels["membership"].calls == []


def test_wrong_types_are_named(node, channels):
    errors = _errors(node.post("/api/v1/persons", headers=auth(), json={
        "birth_year": "nineteen eighty", "gender": "FEMALE", "preferred_languages": "ur", "email": 5}))
    assert set(errors) == {"person.birth_year", "person.gender", "person.preferred_languages", "person.email"}
    assert "GENDER_FEMALE" in errors["person.gender"]
    assert channels["membership"].calls == []


def test_int32_range_and_nested_paths(node, channels):
    errors = _errors(node.post("/api/v1/activities/a1/sessions/s1/attendances", headers=auth(), json={
        "head_count": {"gender": "GENDER_FEMALE", "age_band": "AGE_BAND_OLD", "count": 2**40}}))
    assert set(errors) == {"attendance.head_count.age_band", "attendance.head_count.count"}


def test_oneof_members_together(node):
    errors = _errors(node.post("/api/v1/activities/a1/sessions/s1/attendances", headers=auth(), json={
        "person": "organizations/mir/persons/p1", "head_count": {"count": 3}}))
    assert "attendance.person" in errors
    assert "attendance.head_count" in errors["attendance.person"]


@pytest.mark.parametrize("body", ["[1, 2]", "\"Amina\"", "42", "null"])
def test_body_not_an_object(node, body):
    errors = _errors(node.post("/api/v1/persons", data=body, content_type="application/json", headers=auth()))
    assert errors == {"person": "must be a JSON object"}


def test_body_not_json(node):
    resp = node.post("/api/v1/persons", data="{given_name: Amina", content_type="application/json",
                     headers=auth())
    assert resp.status_code == 400
    problem = resp.get_json()
    assert problem["reason"] == "INVALID_JSON"
    assert problem["errors"][0]["field"] == "person"
    assert "Amina" not in problem["detail"]


def test_missing_body(node):
    assert "person" in _errors(node.post("/api/v1/persons", headers=auth()))


def test_wrong_media_type(node):
    resp = node.post("/api/v1/persons", data="given_name=Amina", content_type="application/x-www-form-urlencoded",
                     headers=auth())
    assert resp.status_code == 415
    assert resp.get_json()["reason"] == "UNSUPPORTED_MEDIA_TYPE"


def test_bad_query_parameters_are_named(node, channels):
    assert "page_size" in _errors(node.get("/api/v1/persons?page_size=lots", headers=auth()))
    assert "state" in _errors(node.get("/api/v1/referrals?state=OPEN", headers=auth()))
    errors = _errors(node.get("/api/v1/statistics?start_date=2025-13-01", headers=auth()))
    assert set(errors) == {"start_date", "end_date"}
    assert all(not c.calls for c in channels.values())


def test_bad_idempotency_key(node):
    errors = _errors(node.post("/api/v1/persons", json={}, headers=auth(**{"Idempotency-Key": "a b"})))
    assert "Idempotency-Key" in errors


# ---------------------------------------------------------------------- authentication and authorisation

def test_missing_token_is_401(node, channels):
    resp = node.get("/api/v1/persons")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]
    problem = resp.get_json()
    assert problem["reason"] == "TOKEN_MISSING"
    assert problem["type"] == "https://brobygger.no/problems/token-missing"
    assert channels["membership"].calls == []


def test_invalid_token_is_401(node):
    resp = node.post("/api/v1/persons", json={}, headers=auth("forged"))
    assert resp.status_code == 401
    assert resp.get_json()["reason"] == "TOKEN_INVALID"
    assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]


def test_issuer_down_is_503(channels):
    class Down:
        def verify(self, token):
            raise AuthError("ISSUER_UNAVAILABLE", "Cannot reach the identity provider.")

    settings = load("gateway", {"BROBYGGER_ORG": "mir"})
    client = create_app(settings, verifier=Down(), channels=channels).test_client()
    resp = client.get("/api/v1/persons", headers=auth())
    assert resp.status_code == 503
    assert resp.get_json()["reason"] == "ISSUER_UNAVAILABLE"


def test_other_organisation_is_403(node, channels):
    resp = node.get("/api/v1/persons", headers=auth(MIRA_TOKEN))
    assert resp.status_code == 403
    problem = resp.get_json()
    assert problem["reason"] == "WRONG_ORGANIZATION"
    assert "mir" in problem["detail"] and "mira" in problem["detail"]
    assert channels["membership"].calls == []


def test_hub_needs_analyst(hub, hub_channel):
    resp = hub.get("/api/v1/federation/nodes", headers=auth(MIR_TOKEN))
    assert resp.status_code == 403
    assert resp.get_json()["reason"] == "ROLE_REQUIRED"
    assert hub.get("/api/v1/federation/nodes").status_code == 401
    assert hub_channel.calls == []


def test_node_routes_absent_on_hub(hub):
    assert hub.get("/api/v1/persons", headers=auth(ANALYST_TOKEN)).status_code == 404


# ---------------------------------------------------------------------- routing problems

def test_unknown_route_and_wrong_method(node):
    resp = node.get("/api/v1/nothing-here", headers=auth())
    assert resp.status_code == 404
    assert resp.content_type == "application/problem+json"
    assert resp.get_json()["reason"] == "ROUTE_NOT_FOUND"
    resp = node.delete("/api/v1/persons", headers=auth())
    assert resp.status_code == 405
    assert resp.get_json()["reason"] == "METHOD_NOT_ALLOWED"
    assert set(resp.headers["Allow"].split(", ")) >= {"GET", "POST"}
    resp = node.get("/api/v1/referrals/r1:accept", headers=auth())
    assert resp.status_code == 405
    assert resp.headers["Allow"] == "POST"
    assert node.post("/api/v1/referrals/r1:archive", headers=auth()).status_code == 404


# ---------------------------------------------------------------------- hub: cells and node status

def test_hub_renders_cells_and_node_status(hub, hub_channel):
    stats = reporting_pb2.Statistics(
        organization="mir", period=types_pb2.DateRange(start_date="2025-01-01", end_date="2025-12-31"),
        members=reporting_pb2.Cell(value=12),
        paying_members=reporting_pb2.Cell(value=0),
        activities=reporting_pb2.Cell(suppressed=reporting_pb2.SUPPRESSION_PRIMARY),
        sessions=reporting_pb2.Cell(suppressed=reporting_pb2.SUPPRESSION_SECONDARY),
        participants=[reporting_pb2.ParticipantCell(
            gender=types_pb2.GENDER_FEMALE, age_band=types_pb2.AGE_BAND_26_66,
            unique=reporting_pb2.Cell(value=40), visits=reporting_pb2.Cell(suppressed=reporting_pb2.SUPPRESSION_PRIMARY))],
        referrals=[reporting_pb2.ReferralCell(state="REFERRAL_STATE_COMPLETED", count=reporting_pb2.Cell(value=7))],
        min_cell_size=5,
    )
    seen = {}

    def query(request):
        seen["request"] = request
        seen["token"] = current_token()
        return reporting_pb2.FederatedStatistics(
            period=request.period,
            nodes=[reporting_pb2.NodeResult(organization="mir", statistics=stats, latency_ms=31),
                   reporting_pb2.NodeResult(organization="mkr", error="DEADLINE_EXCEEDED", latency_ms=1500)],
            missing_organizations=["mkr"])

    hub_channel.on(FEDERATION + "QueryStatistics", query)
    resp = hub.get("/api/v1/federation/statistics?start_date=2025-01-01&end_date=2025-12-31&node_timeout_ms=1500",
                   headers=auth(ANALYST_TOKEN))
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    assert data["missing_organizations"] == ["mkr"]
    mir, mkr = data["nodes"]
    assert mir["status"] == "ok" and mkr["status"] == "unavailable"
    assert mkr["error"] == "DEADLINE_EXCEEDED" and "statistics" not in mkr
    s = mir["statistics"]
    assert s["members"] == {"value": 12}
    assert s["paying_members"] == {"value": 0}  # zero is a value
    assert s["activities"] == {"value": None, "suppressed": "primary"}
    assert s["sessions"] == {"value": None, "suppressed": "secondary"}
    assert s["participants"][0]["unique"] == {"value": 40}
    assert s["participants"][0]["visits"] == {"value": None, "suppressed": "primary"}
    assert s["participants"][0]["gender"] == "GENDER_FEMALE"
    assert s["referrals"][0]["count"] == {"value": 7}
    assert s["visits_total"] == {"value": None}  # not reported: neither a count nor suppressed
    assert seen["request"].node_timeout_ms == 1500
    assert seen["token"] == ANALYST_TOKEN
    timeout = hub_channel.calls[0][2]
    assert timeout is not None and timeout > 1.5


def test_hub_shows_a_node_with_noise_and_a_node_that_refused_for_the_budget(hub, hub_channel):
    noisy = reporting_pb2.Statistics(
        organization="mira", members=reporting_pb2.Cell(value=3), min_cell_size=0,
        privacy=reporting_pb2.StatisticsPrivacy(
            epsilon=0.5, noise_scale=26.0, margin_95=77, sensitivity=13, visits_per_person=4,
            budget=reporting_pb2.PrivacyBudget(organization="organizations/mira", enabled=True,
                                               analyst="analyst-imdi", epsilon_spent=1.5, epsilon_limit=10,
                                               epsilon_remaining=8.5, epsilon_per_query=0.5)))
    message = "The privacy budget of analyst-imdi at this node is spent: 10 of 10 epsilon used."
    hub_channel.on(FEDERATION + "QueryStatistics", lambda request: reporting_pb2.FederatedStatistics(
        period=request.period,
        nodes=[reporting_pb2.NodeResult(organization="mira", statistics=noisy, latency_ms=20),
               reporting_pb2.NodeResult(organization="mir", error="PRIVACY_BUDGET_EXHAUSTED",
                                        error_message=message, latency_ms=12)],
        missing_organizations=["mir"]))
    resp = hub.get("/api/v1/federation/statistics?start_date=2025-01-01&end_date=2025-12-31",
                   headers=auth(ANALYST_TOKEN))
    assert resp.status_code == 200, resp.get_json()
    mira, mir = resp.get_json()["nodes"]
    assert (mir["status"], mir["error"], mir["error_message"]) == ("refused", "PRIVACY_BUDGET_EXHAUSTED", message)
    assert mira["status"] == "ok" and mira["statistics"]["members"] == {"value": 3}
    p = mira["statistics"]["privacy"]
    assert (p["epsilon"], p["noise_scale"], p["margin_95"], p["repeated"]) == (0.5, 26.0, 77, False)
    assert p["budget"]["epsilon_remaining"] == 8.5


def test_hub_reads_the_analysts_privacy_budget_at_every_node(hub, hub_channel):
    seen = {}

    def budgets(request):
        seen["request"] = request
        return reporting_pb2.FederatedPrivacyBudgets(
            nodes=[reporting_pb2.NodePrivacyBudget(organization="mir", latency_ms=9, budget=reporting_pb2.PrivacyBudget(
                       organization="organizations/mir", enabled=True, analyst="analyst-imdi", epsilon_spent=2,
                       epsilon_limit=10, epsilon_remaining=8, epsilon_per_query=1)),
                   reporting_pb2.NodePrivacyBudget(organization="mira", latency_ms=7, budget=reporting_pb2.PrivacyBudget(
                       organization="organizations/mira", enabled=False, analyst="analyst-imdi")),
                   reporting_pb2.NodePrivacyBudget(organization="mkr", error="UNAVAILABLE", latency_ms=3)],
            missing_organizations=["mkr"])

    hub_channel.on(FEDERATION + "QueryPrivacyBudgets", budgets)
    resp = hub.get("/api/v1/federation/privacy-budget?node_timeout_ms=900", headers=auth(ANALYST_TOKEN))
    assert resp.status_code == 200, resp.get_json()
    mir, mira, mkr = resp.get_json()["nodes"]
    assert mir["status"] == "ok" and mir["budget"]["epsilon_remaining"] == 8 and mir["budget"]["enabled"] is True
    assert mira["budget"]["enabled"] is False and mira["budget"]["epsilon_spent"] == 0
    assert (mkr["status"], mkr["error"]) == ("unavailable", "UNAVAILABLE")
    assert seen["request"].node_timeout_ms == 900
    assert hub.get("/api/v1/federation/privacy-budget", headers=auth(MIR_TOKEN)).status_code == 403


@pytest.mark.parametrize("delay_s, retry_after", [(7.2, "8"), (0.3, "1"), (None, "2")])
def test_hub_rate_limit_is_429_with_retry_after_from_retry_info(hub, hub_channel, delay_s, retry_after):
    message = "Too many statistics queries: the hub answers each analyst at most 30 queries a minute. Try again."

    def limited(request):
        raise FakeRpcError(status_for(grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED", message,
                                      retry_delay_s=delay_s))

    hub_channel.on(FEDERATION + "QueryStatistics", limited)
    resp = hub.get("/api/v1/federation/statistics?start_date=2025-01-01&end_date=2025-12-31",
                   headers=auth(ANALYST_TOKEN, traceparent=TRACEPARENT))
    assert resp.status_code == 429
    assert resp.content_type == "application/problem+json"
    assert resp.headers["Retry-After"] == retry_after
    problem = resp.get_json()
    assert (problem["status"], problem["reason"], problem["title"]) == (429, "RATE_LIMITED", "Rate limited")
    assert problem["type"] == "https://brobygger.no/problems/rate-limited"
    assert problem["detail"] == message and problem["trace_id"] == TRACE_ID
    if delay_s is None:
        assert "retry_after_seconds" not in problem
    else:
        assert problem["retry_after_seconds"] == int(retry_after)


def test_hub_lists_nodes(hub, hub_channel):
    hub_channel.on(FEDERATION + "ListNodes", lambda r: reporting_pb2.ListNodesResponse(
        nodes=[reporting_pb2.Node(organization="mir", display_name="MiR")]))
    resp = hub.get("/api/v1/federation/nodes", headers=auth(ANALYST_TOKEN))
    assert resp.get_json() == {"nodes": [{"organization": "mir", "display_name": "MiR"}]}


def test_hub_validates_query(hub, hub_channel):
    errors = _errors(hub.get("/api/v1/federation/statistics?start_date=2025-01-01&end_date=2025-12-31"
                             "&node_timeout_ms=-1", headers=auth(ANALYST_TOKEN)))
    assert "node_timeout_ms" in errors
    assert hub_channel.calls == []


# ---------------------------------------------------------------------- health, OpenAPI, home page

def _serving(status):
    return lambda request: health_pb2.HealthCheckResponse(status=status)


def test_healthz_all_serving(node, channels):
    for ch in channels.values():
        ch.on(HEALTH, _serving(health_pb2.HealthCheckResponse.SERVING))
    resp = node.get("/healthz")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["status"] == "SERVING"
    assert [s["name"] for s in data["services"]] == ["membership", "events", "referral", "reporting"]
    assert all(s["status"] == "SERVING" and s["address"] for s in data["services"])
    checked = [c[1].service for ch in channels.values() for c in ch.calls]
    assert "brobygger.membership.v1.MembershipService" in checked
    assert all(c[2] == 1.0 for ch in channels.values() for c in ch.calls)  # 1 s deadline


def test_healthz_one_down(node, channels):
    for name, ch in channels.items():
        if name == "referral":
            ch.on(HEALTH, lambda r: (_ for _ in ()).throw(FakeRpcError(code=grpc.StatusCode.UNAVAILABLE)))
        else:
            ch.on(HEALTH, _serving(health_pb2.HealthCheckResponse.SERVING))
    resp = node.get("/healthz")
    assert resp.status_code == 503
    by_name = {s["name"]: s["status"] for s in resp.get_json()["services"]}
    assert by_name["referral"] == "UNAVAILABLE" and by_name["membership"] == "SERVING"


def test_hub_healthz(hub, hub_channel):
    hub_channel.on(HEALTH, _serving(health_pb2.HealthCheckResponse.NOT_SERVING))
    resp = hub.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["services"][0]["name"] == "hub"


@pytest.mark.parametrize("client_name", ["node", "hub"])
def test_openapi_is_valid_and_complete(request, client_name):
    client = request.getfixturevalue(client_name)
    resp = client.get("/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    app = client.application
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    for rule in app.url_map.iter_rules():
        if is_page(rule.rule):  # the web app's pages are for people, not part of the API
            continue
        path = openapi_path(rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented
    oidc = doc["components"]["securitySchemes"]["oidc"]
    assert oidc["openIdConnectUrl"].endswith("/realms/brobygger/.well-known/openid-configuration")
    if client_name == "node":
        person = doc["components"]["schemas"]["brobygger.membership.v1.Person"]
        assert person["properties"]["birth_year"]["type"] == "integer"
        assert person["properties"]["gender"] == {"$ref": "#/components/schemas/brobygger.type.v1.Gender"}
        post = doc["paths"]["/api/v1/persons"]["post"]
        for path in ("/api/v1/persons", "/api/v1/persons/{person_id}", "/api/v1/persons/{person_id}/membership-years",
                     "/api/v1/referrals", "/api/v1/referrals/{referral_id}"):
            [purpose] = [p for p in doc["paths"][path]["get"]["parameters"] if p.get("name") == "purpose"]
            assert purpose["in"] == "query" and purpose["required"] is True, path
            assert purpose["schema"]["minLength"] == 1 and purpose["schema"]["maxLength"] == 200
            assert "audit log" in purpose["description"]
        for service in ("membership", "events", "referral", "reporting"):
            audit = doc["paths"][f"/api/v1/audit/{service}"]["get"]
            assert {p["name"] for p in audit["parameters"]} == {"page_size", "page_token", "resource", "actor"}
            assert audit["tags"] == ["audit"]
        assert "brobygger.type.v1.AuditEntry" in doc["components"]["schemas"]
        batch = doc["paths"]["/api/v1/persons:batchGet"]["get"]
        [names] = [p for p in batch["parameters"] if p.get("name") == "names"]
        assert names["schema"]["type"] == "array" and names["schema"]["maxItems"] == 100
        patch = doc["paths"]["/api/v1/persons/{person_id}"]["patch"]
        [mask] = [p for p in patch["parameters"] if p.get("name") == "update_mask"]
        assert "comma separated" in mask["description"] and "body holds" in mask["description"]
        assert {"query", "chapter"} <= {p.get("name") for p in doc["paths"]["/api/v1/persons"]["get"]["parameters"]}
        assert post["responses"]["400"] == {"$ref": "#/components/responses/BadRequest"}
        problem = doc["components"]["responses"]["BadRequest"]["content"]
        assert "application/problem+json" in problem
    else:
        cell = doc["components"]["schemas"]["brobygger.reporting.v1.Cell"]
        assert set(cell["properties"]) == {"value", "suppressed"}
        assert "status" in doc["components"]["schemas"]["brobygger.reporting.v1.NodeResult"]["properties"]


# ---------------------------------------------------------------------- telemetry and logs

@pytest.fixture
def exporter(monkeypatch):
    """Spans the gateway finishes, kept in memory (the app must be built after this fixture)."""
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    monkeypatch.setattr(telemetry, "tracer", lambda name: provider.get_tracer(name))
    return spans


@pytest.fixture
def traced(exporter, channels):
    """A node gateway whose server spans land in ``exporter``."""
    settings = load("gateway", {"BROBYGGER_ORG": "mir"})
    return create_app(settings, verifier=FakeVerifier(), channels=channels).test_client()


def _span_text(span) -> str:
    return " ".join([span.name, *(f"{k}={v}" for k, v in span.attributes.items())])


def test_server_span_and_access_log_carry_no_ids_or_queries(traced, exporter, channels, caplog):
    client = traced
    seen = {}

    def get_person(request):
        seen["traceparent"] = telemetry.current_traceparent()
        return membership_pb2.Person(name=request.name, given_name="Amina")

    channels["membership"].on(MEMBERSHIP + "GetPerson", get_person)
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        resp = client.get("/api/v1/persons/secret42?purpose=follow-up", headers=auth(traceparent=TRACEPARENT))
    assert resp.status_code == 200
    (span,) = exporter.get_finished_spans()
    assert span.kind.name == "SERVER"
    assert span.context.trace_id == int(TRACE_ID, 16)  # the caller's trace continues
    assert span.name == "GET /api/v1/persons/{person_id}"
    assert span.attributes["http.request.method"] == "GET"
    assert span.attributes["http.route"] == "/api/v1/persons/{person_id}"
    assert span.attributes["http.response.status_code"] == 200
    flat = " ".join(str(v) for v in span.attributes.values())
    assert "secret42" not in flat and "follow-up" not in flat
    assert TRACE_ID in seen["traceparent"]  # the service calls run inside the request's trace
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "gateway.access")
    assert "/api/v1/persons/{person_id}" in logged and "200" in logged
    assert "secret42" not in logged and "follow-up" not in logged and "Amina" not in logged


def test_default_channels_forward_the_request_token(monkeypatch):
    made = []

    def fake_channel(address, token_provider=None, timeout=None):
        made.append((address, token_provider, timeout))
        return FakeChannel()

    monkeypatch.setattr(gateway_app.grpcclient, "channel", fake_channel)
    settings = load("gateway", {"BROBYGGER_ORG": "mir", "BROBYGGER_MEMBERSHIP_ADDRESS": "127.0.0.1:6001"})
    app = create_app(settings, verifier=FakeVerifier())
    assert [m[0] for m in made] == ["127.0.0.1:6001", settings.events_address, settings.referral_address,
                                    settings.reporting_address]
    assert all(m[1] is current_token and m[2] for m in made)
    with app.test_request_context("/api/v1/persons"):
        flask.g.bearer_token = MIR_TOKEN
        assert made[0][1]() == MIR_TOKEN
    assert current_token() == ""  # outside a request nothing is forwarded


def test_no_query_string_or_path_lands_in_a_span(traced, exporter, channels):
    channels["membership"].on(MEMBERSHIP + "ListPersons", lambda r: membership_pb2.ListPersonsResponse())
    assert traced.get("/api/v1/persons?page_token=secret-token-7&page_size=5&purpose=secret-why",
                      headers=auth()).status_code == 200
    assert traced.get("/api/v1/nothing/secret42?purpose=follow-up", headers=auth()).status_code == 404
    assert traced.post("/api/v1/persons/secret42:archive?x=secret-q", headers=auth()).status_code == 404
    listed, unrouted, unknown_action = exporter.get_finished_spans()
    assert listed.attributes["http.route"] == "/api/v1/persons"
    assert unrouted.name == "GET" and "http.route" not in unrouted.attributes
    assert unrouted.attributes["http.response.status_code"] == 404
    assert unknown_action.name == "POST"
    for span in (listed, unrouted, unknown_action):
        text = _span_text(span)
        for secret in ("secret", "follow-up", "page_token", "?", "nothing", "archive"):
            assert secret not in text, (secret, text)
        assert not {"url.query", "url.path", "url.full", "http.target", "http.url"} & set(span.attributes)


def test_unhandled_error_is_a_problem_logged_without_its_message(traced, exporter, channels, caplog):
    def crash(request):
        raise RuntimeError(f"cannot store {request.person.given_name}")

    channels["membership"].on(MEMBERSHIP + "RegisterPerson", crash)
    with caplog.at_level(logging.ERROR, logger="gateway"):
        resp = traced.post("/api/v1/persons", json={"given_name": "Amina"},
                           headers=auth(traceparent=TRACEPARENT))
    assert resp.status_code == 500
    assert resp.content_type == "application/problem+json"
    problem = resp.get_json()
    assert problem["reason"] == "INTERNAL" and TRACE_ID in problem["detail"]
    assert "Amina" not in resp.get_data(as_text=True)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged and "POST /api/v1/persons" in logged
    assert "Amina" not in logged
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code.name == "ERROR"
    assert span.attributes["http.response.status_code"] == 500
    assert "Amina" not in _span_text(span)


def test_body_too_large_is_a_problem(node):
    resp = node.post("/api/v1/persons", data=b"{" + b" " * (1024 * 1024 + 1) + b"}",
                     content_type="application/json", headers=auth())
    assert resp.status_code == 413
    assert resp.content_type == "application/problem+json"
    problem = resp.get_json()
    assert problem["reason"] == "CONTENT_TOO_LARGE" and "1024 KiB" in problem["detail"]


def test_security_headers(node, channels):
    for ch in channels.values():
        ch.on(HEALTH, _serving(health_pb2.HealthCheckResponse.SERVING))
    for path in ("/", "/openapi.json", "/healthz", "/api/v1/persons", "/nowhere"):
        assert node.get(path).headers["X-Content-Type-Options"] == "nosniff", path
    for path in ("/healthz", "/api/v1/persons", "/api/v1/nowhere"):
        assert node.get(path).headers["Cache-Control"] == "no-store", path
    home = node.get("/")
    assert home.headers["Cache-Control"] == "no-store"
    assert home.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert home.content_type.startswith("text/html")
