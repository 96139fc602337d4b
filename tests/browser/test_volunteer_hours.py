"""Volunteer hours in a real browser: a coordinator on a phone logs the hours of the volunteers at a session
with one tap each, corrects one, and the hub counts them.

Through the node's REST API the test first adds an activity with a session in October of last year, where
five volunteers have hours, and one in November, whose hours page this test opens. The demo data logs
hours this year only, so the hub's figures for that November are 0 before; after, five volunteers and
four times 90 minutes plus 2 hours: 8 hours (published as 5 or 10, a multiple of 5 either way).
"""
from __future__ import annotations

import datetime as dt
import json
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from services.devstack import demo
from tests.support import eventually

pytestmark = pytest.mark.browser

TITLE = "Leksehjelp for timetesten"
YEAR = dt.date.today().year - 1
EARLIER, LOGGED = dt.date(YEAR, 10, 28), dt.date(YEAR, 11, 18)
MONTH = (dt.date(YEAR, 11, 1).isoformat(), dt.date(YEAR, 11, 30).isoformat())


def hub_volunteers(federation) -> tuple[dict, dict] | None:
    """mir's published volunteers and volunteer hours in MONTH, as the analyst reads them at the hub."""
    query = urllib.parse.urlencode({"start_date": MONTH[0], "end_date": MONTH[1]})
    request = urllib.request.Request(f"{federation.hub_url}/api/v1/federation/statistics?{query}",
                                     headers={"Authorization": f"Bearer {federation.token('analyst-imdi')}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = json.loads(answer.read())
    for node in body["nodes"]:
        if node["organization"] == "mir" and node.get("statistics"):
            s = node["statistics"]
            return s.get("volunteers", {}), s.get("volunteer_hours", {})
    return None


@pytest.fixture(scope="module")
def prepared(federation):
    api = demo.Api(federation.gateway_url("mir"), federation.token("coordinator-mir"))
    listing = api.call("GET", "/api/v1/persons?" + urllib.parse.urlencode(
        {"page_size": 200, "purpose": "choosing volunteers for a test of volunteer hours"}))["persons"]
    grown = [p for p in listing if p.get("birth_year", YEAR) < YEAR - 20]
    names = [f"{p['given_name']} {p['family_name']}" for p in grown]
    unique = [(p["name"], n) for p, n in zip(grown, names) if names.count(n) == 1]
    assert len(unique) >= 5, "the demo data has too few grown-ups with names of their own"
    activity = api.post("/api/v1/activities", {"title": TITLE, "subgoal": "IMDI_SUBGOAL_QUALIFICATION"})
    aid = activity["name"].rsplit("/", 1)[1]
    sessions = {day: api.post(f"/api/v1/activities/{aid}/sessions", {
        "date": day.isoformat(), "start_time": "17:30", "duration_minutes": 90, "location": "Linderud skole"})
        for day in (EARLIER, LOGGED)}
    volunteers = unique[:5]
    for person, _name in volunteers:
        api.post(f"/api/v1/activities/{aid}/hoursEntries", {
            "person": person, "session": sessions[EARLIER]["name"], "duration_minutes": 90})
    return {"aid": aid, "sid": sessions[LOGGED]["name"].rsplit("/", 1)[1], "volunteers": [n for _p, n in volunteers]}


def test_a_coordinator_logs_volunteers_hours_at_a_session_on_a_phone_and_the_hub_counts_them(
        federation, prepared, open_page, login, assert_accessible, screenshot):
    assert hub_volunteers(federation) == ({"value": 0}, {"value": 0}), "the month already has volunteer hours"
    base = federation.gateway_url("mir")
    page = open_page("phone")
    login(page, base, "coordinator-mir", next_path=f"/sessions/{prepared['aid']}/{prepared['sid']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("link", name="Frivilligtimer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frivilligtimer")
    offers = page.locator("#volunteers")
    for name in prepared["volunteers"]:
        expect(offers.get_by_role("button", name=f"{name} 1,5 t før timer")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "volunteer-hours-start")

    for name in prepared["volunteers"]:
        offers.get_by_role("button", name=f"{name} 1,5 t før timer").click()
        expect(page.get_by_role("status").first).to_contain_text(f"Timer ført: {name}, 1,5 t")
        expect(offers.get_by_role("button", name=f"{name} 1,5 t før timer")).to_have_count(0)
    logged = page.locator("#logged")
    expect(logged.get_by_role("heading", level=2)).to_contain_text("7,5 t")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    screenshot(page, "volunteer-hours")

    # One of them stayed longer: corrected to 2 hours.
    first = prepared["volunteers"][0]
    logged.get_by_role("link", name=f"Rett {first}").click()
    # Reading an entry outside the session's page is work of its own: its purpose is asked first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvorfor trenger du å se personopplysninger?")
    page.get_by_label("Planlegging av en aktivitet").check()
    page.get_by_role("button", name="Fortsett").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rett frivilligtimer")
    expect(page.get_by_label("Timer")).to_have_value("1,5")
    assert_accessible(page)
    page.get_by_label("Timer").fill("2")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("status").first).to_contain_text("Timene er rettet.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Frivilligtimer")
    expect(page.locator(".totals dd")).to_have_text("15,5 t")  # October's 7,5 and November's 8
    assert_accessible(page)

    # The hub counts five volunteers in November and their 8 hours, rounded to a multiple of 5.
    def counted():
        figures = hub_volunteers(federation)
        return figures is not None and figures[0] == {"value": 5} and figures[1].get("value") in (5, 10)

    assert eventually(counted, timeout=60, interval=0.5, what="the hub to count November's volunteer hours")
