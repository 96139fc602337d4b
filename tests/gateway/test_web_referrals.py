"""The referral pages on Flask's test client over a fake referral service: the inbox and outbox, one
referral and the actions its state allows, new referrals to a partner and to another node with the
person's consent, the labels of every enum in both languages, and that nothing about a person is put
in a URL."""
from __future__ import annotations

import json
import re
from urllib.parse import unquote

import grpc
import pytest
from flask_babel import force_locale

from brobygger.referral.v1 import referral_pb2 as pb
from gateway.web import referrals
from tests.gateway.web_support import MIR_TOKEN, VOLUNTEER_TOKEN, csrf_token, login, rich_error, web_app

SERVICE = "/brobygger.referral.v1.ReferralService/"
PURPOSE = "weekly case review"
PERSON = "organizations/mir/persons/p0f3c9a"
GIVEN_NAME, PHONE = "Amina", "912 34 567"
DIRECTORY = {"nodes": [
    {"org": "mir", "name": "MiR", "reporting": "127.0.0.1:50114", "referral": "127.0.0.1:50113"},
    {"org": "mira", "name": "MiRA-Senteret", "reporting": "127.0.0.1:50124", "referral": "127.0.0.1:50123"},
    {"org": "mkr", "name": "Minhaj Konfliktråd", "reporting": "127.0.0.1:50134", "referral": "127.0.0.1:50133"},
    {"org": "imdi", "name": "IMDi", "reporting": "127.0.0.1:50144"},  # takes no referrals
]}


@pytest.fixture
def web(tmp_path, channels):  # noqa: F811
    path = tmp_path / "federation.json"
    path.write_text(json.dumps(DIRECTORY), encoding="utf-8")
    return web_app(tmp_path, channels, BROBYGGER_FEDERATION_DIRECTORY=str(path)).test_client()


@pytest.fixture
def service(channels):  # noqa: F811
    return channels["referral"]


def coordinator(web, *, purpose: str = PURPOSE) -> str:
    """Log in as MiR's coordinator with a purpose in force; returns a form token."""
    login(web, MIR_TOKEN)
    token = csrf_token(web)
    if purpose:
        assert web.post("/purpose", data={"purpose_other": purpose, "next": "/", "csrf_token": token}).status_code \
            == 302
    return token


def referral(rid: str = "r1", **fields) -> pb.Referral:
    base = dict(name=f"organizations/mir/referrals/{rid}", direction=pb.DIRECTION_INCOMING, person=PERSON,
                partner_kind=pb.PARTNER_KIND_POLICE, partner_name="Oslo politidistrikt",
                reason_category=pb.REASON_CATEGORY_MEDIATION, state=pb.REFERRAL_STATE_REQUESTED)
    base.update(fields)
    r = pb.Referral(**base)
    r.create_time.FromJsonString("2026-03-05T10:00:00Z")
    r.update_time.FromJsonString("2026-03-06T10:00:00Z")
    return r


def from_node(**fields) -> pb.Referral:
    return referral(partner_kind=pb.PARTNER_KIND_FEDERATION_NODE, partner_name="MiRA-Senteret", person="",
                    source_organization="mira", reason_category=pb.REASON_CATEGORY_LEGAL_AID, consent_given=True,
                    shared_contact=pb.SharedContact(given_name=GIVEN_NAME, phone=PHONE, preferred_language="ur"),
                    **fields)


def calls(channel, method: str) -> list:
    return [request for path, request, _timeout in channel.calls if path == SERVICE + method]


def text_of(answer) -> str:
    return answer.get_data(as_text=True)


def visible(html: str) -> str:
    """The text a reader sees: without the tags and their attributes."""
    return re.sub(r"<[^>]*>", " ", html)


def links(html: str) -> list[str]:
    return [unquote(u).replace("&amp;", "&") for u in re.findall(r'(?:href|action)="([^"]*)"', html)]


def refusal(code, reason, message, violations=()):
    def handler(_request):
        raise rich_error(code, reason, message, violations)
    return handler


