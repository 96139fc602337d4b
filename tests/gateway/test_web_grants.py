"""The funders, grants and projects pages on Flask's test client over fake channels (bokmål, the default)."""
from __future__ import annotations

import grpc

from brobygger.events.v1 import events_pb2, grants_pb2
from brobygger.reporting.v1 import reporting_pb2
from tests.gateway.web_support import MIR_TOKEN, VOLUNTEER_TOKEN, csrf_token, login, rich_error

GRANTS = "/brobygger.events.v1.GrantsService/"
EVENTS = "/brobygger.events.v1.EventsService/"
REPORTING = "/brobygger.reporting.v1.ReportingService/"
ORG = "organizations/mir"
BJERKE = grants_pb2.Funder(name=f"{ORG}/funders/f1", display_name="Bydel Bjerke")
HEALTH = grants_pb2.Grant(name=f"{ORG}/grants/g1", funder=BJERKE.name, title="Folkehelse 2026", amount_nok=120000,
                          start_date="2026-01-01", end_date="2026-12-31", reporting_duties=["Sluttrapport 1. mars"])
YOGA = events_pb2.Activity(name=f"{ORG}/activities/a1", title="Yoga og zumba")
SWIM = events_pb2.Activity(name=f"{ORG}/activities/a2", title="Svømming for mødre og barn")
PROJECT = grants_pb2.Project(name=f"{ORG}/projects/p1", title="Trening for kvinner", grants=[HEALTH.name],
                             activities=[YOGA.name])


def answers(channels):
    g, e = channels["events"], channels["events"]
    g.on(GRANTS + "ListFunders", lambda r: grants_pb2.ListFundersResponse(funders=[BJERKE]))
    g.on(GRANTS + "ListGrants", lambda r: grants_pb2.ListGrantsResponse(grants=[HEALTH]))
    g.on(GRANTS + "GetGrant", lambda r: HEALTH)
    g.on(GRANTS + "GetFunder", lambda r: BJERKE)
    g.on(GRANTS + "GetProject", lambda r: PROJECT)
    g.on(GRANTS + "ListProjects", lambda r: grants_pb2.ListProjectsResponse(projects=[PROJECT]))
    e.on(EVENTS + "ListActivities", lambda r: events_pb2.ListActivitiesResponse(activities=[YOGA, SWIM]))
    channels["reporting"].on(REPORTING + "GetStatistics", lambda r: reporting_pb2.Statistics(
        sessions=reporting_pb2.Cell(value=10), participants_unique_total=reporting_pb2.Cell(suppressed=1)))


def calls(channels, rpc):
    return [c[1] for c in channels["events"].calls if c[0].endswith("/" + rpc)]


def test_the_list_shows_each_funder_with_its_grants_in_kroner(web, channels):
    answers(channels)
    login(web, MIR_TOKEN)
    text = web.get("/grants").get_data(as_text=True)
    assert "Bydel Bjerke" in text and 'href="/grants/g1"' in text and "Folkehelse 2026" in text
    assert "kr 120\u00a0000" in text and "Tilskuddsgivere og tilskudd" in text


