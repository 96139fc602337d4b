"""A person's export page and JSON file, the erasure confirmation page, and the erasure log's pages on
Flask's test client over fake channels."""
from __future__ import annotations

import json

import grpc
from google.protobuf import struct_pb2, timestamp_pb2

from brobygger.datasubject.v1 import datasubject_pb2
from brobygger.membership.v1 import erasure_pb2, membership_pb2
from brobygger.type.v1 import audit_pb2
from tests.gateway.test_web_persons import AMINA, MEMBERSHIP, with_purpose
from tests.gateway.web_support import VOLUNTEER_TOKEN, csrf_token, login, rich_error

DATA_SUBJECT = "/brobygger.datasubject.v1.DataSubjectService/"
ERASURE = "/brobygger.membership.v1.ErasureService/"
E = "organizations/mir/erasures/e1"
WHEN = timestamp_pb2.Timestamp(seconds=1_796_000_000)


def _part(service, table, row, audit=()):
    s = struct_pb2.Struct()
    s.update(row)
    return datasubject_pb2.ServiceData(service=service, tables=[datasubject_pb2.TableRows(table=table, rows=[s])],
                                       audit_entries=list(audit))


def answer_export(channels):
    read = audit_pb2.AuditEntry(sequence=3, create_time=WHEN, actor="coordinator-mir", action="person.read",
                                resource=AMINA.name, purpose="oppfølging av en familie")
    channels["membership"].on(DATA_SUBJECT + "ExportPersonData",
                              lambda r: _part("membership", "persons", {"given_name": "Amina", "phone": "912 34 567"},
                                              [read]))
    channels["events"].on(DATA_SUBJECT + "ExportPersonData",
                          lambda r: _part("events", "attendances", {"session_id": "s1", "withdraw_time": None}))
    channels["referral"].on(DATA_SUBJECT + "ExportPersonData", lambda r: datasubject_pb2.ServiceData(
        service="referral", tables=[datasubject_pb2.TableRows(table="referrals")]))
    channels["reporting"].on(DATA_SUBJECT + "ExportPersonData",
                             lambda r: _part("reporting", "fact_persons", {"birth_year": 1984}))
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: AMINA)


def test_the_persons_page_offers_export_and_erasure(web, channels):
    with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: AMINA)
    channels["membership"].on(MEMBERSHIP + "ListMembershipYears", lambda r: membership_pb2.ListMembershipYearsResponse())
    text = web.get("/persons/p1").get_data(as_text=True)
    assert 'href="/persons/p1/export"' in text and "Eksporter data" in text
    assert 'href="/persons/p1/erase"' in text and "Slett personen" in text


def test_the_export_page_shows_every_service_and_who_read_the_data_with_the_purpose(web, channels):
    with_purpose(web)
    answer_export(channels)
    page = web.get("/persons/p1/export")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Dette har" in text and "Amina Khan" in text
    for heading in ("Medlemskap", "Aktiviteter og oppmøte", "Henvisninger", "Statistikk (uten navn)"):
        assert heading in text
    assert "912 34 567" in text and "oppfølging av en familie" in text and "coordinator-mir" in text
    assert "Ingenting." in text  # the referral service holds no row
    assert "Amina" not in text.split("<title>")[1].split("</title>")[0]
    for name in ("membership", "events", "referral", "reporting"):
        request = [c[1] for c in channels[name].calls if c[0] == DATA_SUBJECT + "ExportPersonData"][0]
        assert (request.person, request.purpose) == (AMINA.name, "oppfølging av en familie")


def test_the_json_file_is_the_documented_document(web, channels):
    with_purpose(web)
    answer_export(channels)
    resp = web.get("/persons/p1/export.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert "attachment" in resp.headers["Content-Disposition"] and resp.headers["Cache-Control"] == "no-store"
    doc = json.loads(resp.get_data(as_text=True))
    assert doc["format"] == "brobygger.person-data-export.v1" and doc["person"] == AMINA.name
    assert doc["exported_by"] == "coordinator-mir"
    assert [s["service"] for s in doc["services"]] == ["membership", "events", "referral", "reporting"]
    assert doc["services"][1]["tables"][0]["rows"] == [{"session_id": "s1", "withdraw_time": None}]


def test_erasure_asks_for_a_reason_and_a_confirmation_then_follows_the_log(web, channels):
    token = with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: AMINA)
    text = web.get("/persons/p1/erase").get_data(as_text=True)
    assert "Dette skjer" in text and "kan ikke angres" in text and 'name="confirm"' in text
    assert 'href="/persons/p1/export"' in text
    page = web.post("/persons/p1/erase", data={"csrf_token": token, "request_id": "r-1", "reason": ""})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "Velg hvorfor personen slettes." in text
    assert "Bekreft at personen skal slettes for godt." in text and 'aria-invalid="true"' in text
    assert not [c for c in channels["membership"].calls if c[0].startswith(ERASURE)]
    channels["membership"].on(ERASURE + "RequestErasure", lambda r: erasure_pb2.Erasure(
        name=E, reason=r.reason, state=erasure_pb2.Erasure.STATE_IN_PROGRESS))
    done = web.post("/persons/p1/erase", data={"csrf_token": token, "request_id": "r-1",
                                               "reason": "ERASURE_REASON_CONSENT_WITHDRAWN", "confirm": "1"})
    assert done.status_code == 302 and done.headers["Location"] == "/erasures/e1"
    [request] = [c[1] for c in channels["membership"].calls if c[0] == ERASURE + "RequestErasure"]
    assert (request.person, request.reason, request.confirm, request.request_id) == (
        AMINA.name, erasure_pb2.ERASURE_REASON_CONSENT_WITHDRAWN, True, "r-1")


