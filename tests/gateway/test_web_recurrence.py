"""The repeating-sessions page on Flask's test client over fake channels: the short form, its preview, saving
it, refusals in the page's language, and the moved and dropped marks on the activity's page."""
from __future__ import annotations

import grpc

from brobygger.events.v1 import events_pb2, recurrence_pb2
from tests.gateway.test_gateway_unit import FakeRpcError
from tests.gateway.web_support import MIR_TOKEN, VOLUNTEER_TOKEN, csrf_token, login, rich_error

EVENTS = "/brobygger.events.v1.EventsService/"
REC = "/brobygger.events.v1.RecurrenceService/"
A = "organizations/mir/activities/a1"
FORM = {"weekday": "WE", "frequency": "biweekly", "start_time": "17:00", "duration_minutes": "120",
        "start_date": "2027-01-13", "end_date": "2027-06-16", "location": "Linderud skole",
        "exception_dates": "2027-02-22 2027-02-26\n17.03.2027\n"}


def no_recurrence(request):
    raise FakeRpcError(code=grpc.StatusCode.NOT_FOUND, details="no recurrence")


def sent(channels, rpc: str):
    return [r for m, r, _ in channels["events"].calls if m == REC + rpc]


def test_the_preview_lists_the_dates_and_saves_nothing(web, channels):
    channels["events"].on(REC + "GetRecurrence", no_recurrence)
    channels["events"].on(REC + "PreviewRecurrence", lambda r: recurrence_pb2.PreviewRecurrenceResponse(
        dates=["2027-01-13", "2027-01-27"], new_dates=["2027-01-13", "2027-01-27"]))
    login(web, MIR_TOKEN)
    form = web.get("/activities/a1/recurrence").get_data(as_text=True)
    assert "Annenhver uke" in form and "onsdag" in form and "Fridager" in form
    token = csrf_token(web, "/activities/a1/recurrence")
    page = web.post("/activities/a1/recurrence", data={**FORM, "csrf_token": token, "action": "preview"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Datoene: 2 samlinger" in text and "onsdag 13. januar 2027" in text
    assert 'value="Linderud skole"' in text and "Ingenting er lagret ennå" in text
    [request] = sent(channels, "PreviewRecurrence")
    r = request.recurrence
    assert (request.parent, r.rule, r.start_time, r.duration_minutes, list(r.exception_dates)) == (
        A, "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "17:00", 120, ["2027-02-22/2027-02-26", "2027-03-17"])
    assert not sent(channels, "SetRecurrence")


def test_saving_sets_the_recurrence_with_the_forms_request_id(web, channels):
    channels["events"].on(REC + "GetRecurrence", no_recurrence)
    channels["events"].on(REC + "SetRecurrence", lambda r: recurrence_pb2.Recurrence(name=r.recurrence.name,
                                                                                     scheduled_count=10))
    login(web, MIR_TOKEN)
    token = csrf_token(web, "/activities/a1/recurrence")
    answer = web.post("/activities/a1/recurrence", data={**FORM, "csrf_token": token, "action": "save",
                                                          "request_id": "r-7"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/activities/a1"
    [request] = sent(channels, "SetRecurrence")
    assert request.request_id == "r-7" and request.recurrence.name == f"{A}/recurrence"
    assert request.recurrence.rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"


def test_a_refusal_is_shown_next_to_the_field_in_bokmal(web, channels):
    channels["events"].on(REC + "GetRecurrence", no_recurrence)
    channels["events"].on(REC + "PreviewRecurrence", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "The recurrence has invalid fields.",
        [("recurrence.end_date", "the rule gives more than 200 sessions; choose an earlier end_date")])))
    login(web, MIR_TOKEN)
    token = csrf_token(web, "/activities/a1/recurrence")
    page = web.post("/activities/a1/recurrence", data={**FORM, "csrf_token": token, "frequency": "weekly",
                                                        "end_date": "2031-01-01"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "Det gir mer enn 200 samlinger" in text and 'id="e-end_date"' in text
    bad = web.post("/activities/a1/recurrence", data={**FORM, "csrf_token": token, "start_time": "5pm",
                                                       "exception_dates": "after easter"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="e-start_time"' in text and 'id="e-exception_dates"' in text
    assert len(sent(channels, "PreviewRecurrence")) == 1  # the second was refused on the page


def test_a_saved_schedule_fills_the_form(web, channels):
    channels["events"].on(REC + "GetRecurrence", lambda r: recurrence_pb2.Recurrence(
        name=r.name, rule="FREQ=MONTHLY;BYDAY=1FR", start_date="2027-01-01", end_date="2027-06-30",
        start_time="21:00", exception_dates=["2027-04-02"]))
    login(web, MIR_TOKEN)
    text = web.get("/activities/a1/recurrence").get_data(as_text=True)
    assert '<option value="FR" selected>' in text and '<option value="monthly" selected>' in text
    assert "2027-04-02" in text and "Endrer du timeplanen" in text


def test_the_activity_page_marks_moved_and_dropped_sessions(web, channels):
    moved = events_pb2.Session(name=f"{A}/sessions/s1", date="2027-01-28", start_time="17:00")
    dropped = events_pb2.Session(name=f"{A}/sessions/s2", date="2027-06-16", start_time="17:00",
                                 state=events_pb2.SESSION_STATE_CANCELLED)
    channels["events"].on(EVENTS + "GetActivity", lambda r: events_pb2.Activity(name=A, title="Språkkafé"))
    channels["events"].on(EVENTS + "ListSessions", lambda r: events_pb2.ListSessionsResponse(sessions=[moved,
                                                                                                       dropped]))
    channels["events"].on(REC + "ListOccurrences", lambda r: recurrence_pb2.ListOccurrencesResponse(occurrences=[
        recurrence_pb2.Occurrence(session=moved, rule_date="2027-01-27", moved=True, edited=True),
        recurrence_pb2.Occurrence(session=dropped, rule_date="2027-06-16", dropped=True)]))
    login(web, MIR_TOKEN)
    text = web.get("/activities/a1").get_data(as_text=True)
    assert "flyttet fra 27. jan. 2027" in text and "ikke lenger i timeplanen" in text and "Avlyst" in text
    assert 'href="/activities/a1/recurrence"' in text


def test_the_page_is_for_coordinators(web):
    login(web, VOLUNTEER_TOKEN)
    assert web.get("/activities/a1/recurrence").status_code == 403