def test_recording_a_grant_sends_the_funder_amount_and_one_duty_a_line(web, channels):
    answers(channels)
    channels["events"].on(GRANTS + "CreateGrant", lambda r: HEALTH)
    login(web, MIR_TOKEN)
    answer = web.post("/grants/new", data={
        "csrf_token": csrf_token(web, "/grants/new"), "request_id": "r-1", "funder": "f1", "title": "Folkehelse 2026",
        "amount_nok": "120 000", "start_date": "2026-01-01", "end_date": "2026-12-31",
        "reporting_duties": "Sluttrapport 1. mars\n\nRegnskap"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/grants/g1"
    [request] = calls(channels, "CreateGrant")
    assert (request.grant.funder, request.grant.amount_nok, list(request.grant.reporting_duties), request.request_id) \
        == (BJERKE.name, 120000, ["Sluttrapport 1. mars", "Regnskap"], "r-1")


def test_a_refused_grant_names_the_field_and_keeps_what_was_typed(web, channels):
    answers(channels)
    channels["events"].on(GRANTS + "CreateGrant", lambda r: (_ for _ in ()).throw(rich_error(
        grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELDS", "The grant has invalid fields.",
        [("grant.end_date", "must not be before start_date"), ("grant.reporting_duties[1]", "at most 200 characters")])))
    login(web, MIR_TOKEN)
    token = csrf_token(web, "/grants/new")
    page = web.post("/grants/new", data={"csrf_token": token, "funder": "f1", "title": "Folkehelse", "amount_nok": "5",
                                         "start_date": "2026-12-31", "end_date": "2026-01-01"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and 'id="e-end_date"' in text and 'id="e-reporting_duties"' in text
    assert 'value="Folkehelse"' in text
    local = web.post("/grants/new", data={"csrf_token": token, "funder": "", "amount_nok": "fem"})
    assert local.status_code == 400 and "Skriv beløpet i hele kroner" in local.get_data(as_text=True)
    assert "Velg tilskuddsgiveren" in local.get_data(as_text=True)


def test_a_grants_page_shows_its_projects_activities_and_figures(web, channels):
    answers(channels)
    login(web, MIR_TOKEN)
    text = web.get("/grants/g1").get_data(as_text=True)
    assert "Trening for kvinner" in text and "Yoga og zumba" in text and "Sluttrapport 1. mars" in text
    assert "Tall i år" in text and "prikket" in text
    [asked] = [c[1] for c in channels["reporting"].calls]
    assert asked.grant == HEALTH.name


def test_creating_a_project_and_linking_an_activity(web, channels):
    answers(channels)
    channels["events"].on(GRANTS + "CreateProject", lambda r: PROJECT)
    channels["events"].on(GRANTS + "LinkActivity", lambda r: PROJECT)
    channels["events"].on(GRANTS + "UnlinkActivity", lambda r: PROJECT)
    login(web, MIR_TOKEN)
    form = web.get("/projects/new?grant=g1").get_data(as_text=True)
    assert 'value="g1" checked' in form
    token = csrf_token(web, "/projects/new")
    none = web.post("/projects/new", data={"csrf_token": token, "title": "Trening"})
    assert none.status_code == 400 and "Velg minst ett tilskudd" in none.get_data(as_text=True)
    made = web.post("/projects/new", data={"csrf_token": token, "title": "Trening for kvinner", "grants": ["g1"]})
    assert made.status_code == 302 and made.headers["Location"] == "/projects/p1"
    page = web.get("/projects/p1").get_data(as_text=True)
    assert 'value="a2"' in page and 'value="a1"' not in page  # only activities not in the project yet
    linked = web.post("/projects/p1/activities", data={"csrf_token": token, "activity": "a2", "request_id": "l-1"})
    assert linked.status_code == 302
    [request] = calls(channels, "LinkActivity")
    assert (request.project, request.activity, request.request_id) == (PROJECT.name, SWIM.name, "l-1")
    off = web.post("/projects/p1/activities/a1/remove", data={"csrf_token": token})
    assert off.status_code == 302 and calls(channels, "UnlinkActivity")[0].activity == YOGA.name


def test_an_activitys_page_shows_its_projects(web, channels):
    answers(channels)
    channels["events"].on(EVENTS + "GetActivity", lambda r: YOGA)
    channels["events"].on(EVENTS + "ListSessions", lambda r: events_pb2.ListSessionsResponse())
    login(web, MIR_TOKEN)
    text = web.get("/activities/a1").get_data(as_text=True)
    assert 'href="/projects/p1"' in text and "Trening for kvinner" in text
    assert calls(channels, "ListProjects")[0].activity == YOGA.name


def test_funders_and_grants_are_for_coordinators(web, channels):
    answers(channels)
    login(web, VOLUNTEER_TOKEN)
    assert web.get("/grants").status_code == 403
    assert web.get("/projects/p1").status_code == 403