def test_an_erasure_in_progress_leads_to_it(web, channels):
    token = with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: AMINA)

    def refuse(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "ERASURE_IN_PROGRESS",
                         f"This person's erasure is already in progress; follow it at {E}.")

    channels["membership"].on(ERASURE + "RequestErasure", refuse)
    resp = web.post("/persons/p1/erase", data={"csrf_token": token, "reason": "ERASURE_REASON_OBJECTION",
                                               "confirm": "1"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/erasures/e1"


def test_the_status_page_and_the_log_name_nobody(web, channels):
    with_purpose(web)
    e = erasure_pb2.Erasure(name=E, reason=erasure_pb2.ERASURE_REASON_OBJECTION, requester_role="coordinator",
                            state=erasure_pb2.Erasure.STATE_IN_PROGRESS, create_time=WHEN, services=[
                                erasure_pb2.ServiceErasure(service="membership", complete_time=WHEN),
                                erasure_pb2.ServiceErasure(service="events")])
    channels["membership"].on(ERASURE + "GetErasure", lambda r: e)
    channels["membership"].on(ERASURE + "ListErasures", lambda r: erasure_pb2.ListErasuresResponse(erasures=[e]))
    text = web.get("/erasures/e1").get_data(as_text=True)
    assert "Personen protesterer mot behandlingen" in text and "Ikke ennå" in text and "Medlemskap" in text
    assert "coordinator" in text and "coordinator-mir" not in text.split("<main")[1]
    log = web.get("/erasures").get_data(as_text=True)
    assert 'href="/erasures/e1"' in log and "Sletteloggen" in log


def test_volunteers_have_no_such_pages(web, channels):
    login(web, VOLUNTEER_TOKEN)
    for path in ("/persons/p1/export", "/persons/p1/erase", "/erasures"):
        assert web.get(path).status_code == 403
    assert web.post("/erasures/e1/resend", data={"csrf_token": csrf_token(web)}).status_code == 403
    assert not [c for c in channels["membership"].calls if c[0] == ERASURE + "ResendErasure"]


def _erasure(minutes_ago: float, state=erasure_pb2.Erasure.STATE_IN_PROGRESS):
    import datetime as dt

    started = timestamp_pb2.Timestamp()
    started.FromDatetime(dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes_ago))
    return erasure_pb2.Erasure(name=E, reason=erasure_pb2.ERASURE_REASON_OBJECTION, requester_role="coordinator",
                               state=state, create_time=started, services=[
                                   erasure_pb2.ServiceErasure(service="membership", complete_time=started),
                                   erasure_pb2.ServiceErasure(service="events")])


def test_an_erasure_stuck_for_minutes_can_be_sent_again_from_its_page(web, channels):
    token = with_purpose(web)
    channels["membership"].on(ERASURE + "GetErasure", lambda r: _erasure(1))
    text = web.get("/erasures/e1").get_data(as_text=True)
    assert "Send slettingen på nytt" not in text  # a minute: the services are likely still at it
    channels["membership"].on(ERASURE + "GetErasure", lambda r: _erasure(30))
    text = web.get("/erasures/e1").get_data(as_text=True)
    assert "Står slettingen fast?" in text and "Send slettingen på nytt" in text
    assert 'action="/erasures/e1/resend"' in text and 'name="csrf_token"' in text
    channels["membership"].on(ERASURE + "GetErasure", lambda r: _erasure(30, erasure_pb2.Erasure.STATE_COMPLETED))
    assert "Send slettingen på nytt" not in web.get("/erasures/e1").get_data(as_text=True)
    # Without the form's token, nothing is sent.
    assert web.post("/erasures/e1/resend", data={"request_id": "r-9"}).status_code in (400, 403)
    channels["membership"].on(ERASURE + "ResendErasure", lambda r: _erasure(30))
    resp = web.post("/erasures/e1/resend", data={"csrf_token": token, "request_id": "r-9"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/erasures/e1"
    [request] = [c[1] for c in channels["membership"].calls if c[0] == ERASURE + "ResendErasure"]
    assert (request.name, request.request_id) == (E, "r-9")
    assert "sendt på nytt til tjenestene" in web.get("/erasures/e1").get_data(as_text=True)


def test_a_completed_erasure_sent_again_says_there_is_nothing_to_send(web, channels):
    token = with_purpose(web)

    def refuse(request):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "ERASURE_COMPLETED",
                         f"The erasure {E} is completed: every service has erased the person.")

    channels["membership"].on(ERASURE + "ResendErasure", refuse)
    channels["membership"].on(ERASURE + "GetErasure", lambda r: _erasure(30, erasure_pb2.Erasure.STATE_COMPLETED))
    resp = web.post("/erasures/e1/resend", data={"csrf_token": token, "request_id": "r-8"}, follow_redirects=True)
    assert resp.status_code == 200 and "Det er ingenting å sende på nytt." in resp.get_data(as_text=True)
