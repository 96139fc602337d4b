"""The activity pages on Flask's test client over fake channels."""
from __future__ import annotations

import grpc

from brobygger.events.v1 import events_pb2
from tests.gateway.web_support import MIR_TOKEN, VOLUNTEER_TOKEN, csrf_token, login, rich_error

EVENTS = "/brobygger.events.v1.EventsService/"
HOMEWORK = events_pb2.Activity(name="organizations/mir/activities/a1", title="Leksehjelp Linderud",
                               theme="homework help", subgoal=2, capacity=20)


def test_the_list_shows_activities_with_their_sub_goal(web, channels):
    channels["events"].on(EVENTS + "ListActivities", lambda r: events_pb2.ListActivitiesResponse(activities=[HOMEWORK]))
    login(web, MIR_TOKEN)
    text = web.get("/activities").get_data(as_text=True)
    assert "Leksehjelp Linderud" in text and 'href="/activities/a1"' in text
    assert "B: norskferdigheter og kvalifisering" in text


def test_creating_an_activity_sends_it_with_the_request_id(web, channels):
    channels["events"].on(EVENTS + "CreateActivity", lambda r: HOMEWORK)
    login(web, MIR_TOKEN)
    answer = web.post("/activities/new", data={
        "csrf_token": csrf_token(web, "/activities/new"), "request_id": "r-9", "title": "Leksehjelp Linderud",
        "subgoal": "IMDI_SUBGOAL_QUALIFICATION", "capacity": "20", "anonymous_attendance": "1"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/activities/a1"
    (_m, request, _t), = [c for c in channels["events"].calls if c[0].endswith("/CreateActivity")]
    assert request.request_id == "r-9" and request.activity.subgoal == 2 and request.activity.capacity == 20
    assert request.activity.anonymous_attendance


def test_a_refused_session_keeps_what_was_typed(web, channels):
    channels["events"].on(EVENTS + "GetActivity", lambda r: HOMEWORK)
    channels["events"].on(EVENTS + "ListSessions", lambda r: events_pb2.ListSessionsResponse())
    channels["events"].on(EVENTS + "CreateSession", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_SESSION", "The session is not valid.",
        [("session.date", "must be a date written YYYY-MM-DD")])))
    login(web, MIR_TOKEN)
    token = csrf_token(web, "/activities/a1")
    page = web.post("/activities/a1/sessions", data={"csrf_token": token, "date": "2026-13-01", "start_time": "17:00",
                                                      "location": "Linderud skole"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "must be a date written YYYY-MM-DD" in text
    assert 'value="Linderud skole"' in text and 'value="17:00"' in text
    bad_time = web.post("/activities/a1/sessions", data={"csrf_token": token, "date": "2026-02-01",
                                                          "start_time": "5pm"})
    assert bad_time.status_code == 400 and "Skriv klokkeslettet som TT:MM" in bad_time.get_data(as_text=True)


def test_activities_are_for_coordinators(web):
    login(web, VOLUNTEER_TOKEN)
    assert web.get("/activities").status_code == 403


SESSION = events_pb2.Session(name="organizations/mir/activities/a1/sessions/s1", date="2026-02-04",
                             start_time="17:00", duration_minutes=90, location="Linderud skole")


def test_changing_an_activity_sends_only_what_changed(web, channels):
    channels["events"].on(EVENTS + "GetActivity", lambda r: HOMEWORK)
    channels["events"].on(EVENTS + "UpdateActivity", lambda r: r.activity)
    login(web, MIR_TOKEN)
    form = web.get("/activities/a1/edit").get_data(as_text=True)
    assert 'value="Leksehjelp Linderud"' in form and "anonymous_attendance" not in form
    answer = web.post("/activities/a1/edit", data={
        "csrf_token": csrf_token(web, "/activities/a1/edit"), "request_id": "r-4", "title": "Leksehjelp Linderud",
        "theme": "homework help", "subgoal": "IMDI_SUBGOAL_QUALIFICATION", "capacity": "25"})
    assert answer.status_code == 302
    update = [c[1] for c in channels["events"].calls if c[0].endswith("UpdateActivity")][0]
    assert list(update.update_mask.paths) == ["capacity"] and update.activity.capacity == 25


def test_moving_and_cancelling_a_session(web, channels):
    channels["events"].on(EVENTS + "GetSession", lambda r: SESSION)
    channels["events"].on(EVENTS + "UpdateSession", lambda r: r.session)
    login(web, MIR_TOKEN)
    token = csrf_token(web, "/activities/a1/sessions/s1/edit")
    moved = web.post("/activities/a1/sessions/s1/edit", data={
        "csrf_token": token, "date": "2026-02-11", "start_time": "17:00", "duration_minutes": "90",
        "location": "Linderud skole"})
    assert moved.status_code == 302
    update = [c[1] for c in channels["events"].calls if c[0].endswith("UpdateSession")][0]
    assert list(update.update_mask.paths) == ["date"] and update.session.name == SESSION.name

    channels["events"].on(EVENTS + "CancelSession", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.FAILED_PRECONDITION, "SESSION_HAS_ATTENDANCE",
        "The session has attendance recorded; withdraw it first.")))
    refused = web.post("/activities/a1/sessions/s1/cancel", data={"csrf_token": token, "reason": "bassenget er stengt"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "withdraw it first" in text and 'value="bassenget er stengt"' in text
    channels["events"].on(EVENTS + "CancelSession", lambda r: SESSION)
    done = web.post("/activities/a1/sessions/s1/cancel", data={"csrf_token": token, "reason": "bassenget er stengt",
                                                               "request_id": "r-5"})
    assert done.status_code == 302
    cancel = [c[1] for c in channels["events"].calls if c[0].endswith("CancelSession")][-1]
    assert (cancel.reason, cancel.request_id) == ("bassenget er stengt", "r-5")
