"""The sessions list and the check-in page on Flask's test client over fake channels."""
from __future__ import annotations

import datetime as dt
import re

import grpc
import pytest

from brobygger.events.v1 import events_pb2
from brobygger.membership.v1 import membership_pb2
from gateway.web.checkin import today
from tests.gateway.web_support import MIR_TOKEN, VOLUNTEER_TOKEN, csrf_token, login, rich_error

EVENTS = "/brobygger.events.v1.EventsService/"
MEMBERSHIP = "/brobygger.membership.v1.MembershipService/"
ORG = "organizations/mir"
HOMEWORK = events_pb2.Activity(name=f"{ORG}/activities/a1", title="Leksehjelp Linderud", capacity=20)
CAFE = events_pb2.Activity(name=f"{ORG}/activities/a2", title="Språkkafé", anonymous_attendance=True)
PEOPLE = {"p1": ("Amina", "Khan"), "p2": ("Hodan", "Warsame"), "p3": ("Leyla", "Demir"), "p4": ("Omar", "Farah")}
PAGE = "/sessions/a1/s9"


def person(pid: str) -> membership_pb2.Person:
    given, family = PEOPLE[pid]
    return membership_pb2.Person(name=f"{ORG}/persons/{pid}", given_name=given, family_name=family, birth_year=1984)


def session(aid: str, sid: str, day: dt.date, start: str = "17:30", **fields) -> events_pb2.Session:
    fields.setdefault("state", events_pb2.SESSION_STATE_SCHEDULED)
    return events_pb2.Session(name=f"{ORG}/activities/{aid}/sessions/{sid}", date=day.isoformat(), start_time=start,
                              duration_minutes=90, location="Linderud skole", **fields)


def attendance(session_name: str, aid: str, pid: str) -> events_pb2.Attendance:
    return events_pb2.Attendance(name=f"{session_name}/attendances/{aid}", person=f"{ORG}/persons/{pid}", state=1)


@pytest.fixture
def checkin(channels):
    """Homework help today (s9), with three earlier sessions (s6..s8) and one older (s5): Amina is checked in
    today; Hodan came to s8, Leyla to s6 and Omar only to s5, which is not among the last three."""
    now = today()
    this = session("a1", "s9", now)
    earlier = {sid: session("a1", sid, now - dt.timedelta(weeks=w)) for sid, w in
               (("s5", 4), ("s6", 3), ("s7", 2), ("s8", 1))}
    rosters = {this.name: [attendance(this.name, "t1", "p1")],
               earlier["s8"].name: [attendance(earlier["s8"].name, "t2", "p1"), attendance(earlier["s8"].name, "t3", "p2")],
               earlier["s7"].name: [events_pb2.Attendance(name=earlier["s7"].name + "/attendances/t4", state=1,
                                                          head_count=events_pb2.HeadCount(gender=1, age_band=4, count=2))],
               earlier["s6"].name: [attendance(earlier["s6"].name, "t5", "p3")],
               earlier["s5"].name: [attendance(earlier["s5"].name, "t6", "p4")]}
    summary = events_pb2.SessionSummary(name=this.name + "/summary", state=1, named_count=1, capacity=20,
                                        head_counts=[events_pb2.HeadCount(gender=1, age_band=4, count=3)],
                                        head_count_total=3)
    ev, mem = channels["events"], channels["membership"]
    ev.on(EVENTS + "GetActivity", lambda r: {a.name: a for a in (HOMEWORK, CAFE)}[r.name])
    ev.on(EVENTS + "GetSession", lambda r: this if r.name == this.name else session("a2", "s1", now))
    ev.on(EVENTS + "GetSessionSummary", lambda r: summary)

    def sessions(r):
        if r.parent == HOMEWORK.name:
            return events_pb2.ListSessionsResponse(sessions=[*earlier.values(), this])
        return events_pb2.ListSessionsResponse(sessions=[this, session("a2", "s1", now, "12:00"),
                                                         session("a1", "s10", now + dt.timedelta(days=7),
                                                                 state=2, cancel_reason="school closed")])

    ev.on(EVENTS + "ListSessions", sessions)
    ev.on(EVENTS + "ListActivities", lambda r: events_pb2.ListActivitiesResponse(activities=[HOMEWORK, CAFE]))
    ev.on(EVENTS + "ListAttendances", lambda r: events_pb2.ListAttendancesResponse(attendances=rosters.get(r.parent, [])))
    mem.on(MEMBERSHIP + "BatchGetPersons", lambda r: membership_pb2.BatchGetPersonsResponse(
        persons=[person(n.rsplit("/", 1)[-1]) for n in r.names]))
    return {"today": now, "session": this}