# ---------------------------------------------------------------------------- inbox and outbox


def test_the_inbox_lists_the_referrals_received_with_the_purpose_state_badges_and_a_next_page(web, service):
    coordinator(web)
    service.on(SERVICE + "ListReferrals", lambda r: pb.ListReferralsResponse(
        referrals=[referral("r2", state=pb.REFERRAL_STATE_ACCEPTED), from_node()], next_page_token="tok-2"))
    page = web.get("/referrals")
    html = text_of(page)
    assert page.status_code == 200
    (asked,) = calls(service, "ListReferrals")
    assert (asked.parent, asked.direction, asked.state, asked.purpose, asked.page_token) == (
        "organizations/mir", pb.DIRECTION_INCOMING, 0, PURPOSE, "")
    assert "Mottatte henvisninger" in html and "Oslo politidistrikt" in html and "MiRA-Senteret" in html
    assert '<span class="badge ok">Godtatt</span>' in html and '<span class="badge ">Forespurt</span>' in html
    assert "Mekling" in html and "Politiet" in html and "5. mars 2026" in html
    assert 'href="/referrals/r2"' in html and 'href="/referrals?page_token=tok-2"' in html
    assert not re.search(r"REFERRAL_STATE_|PARTNER_KIND_|REASON_CATEGORY_|DIRECTION_", visible(html))


def test_the_outbox_lists_the_referrals_sent_filtered_by_state_and_pages_on(web, service):
    coordinator(web)
    service.on(SERVICE + "ListReferrals", lambda r: pb.ListReferralsResponse(
        referrals=[referral(direction=pb.DIRECTION_OUTGOING, state=pb.REFERRAL_STATE_REJECTED)],
        next_page_token="tok-3"))
    html = text_of(web.get("/referrals/sent?state=REFERRAL_STATE_REJECTED&page_token=tok-2"))
    (asked,) = calls(service, "ListReferrals")
    assert (asked.direction, asked.state, asked.page_token, asked.purpose) == (
        pb.DIRECTION_OUTGOING, pb.REFERRAL_STATE_REJECTED, "tok-2", PURPOSE)
    assert "Sendte henvisninger" in html and '<span class="badge bad">Avslått</span>' in html
    assert '<option value="REFERRAL_STATE_REJECTED" selected>Avslått</option>' in html
    assert 'href="/referrals/sent?state=REFERRAL_STATE_REJECTED&amp;page_token=tok-3"' in html
    assert 'href="/referrals/sent?state=REFERRAL_STATE_REJECTED"' in html  # back to the first page


def test_an_unknown_state_in_the_address_lists_every_state(web, service):
    coordinator(web)
    service.on(SERVICE + "ListReferrals", lambda r: pb.ListReferralsResponse())
    html = text_of(web.get("/referrals?state=NOT_A_STATE"))
    assert calls(service, "ListReferrals")[0].state == 0 and "Ingen henvisninger her." in html


def test_a_listing_without_a_purpose_asks_for_one_first(web, service):
    coordinator(web, purpose="")
    answer = web.get("/referrals/sent")
    assert answer.status_code == 302 and answer.headers["Location"] == "/purpose?next=/referrals/sent"
    assert service.calls == []


def test_a_refused_page_token_is_shown_on_the_page(web, service):
    coordinator(web)
    service.on(SERVICE + "ListReferrals", refusal(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", "page_token is not one this listing issued.",
        [("page_token", "the listing's filters changed since this token was issued")]))
    answer = web.get("/referrals?page_token=stale")
    assert answer.status_code == 400 and "page_token is not one this listing issued." in text_of(answer)


# ---------------------------------------------------------------------------- one referral


