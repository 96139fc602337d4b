"""A person's consents on their page, and the forms that record and withdraw them, on Flask's test client
over fake channels."""
from __future__ import annotations

import grpc

from brobygger.membership.v1 import consent_pb2
from tests.gateway.test_web_households import BILAL, household_answers
from tests.gateway.test_web_persons import AMINA, MEMBERSHIP, with_purpose
from tests.gateway.web_support import VOLUNTEER_TOKEN, csrf_token, login, rich_error

CONSENT = "/brobygger.membership.v1.ConsentService/"
P2 = BILAL.name
GIVEN = consent_pb2.Consent(
    name=f"{P2}/consents/c1", purpose=consent_pb2.CONSENT_PURPOSE_STATISTICS, text_version="samtykke-2026-01",
    given_date="2026-01-10", source=consent_pb2.CONSENT_SOURCE_PAPER_FORM, given_by=consent_pb2.CONSENT_GIVER_GUARDIAN,
    guardian=AMINA.name, recorded_by="coordinator-mir", state=consent_pb2.CONSENT_STATE_GIVEN)
WITHDRAWN = consent_pb2.Consent(
    name=f"{P2}/consents/c0", purpose=consent_pb2.CONSENT_PURPOSE_PHOTOS, text_version="samtykke-2025-01",
    given_date="2025-09-01", source=consent_pb2.CONSENT_SOURCE_WEB, given_by=consent_pb2.CONSENT_GIVER_GUARDIAN,
    guardian_name="Yusuf Khan", state=consent_pb2.CONSENT_STATE_WITHDRAWN, withdraw_date="2026-02-01",
    withdraw_source=consent_pb2.CONSENT_SOURCE_VERBAL, withdrawn_recorded_by="coordinator-mir")


def answers(channels, consents=(GIVEN, WITHDRAWN)):
    household_answers(channels)
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: BILAL)
    channels["membership"].on(CONSENT + "ListConsents",
                              lambda r: consent_pb2.ListConsentsResponse(consents=list(consents)))


def calls(channels, rpc):
    return [c[1] for c in channels["membership"].calls if c[0].endswith("/" + rpc)]


def test_the_persons_page_shows_each_purpose_with_its_state_read_with_the_purpose(web, channels):
    with_purpose(web)
    answers(channels)
    text = web.get("/persons/p2").get_data(as_text=True)
    assert "Samtykker" in text and "Statistikk" in text and "Bilder" in text and "Medlemskap" in text
    assert 'class="badge ok">Gitt' in text and 'class="badge bad">Trukket tilbake' in text
    assert "Ikke gitt" in text  # membership and referral sharing: never given
    assert "en forelder eller verge (Amina Khan)" in text and "papirskjema" in text
    assert "Tidligere samtykker (1)" in text and "sagt til en koordinator" in text
    assert 'action="/persons/p2/consents/c1/withdraw"' in text and 'action="/persons/p2/consents"' in text
    assert '<option value="p1">Amina Khan</option>' in text  # the household's parent, as guardian
    [listing] = calls(channels, "ListConsents")
    assert (listing.parent, listing.purpose) == (P2, "oppfølging av en familie")


def test_recording_a_guardians_consent_for_a_child(web, channels):
    token = with_purpose(web)
    answers(channels)
    channels["membership"].on(CONSENT + "RecordConsent", lambda r: GIVEN)
    form = {"csrf_token": token, "request_id": "r-c", "purpose": "CONSENT_PURPOSE_PHOTOS",
            "text_version": "samtykke-2026-01", "given_date": "2026-03-01", "source": "CONSENT_SOURCE_VERBAL",
            "given_by": "CONSENT_GIVER_GUARDIAN", "guardian": "p1", "guardian_name": ""}
    answer = web.post("/persons/p2/consents", data=form)
    assert answer.status_code == 302 and answer.headers["Location"] == "/persons/p2#consents-title"
    [sent] = calls(channels, "RecordConsent")
    assert (sent.parent, sent.request_id, sent.consent.purpose, sent.consent.source, sent.consent.given_by,
            sent.consent.guardian, sent.consent.given_date) == (
        P2, "r-c", consent_pb2.CONSENT_PURPOSE_PHOTOS, consent_pb2.CONSENT_SOURCE_VERBAL,
        consent_pb2.CONSENT_GIVER_GUARDIAN, AMINA.name, "2026-03-01")
    assert "Samtykket til bilder er registrert." in web.get("/persons/p2").get_data(as_text=True)


def test_wrong_fields_are_named_in_the_pages_language_and_nothing_is_sent(web, channels):
    token = with_purpose(web)
    answers(channels)
    answer = web.post("/persons/p2/consents", data={"csrf_token": token, "purpose": "", "text_version": "Ja takk",
                                                    "source": "CONSENT_SOURCE_WEB",
                                                    "given_by": "CONSENT_GIVER_GUARDIAN"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and not calls(channels, "RecordConsent")
    assert "Velg hva samtykket gjelder." in text and "Skriv versjonen av samtykketeksten" in text
    assert "Velg forelderen eller vergen" in text and 'value="Ja takk"' in text


def test_a_child_without_a_guardian_is_refused_in_the_pages_language(web, channels):
    token = with_purpose(web)
    answers(channels)

    def refuse(r):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "GUARDIAN_CONSENT_REQUIRED",
                         "The person was born in 2014 and may be under 16.",
                         [("consent.given_by", "must be CONSENT_GIVER_GUARDIAN")])

    channels["membership"].on(CONSENT + "RecordConsent", refuse)
    answer = web.post("/persons/p2/consents", data={
        "csrf_token": token, "purpose": "CONSENT_PURPOSE_PHOTOS", "text_version": "samtykke-2026-01",
        "source": "CONSENT_SOURCE_PAPER_FORM", "given_by": "CONSENT_GIVER_PERSON"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Bilal er et barn under organisasjonens aldersgrense" in text and 'id="e-given_by"' in text
    assert "born in 2014" not in text


def test_withdrawing_names_how_and_when(web, channels):
    token = with_purpose(web)
    answers(channels)
    channels["membership"].on(CONSENT + "WithdrawConsent", lambda r: WITHDRAWN)
    answer = web.post("/persons/p2/consents/c1/withdraw", data={
        "csrf_token": token, "request_id": "r-w", "withdraw_source": "CONSENT_SOURCE_VERBAL",
        "withdraw_date": "2026-03-02"})
    assert answer.status_code == 302
    [sent] = calls(channels, "WithdrawConsent")
    assert (sent.name, sent.source, sent.withdraw_date, sent.request_id) == (
        GIVEN.name, consent_pb2.CONSENT_SOURCE_VERBAL, "2026-03-02", "r-w")
    answer = web.post("/persons/p2/consents/c1/withdraw", data={"csrf_token": token, "withdraw_source": ""})
    assert answer.status_code == 400 and "Velg hvordan tilbaketrekkingen" in answer.get_data(as_text=True)


def test_the_page_still_works_when_consents_cannot_be_read(web, channels):
    with_purpose(web)
    household_answers(channels)
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: BILAL)
    text = web.get("/persons/p2").get_data(as_text=True)
    assert "Samtykkene kunne ikke leses" in text and "badge ok" not in text and "Husstand" in text


def test_volunteers_cannot_record_consents(web, channels):
    login(web, VOLUNTEER_TOKEN)
    token = csrf_token(web)
    assert web.post("/persons/p2/consents", data={"csrf_token": token}).status_code == 403
    assert not calls(channels, "RecordConsent")