def calls(channel, method: str) -> list:
    return [request for m, request, _t in channel.calls if m.endswith("/" + method)]


def urls(text: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]*)"', text)


# ---------- the sessions of the coming days


def test_the_list_asks_for_every_activitys_sessions_of_the_next_14_days_grouped_by_day(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)
    page = web.get("/sessions")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    (listing,) = calls(channels["events"], "ListSessions")
    now = checkin["today"]
    assert listing.parent == f"{ORG}/activities/-" and listing.start_date == now.isoformat()
    assert listing.end_date == (now + dt.timedelta(days=14)).isoformat()
    assert len(calls(channels["events"], "ListActivities")) == 1
    assert not calls(channels["membership"], "BatchGetPersons")  # no one is read: no purpose needed
    today_part, later = text.split(f'id="d-{(now + dt.timedelta(days=7)).isoformat()}"')
    assert '<h2 id="d-' + now.isoformat() + '">I dag' in today_part
    # In the service's order (it sorts by date and time), each with its activity's title.
    assert today_part.index('href="/sessions/a1/s9"') < today_part.index('href="/sessions/a2/s1"')
    assert "Leksehjelp Linderud" in today_part and "Språkkafé" in today_part
    assert today_part.count("bare antall") == 1  # the café counts without names
    assert 'href="/sessions/a1/s10"' in later and "Avlyst" in later
    assert "17:30" in today_part and "Linderud skole" in today_part


def test_the_list_starts_at_a_chosen_day_and_refuses_none(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)
    assert web.get("/sessions?from=2026-10-05").status_code == 200
    assert web.get("/sessions?from=not-a-day").status_code == 200  # today, then
    first, second = calls(channels["events"], "ListSessions")
    assert (first.start_date, first.end_date) == ("2026-10-05", "2026-10-19")
    assert second.start_date == checkin["today"].isoformat()


def test_sessions_are_the_volunteers_main_tile_and_in_the_coordinators_menu(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)
    home = web.get("/").get_data(as_text=True)
    tiles = re.findall(r'<li><a href="([^"]+)"><strong>', home)
    assert tiles == ["/sessions"] and "Samlinger" in home
    web.post("/logout", data={"csrf_token": csrf_token(web, "/")})
    login(web, MIR_TOKEN)
    home = web.get("/").get_data(as_text=True)
    assert re.findall(r'<li><a href="([^"]+)"><strong>', home)[0] == "/sessions"
    assert web.get("/sessions").status_code == 200


# ---------- the check-in page