def test_a_requested_referral_offers_accept_and_reject_only(web, service):
    coordinator(web)
    service.on(SERVICE + "GetReferral", lambda r: referral())
    html = text_of(web.get("/referrals/r1"))
    (asked,) = calls(service, "GetReferral")
    assert (asked.name, asked.purpose) == ("organizations/mir/referrals/r1", PURPOSE)
    assert 'action="/referrals/r1/accept"' in html and 'action="/referrals/r1/reject"' in html
    assert 'action="/referrals/r1/complete"' not in html
    assert "Henvisning fra Oslo politidistrikt" in html and "Registrert her, id p0f3c9a" in html
    assert "Tjenesten det ble henvist til" in html and "Ingen kapasitet nå" in html  # who declined, why
    assert re.search(r"<title>Henvisning – ", html)


def test_an_accepted_referral_offers_complete_only_and_a_final_one_nothing(web, service):
    coordinator(web)
    service.on(SERVICE + "GetReferral", lambda r: referral(state=pb.REFERRAL_STATE_ACCEPTED))
    html = text_of(web.get("/referrals/r1"))
    assert 'action="/referrals/r1/complete"' in html and "Behovet ble dekket" in html
    assert "/accept" not in html and "/reject" not in html
    service.on(SERVICE + "GetReferral", lambda r: referral(state=pb.REFERRAL_STATE_COMPLETED, outcome="need_met"))
    html = text_of(web.get("/referrals/r1"))
    assert "/accept" not in html and "/reject" not in html and "/complete" not in html
    assert "Behovet ble dekket" in html and "Fullført" in html


def test_a_referral_sent_to_another_node_is_decided_there(web, service):
    coordinator(web)
    service.on(SERVICE + "GetReferral", lambda r: referral(
        direction=pb.DIRECTION_OUTGOING, partner_kind=pb.PARTNER_KIND_FEDERATION_NODE, partner_name="MiRA-Senteret",
        target_organization="mira", consent_given=True, delivery_state="pending",
        shared_contact=pb.SharedContact(given_name=GIVEN_NAME)))
    html = text_of(web.get("/referrals/r1"))
    assert "/accept" not in html and "/reject" not in html and "/complete" not in html
    assert "MiRA-Senteret avgjør denne henvisningen" in html and "Ikke levert ennå" in html


def test_a_referral_from_another_node_shows_what_the_person_agreed_to_share(web, service):
    coordinator(web)
    service.on(SERVICE + "GetReferral", lambda r: from_node())
    html = text_of(web.get("/referrals/r1"))
    assert GIVEN_NAME in html and PHONE in html and "Urdu" in html and "Ikke registrert her ennå" in html
    assert GIVEN_NAME not in html.split("<title>")[1].split("</title>")[0]


