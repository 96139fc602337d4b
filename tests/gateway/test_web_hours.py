"""Volunteer hours in the web app on Flask's test client over fake channels: a session's hours page (one
tap per volunteer), an activity's hours, correcting and withdrawing, and who may see them."""
from __future__ import annotations

import re

import grpc

from brobygger.events.v1 import events_pb2
from brobygger.membership.v1 import membership_pb2
from tests.gateway.test_gateway_unit import EVENTS, MEMBERSHIP, MIR_TOKEN
from tests.gateway.test_web_persons import with_purpose
from tests.gateway.web_support import VOLUNTEER_TOKEN, csrf_token, login, rich_error

A = "organizations/mir/activities/a1"
S = f"{A}/sessions/s1"
AMINA = membership_pb2.Person(name="organizations/mir/persons/p1", given_name="Amina", family_name="Khan",
                              birth_year=1990)
YUSUF = membership_pb2.Person(name="organizations/mir/persons/p2", given_name="Yusuf", family_name="Ali",
                              birth_year=2004)
PEOPLE = {p.name: p for p in (AMINA, YUSUF)}


def entry(eid: str, person: str, minutes: int, session: str = S, **fields) -> events_pb2.HoursEntry:
    values = dict(name=f"{A}/hoursEntries/{eid}", person=person, session=session, date="2026-03-04",
                  duration_minutes=minutes, logged_by="coordinator-mir", state=events_pb2.HOURS_ENTRY_STATE_RECORDED)
    return events_pb2.HoursEntry(**{**values, **fields})


def answers(channels, at_session=(), on_activity=()):
    e, m = channels["events"], channels["membership"]
    e.on(EVENTS + "GetActivity", lambda r: events_pb2.Activity(name=A, title="Leksehjelp"))
    e.on(EVENTS + "GetSession", lambda r: events_pb2.Session(name=S, date="2026-03-04", start_time="17:00",
                                                             duration_minutes=90))

    def listing(r):
        found = list(at_session) if r.parent == S else list(on_activity)
        return events_pb2.ListHoursEntriesResponse(hours_entries=found,
                                                   total_minutes=sum(x.duration_minutes for x in found))

    e.on(EVENTS + "ListHoursEntries", listing)
    m.on(MEMBERSHIP + "BatchGetPersons",
         lambda r: membership_pb2.BatchGetPersonsResponse(persons=[PEOPLE[n] for n in r.names]))


def events_calls(channels, rpc):
    return [c[1] for c in channels["events"].calls if c[0].endswith("/" + rpc)]