def test_the_check_in_page_reads_the_roster_and_last_times_people_with_the_sessions_purpose(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)
    page = web.get(PAGE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    purpose = f"oppmøte på Leksehjelp Linderud {checkin['today'].isoformat()}"
    rosters = calls(channels["events"], "ListAttendances")
    assert [r.parent.rsplit("/", 1)[-1] for r in rosters] == ["s9", "s8", "s7", "s6"]  # today's, then the last 3
    assert {r.purpose for r in rosters} == {purpose}
    (batch,) = calls(channels["membership"], "BatchGetPersons")
    assert list(batch.names) == [f"{ORG}/persons/{p}" for p in ("p1", "p2", "p3")] and batch.purpose == purpose
    # Came last time: Hodan and Leyla (Amina is here already, Omar came only before the last three).
    last_time = text.split('id="last-time"')[1].split('id="search"')[0]
    assert "Hodan Warsame" in last_time and "Leyla Demir" in last_time
    assert "Amina Khan" not in last_time and "Omar" not in text
    assert last_time.count('<button class="checkin">') == 2
    present = text.split('id="present"')[1].split('id="head-counts"')[0]
    assert "Amina Khan" in present and 'action="/sessions/a1/s9/attendances/t1/withdraw"' in present
    assert "Angre<span class=\"vh\"> Amina Khan</span>" in present
    # The totals, and the session itself.
    assert "av 20 plasser" in text and "Linderud skole" in text and "kl. 17:30" in text
    # Names in the body only: not in the title, not in any URL.
    title = re.search(r"<title>(.*?)</title>", text).group(1)
    assert title.startswith("Oppmøte") and "Khan" not in title
    assert not [u for u in urls(text) if any(n in u for n in ("Amina", "Khan", "Hodan", "Leyla"))]


def test_every_button_is_a_form_of_its_own_with_the_token_and_a_request_id(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)
    text = web.get(PAGE).get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="/sessions/a1/s9/[^"]*" class="tap">(.*?)</form>', text, re.S)
    assert len(forms) == 2 + 1 + 4 * 6 * 2  # last time, undo, − and + of every cell
    ids = [re.search(r'name="request_id" value="([0-9a-f]{32})"', f).group(1) for f in forms]
    assert len(set(ids)) == len(ids)
    assert all('name="csrf_token"' in f for f in forms)


def test_a_tap_records_the_person_with_its_request_id_and_goes_back_to_the_same_place(web, channels, checkin):
    channels["events"].on(EVENTS + "RecordAttendance", lambda r: attendance(r.parent, "t7", "p2"))
    login(web, VOLUNTEER_TOKEN)
    token = csrf_token(web, PAGE)
    form = {"csrf_token": token, "request_id": "r-1", "person": "p2", "who": "Hodan Warsame", "back": "last-time"}
    answer = web.post("/sessions/a1/s9/attendances", data=form)
    assert answer.status_code == 302 and answer.headers["Location"] == "/sessions/a1/s9#last-time"
    again = web.post("/sessions/a1/s9/attendances", data=form)  # a double tap: the same request_id
    assert again.status_code == 302
    first, second = calls(channels["events"], "RecordAttendance")
    assert first.parent == checkin["session"].name and first.attendance.person == f"{ORG}/persons/p2"
    assert first.request_id == second.request_id == "r-1"
    shown = web.get(PAGE).get_data(as_text=True)
    assert "Krysset av: Hodan Warsame" in shown.split('id="last-time"')[1].split('id="search"')[0]