def test_accept_sends_the_name_and_the_forms_request_id_and_comes_back_to_the_referral(web, service):
    token = coordinator(web)
    service.on(SERVICE + "AcceptReferral", lambda r: referral(state=pb.REFERRAL_STATE_ACCEPTED))
    answer = web.post("/referrals/r1/accept", data={"csrf_token": token, "request_id": "req-accept-1"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/referrals/r1"
    (sent,) = calls(service, "AcceptReferral")
    assert (sent.name, sent.request_id) == ("organizations/mir/referrals/r1", "req-accept-1")
    service.on(SERVICE + "GetReferral", lambda r: referral(state=pb.REFERRAL_STATE_ACCEPTED))
    assert "Henvisningen er akseptert." in text_of(web.get("/referrals/r1"))


def test_reject_sends_who_declined_and_why(web, service):
    token = coordinator(web)
    service.on(SERVICE + "RejectReferral", lambda r: referral(state=pb.REFERRAL_STATE_REJECTED))
    answer = web.post("/referrals/r1/reject", data={"csrf_token": token, "request_id": "req-reject-1",
                                                    "declined_by": "person", "outcome": "not_wanted"})
    assert answer.status_code == 302
    (sent,) = calls(service, "RejectReferral")
    assert (sent.name, sent.declined_by, sent.outcome, sent.request_id) == (
        "organizations/mir/referrals/r1", "person", "not_wanted", "req-reject-1")


def test_reject_without_who_declined_is_not_sent_and_says_what_is_missing(web, service):
    token = coordinator(web)
    service.on(SERVICE + "GetReferral", lambda r: referral())
    answer = web.post("/referrals/r1/reject", data={"csrf_token": token, "request_id": "x", "outcome": "no_capacity"})
    html = text_of(answer)
    assert answer.status_code == 400 and calls(service, "RejectReferral") == []
    assert "Velg hvem som takket nei" in html and '<option value="no_capacity" selected>' in html


def test_complete_sends_the_outcome(web, service):
    token = coordinator(web)
    service.on(SERVICE + "CompleteReferral", lambda r: referral(state=pb.REFERRAL_STATE_COMPLETED))
    web.post("/referrals/r1/complete", data={"csrf_token": token, "request_id": "req-complete-1",
                                             "outcome": "legal_aid_given"})
    (sent,) = calls(service, "CompleteReferral")
    assert (sent.name, sent.outcome, sent.request_id) == (
        "organizations/mir/referrals/r1", "legal_aid_given", "req-complete-1")


def test_a_wrong_state_refusal_is_shown_on_the_referral_with_409(web, service):
    token = coordinator(web)
    service.on(SERVICE + "GetReferral", lambda r: referral(state=pb.REFERRAL_STATE_ACCEPTED))
    service.on(SERVICE + "CompleteReferral", refusal(
        grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE_TRANSITION",
        "The referral is REJECTED and cannot become COMPLETED; REJECTED is a final state."))
    answer = web.post("/referrals/r1/complete", data={"csrf_token": token, "request_id": "r", "outcome": "need_met"})
    html = text_of(answer)
    assert answer.status_code == 409 and "cannot become COMPLETED" in html and 'role="alert"' in html
    assert '<option value="need_met" selected>' in html  # what was chosen is kept


def test_an_action_needs_the_form_token(web, service):
    coordinator(web)
    assert web.post("/referrals/r1/accept", data={"request_id": "x"}).status_code == 400
    assert service.calls == []


# ---------------------------------------------------------------------------- new referrals


def test_a_referral_to_a_partner_is_created_with_what_was_chosen(web, service):
    token = coordinator(web)
    page = text_of(web.get("/referrals/new"))
    request_id = re.search(r'name="request_id" value="([0-9a-f]{32})"', page).group(1)
    assert "Ingenting om personen sendes til partneren" in page
    assert "PARTNER_KIND_FEDERATION_NODE" not in page  # that is the other form, with consent
    service.on(SERVICE + "CreateReferral", lambda r: referral("new1", direction=pb.DIRECTION_OUTGOING))
    answer = web.post("/referrals/new", data={
        "csrf_token": token, "request_id": request_id, "direction": "DIRECTION_OUTGOING", "person": "p0f3c9a",
        "partner_kind": "PARTNER_KIND_SCHOOL", "partner_name": " Linderud skole ",
        "reason_category": "REASON_CATEGORY_SCHOOL_HOME"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/referrals/new1"
    (sent,) = calls(service, "CreateReferral")
    assert (sent.parent, sent.request_id) == ("organizations/mir", request_id)
    r = sent.referral
    assert (r.direction, r.person, r.partner_kind, r.partner_name, r.reason_category) == (
        pb.DIRECTION_OUTGOING, PERSON, pb.PARTNER_KIND_SCHOOL, "Linderud skole", pb.REASON_CATEGORY_SCHOOL_HOME)
    assert not r.consent_given and not r.HasField("shared_contact") and r.target_organization == ""


def test_a_refused_referral_to_a_partner_keeps_what_was_typed_beside_the_fields(web, service):
    token = coordinator(web)
    service.on(SERVICE + "CreateReferral", refusal(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "The referral has invalid fields.",
        [("referral.partner_name", "is required, e.g. 'Linderud skole' or 'Oslo politidistrikt'")]))
    answer = web.post("/referrals/new", data={
        "csrf_token": token, "request_id": "rid-1", "direction": "DIRECTION_INCOMING", "person": "",
        "partner_kind": "PARTNER_KIND_POLICE", "partner_name": "", "reason_category": "REASON_CATEGORY_MEDIATION"})
    html = text_of(answer)
    assert answer.status_code == 400 and 'href="#f-partner_name"' in html
    assert '<option value="PARTNER_KIND_POLICE" selected>' in html and 'value="DIRECTION_INCOMING" checked' in html
    assert 'name="request_id" value="rid-1"' in html


def test_the_federation_form_offers_the_other_nodes_that_take_referrals_and_says_what_is_shared(web, service):
    coordinator(web)
    html = text_of(web.get("/referrals/new/federation"))
    offered = re.findall(r'<option value="([a-z]+)"[^>]*>([^<]+)</option>', html.split('id="f-target_organization"')[1]
                         .split("</select>")[0])
    # By name; not this node itself, nor one that takes no referrals.
    assert offered == [("mkr", "Minhaj Konfliktråd"), ("mira", "MiRA-Senteret")]
    assert "Fornavnet til personen" in html and "Hva som ikke deles" in html and "etternavn" in html
    assert 'name="consent_given"' in html
    # The page's own list of languages (what the person prefers) is not the language switch of the header.
    header = html.split("</header>")[0]
    assert re.findall(r'name="lang" value="([a-z]+)"', header) == ["en"]


def test_a_referral_to_another_node_without_consent_is_not_sent_and_the_form_keeps_what_was_typed(web, service):
    token = coordinator(web)
    typed = {"csrf_token": token, "request_id": "rid-2", "target_organization": "mira", "person": "p0f3c9a",
             "reason_category": "REASON_CATEGORY_LEGAL_AID", "given_name": GIVEN_NAME, "phone": PHONE,
             "preferred_language": "ur"}
    answer = web.post("/referrals/new/federation", data=typed)
    html = text_of(answer)
    assert answer.status_code == 400 and service.calls == []
    assert "Henvisningen ble ikke sendt" in html and 'aria-invalid="true" aria-describedby="e-consent_given"' in html
    assert f'value="{GIVEN_NAME}"' in html and f'value="{PHONE}"' in html and 'value="p0f3c9a"' in html
    assert '<option value="mira" selected>' in html and '<option value="ur" selected>' in html
    assert 'name="consent_given" type="checkbox" value="1" aria-invalid' in html  # not ticked for them


def test_a_referral_to_another_node_with_consent_sends_exactly_the_shared_contact(web, service):
    token = coordinator(web)
    service.on(SERVICE + "CreateReferral", lambda r: referral(
        "new2", direction=pb.DIRECTION_OUTGOING, partner_kind=pb.PARTNER_KIND_FEDERATION_NODE,
        partner_name="MiRA-Senteret", target_organization="mira"))
    answer = web.post("/referrals/new/federation", data={
        "csrf_token": token, "request_id": "rid-3", "target_organization": "mira", "person": PERSON,
        "reason_category": "REASON_CATEGORY_LEGAL_AID", "given_name": f" {GIVEN_NAME} ", "phone": PHONE,
        "preferred_language": "ur", "consent_given": "1"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/referrals/new2"
    (sent,) = calls(service, "CreateReferral")
    r = sent.referral
    assert (sent.request_id, r.direction, r.partner_kind, r.target_organization, r.person, r.consent_given) == (
        "rid-3", pb.DIRECTION_OUTGOING, pb.PARTNER_KIND_FEDERATION_NODE, "mira", PERSON, True)
    assert (r.shared_contact.given_name, r.shared_contact.phone, r.shared_contact.preferred_language) == (
        GIVEN_NAME, PHONE, "ur")
    assert r.partner_name == ""  # the service names the node from its directory


def test_a_refused_contact_field_is_shown_beside_it(web, service):
    token = coordinator(web)
    service.on(SERVICE + "CreateReferral", refusal(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "The referral has invalid fields.",
        [("referral.shared_contact.phone", "must be a Norwegian phone number like +47 912 34 567")]))
    answer = web.post("/referrals/new/federation", data={
        "csrf_token": token, "request_id": "rid-4", "target_organization": "mira", "person": "p1",
        "reason_category": "REASON_CATEGORY_LEGAL_AID", "given_name": GIVEN_NAME, "phone": "12", "consent_given": "1"})
    html = text_of(answer)
    assert answer.status_code == 400 and 'id="e-phone"' in html and 'href="#f-phone"' in html
    assert 'name="consent_given" type="checkbox" value="1" checked' in html


def test_a_shared_language_is_named_in_the_pages_language(web):
    with web.application.test_request_context(), force_locale("nb"):
        assert [referrals.language_name(c) for c in ("ur", "pa-Arab", "xx-unknown")] == [
            "Urdu", "Panjabi (arabisk)", "xx-unknown"]


def test_without_a_federation_directory_the_form_says_so(tmp_path, channels):  # noqa: F811
    web = web_app(tmp_path, channels).test_client()
    coordinator(web)
    html = text_of(web.get("/referrals/new/federation"))
    assert "føderasjonskatalogen mangler" in html


# ---------------------------------------------------------------------------- who, labels, URLs


def test_a_volunteer_gets_the_403_page_and_no_menu_entry(web, service):
    login(web, VOLUNTEER_TOKEN)
    for path in ("/referrals", "/referrals/sent", "/referrals/r1", "/referrals/new", "/referrals/new/federation"):
        page = web.get(path)
        assert page.status_code == 403 and "koordinatorer" in text_of(page), path
    assert 'href="/referrals"' not in text_of(web.get("/"))
    assert service.calls == []


def test_the_coordinator_has_the_menu_entry_in_both_languages(web):
    token = coordinator(web)
    assert '<a href="/referrals">Henvisninger</a>' in text_of(web.get("/"))
    web.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    assert '<a href="/referrals">Referrals</a>' in text_of(web.get("/"))


@pytest.mark.parametrize("labels, enum", [
    (referrals.STATE_LABELS, pb.ReferralState), (referrals.PARTNER_KIND_LABELS, pb.PartnerKind),
    (referrals.REASON_LABELS, pb.ReasonCategory), (referrals.DIRECTION_LABELS, pb.Direction)])
def test_every_enum_value_has_a_label_in_both_languages(web, labels, enum):
    named = {n for n in enum.keys() if not n.endswith("_UNSPECIFIED")}
    assert set(labels) == named
    with web.application.test_request_context():
        for locale in ("nb", "en"):
            with force_locale(locale):
                shown = [str(v) for v in labels.values()]
                assert all(s and s not in named for s in shown), locale
        with force_locale("nb"):
            bokmal = {k: str(v) for k, v in labels.items()}
        with force_locale("en"):
            english = {k: str(v) for k, v in labels.items()}
    assert [k for k in named if bokmal[k] == english[k] and k not in ("PARTNER_KIND_NAV",)] == []


def test_no_page_links_to_a_url_with_a_name_or_a_phone(web, service):
    token = coordinator(web)
    service.on(SERVICE + "ListReferrals", lambda r: pb.ListReferralsResponse(referrals=[from_node()],
                                                                             next_page_token="tok"))
    service.on(SERVICE + "GetReferral", lambda r: from_node())
    pages = [text_of(web.get(p)) for p in ("/referrals", "/referrals/sent", "/referrals/r1", "/referrals/new",
                                          "/referrals/new/federation")]
    pages.append(text_of(web.post("/referrals/new/federation", data={
        "csrf_token": token, "request_id": "x", "target_organization": "mira", "person": "p1",
        "given_name": GIVEN_NAME, "phone": PHONE})))
    assert GIVEN_NAME in pages[2] and PHONE in pages[2]  # shown on the page...
    for html in pages:
        for url in links(html):  # ...never in an address
            assert GIVEN_NAME not in url and PHONE not in url and PHONE.replace(" ", "") not in url, url