def test_a_sessions_hours_page_offers_one_tap_per_volunteer_of_the_activity(web, channels):
    logged = entry("e1", AMINA.name, 90, task="matte")
    answers(channels, at_session=[logged], on_activity=[logged, entry("e0", YUSUF.name, 60, session="")])
    login(web, MIR_TOKEN)
    page = web.get("/sessions/a1/s1/hours")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Amina Khan" in text and "matte" in text and "Yusuf Ali" in text
    # Yusuf gave time before and has none here: one button logs the session's 90 minutes for him.
    form = re.search(r'<form method="post" action="/sessions/a1/s1/hours" class="tap">(.*?)</form>', text, re.S)
    assert form and 'name="person" value="p2"' in form.group(1) and 'name="minutes" value="90"' in form.group(1)
    reads = events_calls(channels, "ListHoursEntries")
    assert {r.parent for r in reads} == {S, A} and all("2026-03-04" in r.purpose for r in reads)
    assert "Khan" not in text.split("<title>")[1].split("</title>")[0]

    channels["events"].on(EVENTS + "LogVolunteerHours", lambda r: entry("e2", YUSUF.name, 90))
    done = web.post("/sessions/a1/s1/hours", data={"person": "p2", "who": "Yusuf Ali", "minutes": "90",
                                                   "request_id": "tap-1", "csrf_token": csrf_token(web)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/sessions/a1/s1/hours#logged")
    [sent] = events_calls(channels, "LogVolunteerHours")
    assert (sent.parent, sent.hours_entry.person, sent.hours_entry.session, sent.hours_entry.duration_minutes,
            sent.request_id) == (A, YUSUF.name, S, 90, "tap-1")


def test_a_refused_log_is_said_in_the_pages_language(web, channels):
    answers(channels)
    login(web, MIR_TOKEN)

    def refuse(r):
        raise rich_error(grpc.StatusCode.FAILED_PRECONDITION, "SESSION_CANCELLED", "The session is cancelled.")

    channels["events"].on(EVENTS + "LogVolunteerHours", refuse)
    done = web.post("/sessions/a1/s1/hours", data={"person": "p2", "minutes": "90", "csrf_token": csrf_token(web)})
    text = web.get(done.headers["Location"]).get_data(as_text=True)
    assert 'class="notice error"' in text and "avlyst" in text


def test_searching_adds_a_volunteer_with_the_search_words_never_in_a_url(web, channels):
    answers(channels)
    channels["membership"].on(MEMBERSHIP + "ListPersons",
                              lambda r: membership_pb2.ListPersonsResponse(persons=[YUSUF]))
    login(web, MIR_TOKEN)
    found = web.post("/sessions/a1/s1/hours/search", data={"query": "yus", "csrf_token": csrf_token(web)})
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and "Yusuf Ali" in text and 'name="person" value="p2"' in text
    [search] = [c[1] for c in channels["membership"].calls if c[0].endswith("/ListPersons")]
    assert search.query == "yus" and "2026-03-04" in search.purpose


def test_an_activitys_hours_need_a_purpose_and_list_with_their_total(web, channels):
    answers(channels, on_activity=[entry("e1", AMINA.name, 90), entry("e0", YUSUF.name, 30, session="")])
    login(web, MIR_TOKEN)
    asked = web.get("/activities/a1/hours")
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/purpose")
    with_purpose(web)
    text = web.get("/activities/a1/hours").get_data(as_text=True)
    assert "Amina Khan" in text and "Yusuf Ali" in text and "2 t" in text  # 120 minutes in all
    assert 'href="/activities/a1/hours/e1"' in text
    [read] = [r for r in events_calls(channels, "ListHoursEntries") if r.parent == A]
    assert read.purpose == "oppfølging av en familie"


def test_correcting_sends_only_what_changed_and_a_bad_length_is_named(web, channels):
    answers(channels)
    e = entry("e1", AMINA.name, 90, task="matte")
    channels["events"].on(EVENTS + "GetHoursEntry", lambda r: e)
    channels["events"].on(EVENTS + "UpdateHoursEntry", lambda r: e)
    token = with_purpose(web)
    form = web.get("/activities/a1/hours/e1").get_data(as_text=True)
    assert 'value="1,5"' in form and "Amina Khan" in form
    bad = web.post("/activities/a1/hours/e1", data={"hours": "13", "task": "matte", "csrf_token": token})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    done = web.post("/activities/a1/hours/e1", data={"hours": "2,5", "task": "matte", "csrf_token": token})
    assert done.status_code == 302
    [sent] = events_calls(channels, "UpdateHoursEntry")
    assert list(sent.update_mask.paths) == ["duration_minutes"] and sent.hours_entry.duration_minutes == 150


def test_withdrawing_from_the_session_page(web, channels):
    answers(channels)
    channels["events"].on(EVENTS + "WithdrawHoursEntry",
                          lambda r: entry("e1", AMINA.name, 90, state=events_pb2.HOURS_ENTRY_STATE_WITHDRAWN))
    login(web, MIR_TOKEN)
    done = web.post("/sessions/a1/s1/hours/e1/withdraw", data={"csrf_token": csrf_token(web), "request_id": "w-1"})
    assert done.status_code == 302
    [sent] = events_calls(channels, "WithdrawHoursEntry")
    assert (sent.name, sent.request_id) == (f"{A}/hoursEntries/e1", "w-1")


def test_a_volunteer_is_not_shown_the_hours_pages(web, channels):
    answers(channels)
    login(web, VOLUNTEER_TOKEN)
    assert web.get("/sessions/a1/s1/hours").status_code == 403
    assert not events_calls(channels, "ListHoursEntries")


def test_the_statistics_page_shows_volunteers_and_their_hours_under_disclosure_control(web, channels):
    from brobygger.reporting.v1 import reporting_pb2 as r
    from brobygger.type.v1 import types_pb2 as t
    from tests.gateway.test_gateway_unit import REPORTING
    from tests.gateway.test_web_statistics import PRIMARY, row, statistics

    answer = statistics()
    answer.volunteers.CopyFrom(r.Cell(value=15))
    answer.volunteer_hours.CopyFrom(r.Cell(value=240))
    answer.volunteers_by_subgoal.extend([
        r.SubgoalVolunteerCell(subgoal=t.IMDI_SUBGOAL_QUALIFICATION, volunteers=r.Cell(value=10),
                               hours=r.Cell(value=200)),
        r.SubgoalVolunteerCell(subgoal=t.IMDI_SUBGOAL_COMMUNITY, volunteers=PRIMARY, hours=PRIMARY)])
    channels["reporting"].on(REPORTING + "GetStatistics", lambda request: answer)
    login(web, MIR_TOKEN)
    text = web.get("/statistics").get_data(as_text=True)
    assert "Frivillige og timene deres" in text
    assert '<td class="num">15</td>' in row(text, "Frivillige") and '<td class="num">240</td>' in row(
        text, "Frivilligtimer")
    community = text.split("Frivillige og timene deres", 1)[1]
    assert "prikket" in row(community, "A: fellesskap og tilhørighet")
    assert '<td class="num">200</td>' in community


def test_a_persons_hours_on_every_activity_from_their_page(web, channels):
    answers(channels, on_activity=[entry("e1", AMINA.name, 90, task="matte"), entry("e0", AMINA.name, 30, session="")])
    with_purpose(web)
    channels["membership"].on(MEMBERSHIP + "GetPerson", lambda r: AMINA)
    channels["membership"].on(MEMBERSHIP + "ListMembershipYears", lambda r: membership_pb2.ListMembershipYearsResponse())
    assert 'href="/persons/p1/hours"' in web.get("/persons/p1").get_data(as_text=True)
    text = web.get("/persons/p1/hours").get_data(as_text=True)
    assert "Amina Khan" in text and "Leksehjelp" in text and "matte" in text and "2 t" in text
    [read] = [r for r in events_calls(channels, "ListHoursEntries") if r.person]
    assert (read.parent, read.person, read.purpose) == (
        "organizations/mir/activities/-", AMINA.name, "oppfølging av en familie")


def test_the_hubs_dashboard_and_csv_show_each_nodes_volunteers_and_a_node_without_them_as_not_reported(
        hub_web, hub_channel):
    import csv
    import io

    from brobygger.reporting.v1 import reporting_pb2 as r
    from brobygger.type.v1 import types_pb2 as t
    from tests.gateway.test_gateway_unit import FEDERATION
    from tests.gateway.test_web_dashboard import NODES, english
    from tests.gateway.test_web_statistics import PRIMARY, statistics
    from tests.gateway.web_support import ANALYST_TOKEN

    mir = statistics()
    mir.volunteers.CopyFrom(r.Cell(value=10))
    mir.volunteer_hours.CopyFrom(r.Cell(value=95))
    mir.volunteers_by_subgoal.extend([r.SubgoalVolunteerCell(subgoal=t.IMDI_SUBGOAL_QUALIFICATION,
                                                             volunteers=r.Cell(value=10), hours=r.Cell(value=95)),
                                      r.SubgoalVolunteerCell(subgoal=t.IMDI_SUBGOAL_COMMUNITY, volunteers=PRIMARY,
                                                             hours=PRIMARY)])
    noisy = statistics("mira", k=10, members=40)  # an answer with differential privacy: no volunteer figures
    hub_channel.on(FEDERATION + "QueryStatistics", lambda request: r.FederatedStatistics(
        period=request.period, nodes=[r.NodeResult(organization="mir", statistics=mir),
                                      r.NodeResult(organization="mira", statistics=noisy)]))
    hub_channel.on(FEDERATION + "ListNodes", lambda request: NODES)
    login(hub_web, ANALYST_TOKEN)
    english(hub_web)
    page = hub_web.get("/figures?year=2026&part=m03").get_data(as_text=True)
    assert "Volunteers and their hours" in page
    body = list(csv.reader(io.StringIO(hub_web.get("/figures.csv?year=2026&part=m03").get_data().decode(
        "utf-8-sig"))))[1:]
    by = {(b[1], b[6], b[7]): b for b in body}
    assert by[("mir", "Volunteer hours", "")][8] == "95" and by[("mir", "Volunteers", "")][8] == "10"
    assert by[("mir", "Volunteer hours", "A: community and belonging")][9] == "suppressed"
    assert by[("mira", "Volunteer hours", "")][8:10] == ["", ""]
    assert by[("mira", "Volunteer hours", "")][11] == "not reported"