def test_undo_withdraws_the_attendance_and_says_whose(web, channels, checkin):
    channels["events"].on(EVENTS + "WithdrawAttendance", lambda r: events_pb2.Attendance(name=r.name, state=2))
    login(web, VOLUNTEER_TOKEN)
    answer = web.post("/sessions/a1/s9/attendances/t1/withdraw", data={
        "csrf_token": csrf_token(web, PAGE), "request_id": "r-2", "who": "Amina Khan"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/sessions/a1/s9#present"
    (withdraw,) = calls(channels["events"], "WithdrawAttendance")
    assert withdraw.name == checkin["session"].name + "/attendances/t1" and withdraw.request_id == "r-2"
    assert "Angret: Amina Khan er ikke lenger krysset av." in web.get(PAGE).get_data(as_text=True)


def test_head_count_plus_records_one_and_minus_takes_one_off(web, channels, checkin):
    channels["events"].on(EVENTS + "RecordAttendance", lambda r: events_pb2.Attendance(name=r.parent + "/attendances/h"))
    channels["events"].on(EVENTS + "DecrementHeadCount", lambda r: events_pb2.SessionSummary())
    login(web, VOLUNTEER_TOKEN)
    token = csrf_token(web, PAGE)
    cell = {"csrf_token": token, "gender": "GENDER_FEMALE", "age_band": "AGE_BAND_26_66"}
    plus = web.post("/sessions/a1/s9/head-counts", data={**cell, "request_id": "r-3", "step": "1"})
    minus = web.post("/sessions/a1/s9/head-counts", data={**cell, "request_id": "r-4", "step": "-1"})
    assert plus.headers["Location"] == minus.headers["Location"] == "/sessions/a1/s9#hc-female-26-66"
    (record,) = calls(channels["events"], "RecordAttendance")
    assert record.attendance.WhichOneof("participant") == "head_count" and record.request_id == "r-3"
    assert (record.attendance.head_count.gender, record.attendance.head_count.age_band,
            record.attendance.head_count.count) == (1, 4, 1)
    (decrement,) = calls(channels["events"], "DecrementHeadCount")
    assert (decrement.session, decrement.gender, decrement.age_band, decrement.request_id) == (
        checkin["session"].name, 1, 4, "r-4")
    bad = web.post("/sessions/a1/s9/head-counts", data={**cell, "age_band": "AGE_BAND_NONE", "request_id": "r-5"})
    assert bad.status_code == 302 and len(calls(channels["events"], "RecordAttendance")) == 1


def test_the_head_count_grid_has_a_row_per_cell_and_minus_is_disabled_at_zero(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)
    text = web.get(PAGE).get_data(as_text=True)
    rows = dict(re.findall(r'<div class="counter" id="(hc-[a-z0-9-]+)">(.*?)</div>', text, re.S))
    assert len(rows) == 24
    counted = rows["hc-female-26-66"]
    assert '<span class="count">3</span>' in counted and "disabled" not in counted
    empty = rows["hc-male-0-12"]
    assert '<span class="count">0</span>' in empty and empty.count("disabled") == 1  # − only
    assert "Én færre: mann / gutt, 0–12 år" in empty and "Én til: mann / gutt, 0–12 år" in empty
    # Grouped by gender, the ones nobody is counted in folded.
    assert re.search(r'<details class="gender" open>\s*<summary><span class="name">Kvinne / jente', text)
    assert re.search(r'<details class="gender">\s*<summary><span class="name">Annet kjønn', text)


@pytest.mark.parametrize("code, reason, shown", [
    (grpc.StatusCode.ALREADY_EXISTS, "ALREADY_ATTENDED", "Hodan Warsame er allerede krysset av på denne samlingen."),
    (grpc.StatusCode.FAILED_PRECONDITION, "CAPACITY_REACHED", "Samlingen er full"),
    (grpc.StatusCode.FAILED_PRECONDITION, "SESSION_CANCELLED", "Denne samlingen er avlyst, så den tar ikke imot"),
])
def test_a_refused_tap_is_a_notice_at_the_top_in_plain_words(web, channels, checkin, code, reason, shown):
    channels["events"].on(EVENTS + "RecordAttendance", lambda r: (_ for _ in ()).throw(
        rich_error(code, reason, "refused in the service's words")))
    login(web, VOLUNTEER_TOKEN)
    answer = web.post("/sessions/a1/s9/attendances", data={
        "csrf_token": csrf_token(web, PAGE), "request_id": "r-6", "person": "p2", "who": "Hodan Warsame",
        "back": "last-time"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/sessions/a1/s9"  # the top of the page
    text = web.get(PAGE).get_data(as_text=True)
    notice = re.search(r'<div class="notice error" role="alert">(.*?)</div>', text, re.S).group(1)
    assert shown in notice
    assert text.index(shown) < text.index("<h1>")


def test_the_search_is_a_post_with_the_purpose_and_its_words_are_in_no_url(web, channels, checkin):
    channels["membership"].on(MEMBERSHIP + "ListPersons", lambda r: membership_pb2.ListPersonsResponse(
        persons=[person("p4"), person("p1")]))
    login(web, VOLUNTEER_TOKEN)
    assert web.get("/sessions/a1/s9/search").status_code == 405
    page = web.post("/sessions/a1/s9/search", data={"csrf_token": csrf_token(web, PAGE), "query": "oma fa"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    (search,) = calls(channels["membership"], "ListPersons")
    assert search.query == "oma fa" and search.purpose.startswith("oppmøte på Leksehjelp Linderud")
    found = text.split('id="search"')[1].split('id="present"')[0]
    assert 'value="oma fa"' in found  # what was typed stays in the field
    assert "Omar Farah" in found and 'name="person" value="p4"' in found
    assert "Amina Khan" in found and "krysset av</span>" in found and 'name="person" value="p1"' not in found
    assert 'action="/sessions/a1/s9/search#search"' in text
    assert not [u for u in urls(text) if "oma" in u or "fa" in u.split("/")[-1]]


def test_an_empty_search_is_refused_beside_the_field(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)
    page = web.post("/sessions/a1/s9/search", data={"csrf_token": csrf_token(web, PAGE), "query": "  "})
    assert page.status_code == 400 and "Skriv begynnelsen av fornavnet eller etternavnet." in page.get_data(as_text=True)
    assert not calls(channels["membership"], "ListPersons")


def test_an_anonymous_activity_has_only_the_head_counts_and_reads_no_one(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)
    text = web.get("/sessions/a2/s1").get_data(as_text=True)
    assert 'id="head-counts"' in text and 'id="last-time"' not in text and 'id="search"' not in text
    assert not calls(channels["events"], "ListAttendances") and not calls(channels["membership"], "BatchGetPersons")
    assert web.post("/sessions/a2/s1/search", data={"csrf_token": csrf_token(web, "/sessions/a2/s1"),
                                                     "query": "ami"}).status_code == 302
    assert not calls(channels["membership"], "ListPersons")


def test_a_cancelled_session_says_so_and_offers_no_buttons(web, channels, checkin):
    cancelled = session("a1", "s9", checkin["today"], state=2, cancel_reason="skolen er stengt")
    channels["events"].on(EVENTS + "GetSession", lambda r: cancelled)
    login(web, VOLUNTEER_TOKEN)
    text = web.get(PAGE).get_data(as_text=True)
    assert "Denne samlingen er avlyst" in text and "Grunn: skolen er stengt" in text
    assert 'id="last-time"' not in text and "withdraw" not in text
    assert text.count("<button disabled>") == 48


def test_a_tap_needs_the_form_token(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)
    answer = web.post("/sessions/a1/s9/attendances", data={"request_id": "r-7", "person": "p2"})
    assert answer.status_code == 400 and not calls(channels["events"], "RecordAttendance")


def test_the_page_in_english(web, channels, checkin):
    login(web, VOLUNTEER_TOKEN)
    web.post("/language", data={"csrf_token": csrf_token(web, "/"), "lang": "en", "next": PAGE})
    text = web.get(PAGE).get_data(as_text=True)
    assert "Came last time" in text and "Undo<span class=\"vh\"> Amina Khan</span>" in text
    assert "One more: woman / girl, 26–66 years" in text
    (first, *_rest) = calls(channels["events"], "ListAttendances")[-4:]
    assert first.purpose == f"attendance at Leksehjelp Linderud on {checkin['today'].isoformat()}"
    listing = web.get("/sessions").get_data(as_text=True)
    assert ">Today <span" in listing


def test_an_activitys_sessions_link_to_their_check_in(web, channels, checkin):
    login(web, MIR_TOKEN)
    text = web.get("/activities/a1").get_data(as_text=True)
    assert 'href="/sessions/a1/s9"' in text and 'href="/sessions/a1/s5"' in text
