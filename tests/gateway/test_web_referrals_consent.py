"""The federation referral form when the person has no consent for referral sharing recorded (or withdrew
it): the refusal in the page's language beside the person field, and a referral stopped at the hand-over."""
from __future__ import annotations

import grpc

from brobygger.referral.v1 import referral_pb2 as pb
from tests.gateway.test_web_referrals import (  # noqa: F401
    GIVEN_NAME, PERSON, PHONE, SERVICE, coordinator, referral, refusal, service, text_of, web,
)


def test_no_recorded_consent_is_refused_in_the_pages_language(web, service):
    token = coordinator(web)
    service.on(SERVICE + "CreateReferral", refusal(
        grpc.StatusCode.FAILED_PRECONDITION, "REFERRAL_SHARING_CONSENT_MISSING",
        "organizations/mir/persons/p1 has no consent in force for sharing their details in a referral.",
        [("referral.person", "no consent for referral sharing in force")]))
    answer = web.post("/referrals/new/federation", data={
        "csrf_token": token, "request_id": "rid-9", "target_organization": "mira", "person": PERSON,
        "reason_category": "REASON_CATEGORY_LEGAL_AID", "given_name": GIVEN_NAME, "phone": PHONE,
        "preferred_language": "ur", "consent_given": "1"})
    html = text_of(answer)
    assert answer.status_code == 409
    assert "det er ikke registrert samtykke til deling i en henvisning" in html
    assert 'id="e-person"' in html and "has no consent" not in html


def test_a_referral_stopped_at_the_hand_over_says_why(web, service):
    coordinator(web)
    service.on(SERVICE + "GetReferral", lambda r: referral(
        "r7", direction=pb.DIRECTION_OUTGOING, partner_kind=pb.PARTNER_KIND_FEDERATION_NODE,
        target_organization="mira", state=pb.REFERRAL_STATE_CANCELLED, outcome="consent_withdrawn",
        delivery_state="refused"))
    html = text_of(web.get("/referrals/r7"))
    assert "Ikke sendt: personen trakk tilbake samtykket" in html
    assert "Personen trakk tilbake samtykket til deling før den ble sendt" in html
