"""The consent routes over fake channels: each REST call becomes the right ConsentService request, and the
answers and refusals come back as JSON and problems."""
from __future__ import annotations

import grpc

from brobygger.membership.v1 import consent_pb2
from tests.gateway.test_gateway_unit import _errors, auth, rich_error

SERVICE = "/brobygger.membership.v1.ConsentService/"
P1 = "organizations/mir/persons/p1"
C1 = f"{P1}/consents/c1"


def sent(channels):
    [(method, request, _)] = channels["membership"].calls
    return method.rsplit("/", 1)[1], request


def test_record_a_consent_with_a_registered_guardian_by_id(node, channels):
    channels["membership"].on(SERVICE + "RecordConsent", lambda r: consent_pb2.Consent(
        name=C1, purpose=r.consent.purpose, guardian=r.consent.guardian, state=consent_pb2.CONSENT_STATE_GIVEN))
    resp = node.post("/api/v1/persons/p1/consents", headers=auth(**{"Idempotency-Key": "c-1"}), json={
        "purpose": "CONSENT_PURPOSE_PHOTOS", "text_version": "samtykke-2026-01", "source": "CONSENT_SOURCE_VERBAL",
        "given_by": "CONSENT_GIVER_GUARDIAN", "guardian": "p2"})
    assert resp.status_code == 201
    assert resp.get_json()["state"] == "CONSENT_STATE_GIVEN"
    rpc, request = sent(channels)
    assert (rpc, request.parent, request.consent.guardian, request.consent.source, request.request_id) == (
        "RecordConsent", P1, "organizations/mir/persons/p2", consent_pb2.CONSENT_SOURCE_VERBAL, "c-1")


def test_a_child_without_a_guardian_is_a_conflict_naming_the_field(node, channels):
    def refuse(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "GUARDIAN_CONSENT_REQUIRED",
                         "The person was born in 2015 and may be under 16; a parent or guardian gives consent.",
                         [("consent.given_by", "must be CONSENT_GIVER_GUARDIAN")])

    channels["membership"].on(SERVICE + "RecordConsent", refuse)
    resp = node.post("/api/v1/persons/p1/consents", headers=auth(), json={
        "purpose": "CONSENT_PURPOSE_PHOTOS", "text_version": "samtykke-2026-01",
        "source": "CONSENT_SOURCE_PAPER_FORM", "given_by": "CONSENT_GIVER_PERSON"})
    assert resp.status_code == 409 and resp.get_json()["reason"] == "GUARDIAN_CONSENT_REQUIRED"
    assert [e["field"] for e in resp.get_json()["errors"]] == ["consent.given_by"]


def test_withdraw_a_consent(node, channels):
    channels["membership"].on(SERVICE + "WithdrawConsent", lambda r: consent_pb2.Consent(
        name=r.name, state=consent_pb2.CONSENT_STATE_WITHDRAWN, withdraw_date=r.withdraw_date))
    resp = node.post("/api/v1/persons/p1/consents/c1:withdraw", headers=auth(**{"Idempotency-Key": "w-1"}),
                     json={"source": "CONSENT_SOURCE_WEB", "withdraw_date": "2026-02-01"})
    assert resp.status_code == 200 and resp.get_json()["state"] == "CONSENT_STATE_WITHDRAWN"
    rpc, request = sent(channels)
    assert (rpc, request.name, request.source, request.withdraw_date, request.request_id) == (
        "WithdrawConsent", C1, consent_pb2.CONSENT_SOURCE_WEB, "2026-02-01", "w-1")


def test_list_needs_a_purpose_and_pages(node, channels):
    resp = node.get("/api/v1/persons/p1/consents", headers=auth())
    assert resp.status_code == 400 and list(_errors(resp)) == ["purpose"]
    assert channels["membership"].calls == []
    channels["membership"].on(SERVICE + "ListConsents", lambda r: consent_pb2.ListConsentsResponse(
        consents=[consent_pb2.Consent(name=C1)], next_page_token="t2"))
    resp = node.get("/api/v1/persons/p1/consents?purpose=consent+review&page_size=5", headers=auth())
    body = resp.get_json()
    assert ([c["name"] for c in body["consents"]], body["next_page_token"]) == ([C1], "t2")
    rpc, request = sent(channels)
    assert (request.parent, request.page_size, request.purpose) == (P1, 5, "consent review")


def test_check_one_and_a_batch(node, channels):
    channels["membership"].on(SERVICE + "CheckConsent", lambda r: consent_pb2.ConsentCheck(
        person=r.name, consent_purpose=r.consent_purpose, in_force=True, consent=C1))
    resp = node.get("/api/v1/persons/p1/consents:check?consent_purpose=CONSENT_PURPOSE_REFERRAL_SHARING"
                    "&purpose=referral+to+mira", headers=auth())
    assert resp.get_json()["in_force"] is True
    channels["membership"].calls.clear()
    channels["membership"].on(SERVICE + "BatchCheckConsents", lambda r: consent_pb2.BatchCheckConsentsResponse(
        consent_checks=[consent_pb2.ConsentCheck(person=n) for n in r.names]))
    resp = node.get("/api/v1/consents:batchCheck?names=p1&names=organizations/mir/persons/p2"
                    "&consent_purpose=CONSENT_PURPOSE_PHOTOS&purpose=check-in", headers=auth())
    assert [c["person"] for c in resp.get_json()["consent_checks"]] == [P1, "organizations/mir/persons/p2"]
    rpc, request = sent(channels)
    assert (request.consent_purpose, request.purpose) == (consent_pb2.CONSENT_PURPOSE_PHOTOS, "check-in")
    resp = node.get("/api/v1/consents:batchCheck?names=p1&consent_purpose=PHOTOS&purpose=x", headers=auth())
    assert resp.status_code == 400 and list(_errors(resp)) == ["consent_purpose"]
