"""The check-in at a session in a real browser, as a volunteer on a phone, and the hub counting it.

A coordinator first adds (through the node's REST API) an activity with a session today, one on a day
of last year with three people recorded, and one four weeks later, the session checked in here. The
demo data has nothing in last year (services/devstack/demo.py records this year's sessions only), so
the hub's visits for that month are 0 before and exactly 10 after: five people checked in and a head
count of five (every figure the hub publishes is a multiple of 5, and only these are published as
they are). The rosters and the totals on the page show that the wrong tap was undone.
"""
from __future__ import annotations

import datetime as dt
import json
import time
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from services.devstack import demo
from tests.support import eventually

pytestmark = pytest.mark.browser

TITLE = "Leksehjelp for nettlesertesten"
YEAR = dt.date.today().year - 1
EARLIER, CHECKED = dt.date(YEAR, 9, 16), dt.date(YEAR, 10, 14)
MONTH = (dt.date(YEAR, 10, 1).isoformat(), dt.date(YEAR, 10, 31).isoformat())


def hub_visits(federation) -> int | None:
    """mir's published visits in MONTH, as the analyst reads them at the hub."""
    query = urllib.parse.urlencode({"start_date": MONTH[0], "end_date": MONTH[1]})
    request = urllib.request.Request(f"{federation.hub_url}/api/v1/federation/statistics?{query}",
                                     headers={"Authorization": f"Bearer {federation.token('analyst-imdi')}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = json.loads(answer.read())
    for node in body["nodes"]:
        if node["organization"] == "mir" and node.get("statistics"):
            return node["statistics"]["visits_total"].get("value")
    return None


@pytest.fixture(scope="module")
def prepared(federation):
    """The activity and its sessions, and six people of mir's demo data with names found once each."""
    api = demo.Api(federation.gateway_url("mir"), federation.token("coordinator-mir"))
    listing = api.call("GET", "/api/v1/persons?" + urllib.parse.urlencode(
        {"page_size": 200, "purpose": "choosing people for a test of the check-in"}))["persons"]
    names = [f"{p['given_name']} {p['family_name']}" for p in listing]
    unique = [(p["name"], n) for p, n in zip(listing, names) if names.count(n) == 1]
    assert len(unique) >= 6, "the demo data has too few people with names of their own"
    activity = api.post("/api/v1/activities", {"title": TITLE, "subgoal": "IMDI_SUBGOAL_QUALIFICATION"})
    aid = activity["name"].rsplit("/", 1)[1]
    sessions = {}
    for day in (dt.date.today(), EARLIER, CHECKED):
        sessions[day] = api.post(f"/api/v1/activities/{aid}/sessions", {
            "date": day.isoformat(), "start_time": "17:30", "duration_minutes": 90, "location": "Linderud skole"})
    regulars = unique[:3]
    for person, _name in regulars:
        api.post(f"/api/v1/activities/{aid}/sessions/{sessions[EARLIER]['name'].rsplit('/', 1)[1]}/attendances",
                 {"person": person})
    return {"aid": aid, "sid": sessions[CHECKED]["name"].rsplit("/", 1)[1],
            "regulars": [n for _p, n in regulars], "searched": [n for _p, n in unique[3:5]], "wrong": unique[5][1]}


def test_a_volunteer_checks_in_a_group_on_a_phone_and_the_hub_counts_it(federation, prepared, open_page, login,
                                                                         assert_accessible, screenshot):
    assert hub_visits(federation) == 0, "the month chosen for this test already has visits"
    base = federation.gateway_url("mir")
    page = open_page("phone")
    login(page, base, "volunteer-mir")

    # Today's sessions: the home page's tile.
    page.locator(".tiles").get_by_role("link", name="Samlinger").click()
    today = page.locator("section.day.today")
    expect(today.get_by_role("heading", level=2)).to_contain_text("I dag")
    expect(today.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "sessions")

    # The session four weeks after the one the regulars came to, through the day chooser.
    page.get_by_label("Vis samlinger fra").fill(CHECKED.isoformat())
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text(str(CHECKED.year))
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert "/sessions/" + prepared["aid"] + "/" + prepared["sid"] in page.url
    last_time = page.locator("#last-time")
    for name in prepared["regulars"]:
        expect(last_time.get_by_role("button", name=f"Kryss av {name}")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "checkin-start")
    present = page.locator("#present")

    def search_and_check_in(name: str) -> None:
        page.get_by_label("Søk etter navn").fill(name)
        page.get_by_role("button", name="Søk", exact=True).click()
        page.locator("#search").get_by_role("button", name=f"Kryss av {name}").click()
        expect(page.locator("#search")).to_contain_text(f"Krysset av: {name}")

    taps: list[float] = []
    for name in prepared["regulars"]:
        start = time.monotonic()
        last_time.get_by_role("button", name=f"Kryss av {name}").click()
        expect(last_time).to_contain_text(f"Krysset av: {name}")
        taps.append(time.monotonic() - start)
        expect(last_time.get_by_role("button", name=f"Kryss av {name}")).to_have_count(0)
    # A wrong tap, undone.
    search_and_check_in(prepared["wrong"])
    assert_accessible(page)
    present.get_by_role("button", name=f"Angre {prepared['wrong']}").click()
    expect(present).to_contain_text(f"Angret: {prepared['wrong']} er ikke lenger krysset av.")
    expect(present).not_to_contain_text(f"✓ {prepared['wrong']}")
    for name in prepared["searched"]:
        start = time.monotonic()
        search_and_check_in(name)
        taps.append(time.monotonic() - start)
    print(f"\nfive check-ins in the browser: {sum(taps):.1f} s "
          f"({', '.join(f'{t:.2f}' for t in taps)}; the two last with typing the name)")
    for name in prepared["regulars"] + prepared["searched"]:
        expect(present).to_contain_text(name)
    expect(present.get_by_role("button", name="Angre", exact=False)).to_have_count(5)

    # A head count of five women aged 26-66; a double tap on another cell counts once, and its − takes it off.
    plus = page.get_by_role("button", name="Én til: kvinne / jente, 26–66 år")
    for n in range(1, 6):
        plus.click()
        expect(page.locator("#hc-female-26-66 .count")).to_have_text(str(n))
    page.get_by_role("button", name="Én til: mann / gutt, 20–25 år").dblclick()
    expect(page.locator("#hc-male-20-25 .count")).to_have_text("1")
    page.get_by_role("button", name="Én færre: mann / gutt, 20–25 år").click()
    expect(page.locator("#hc-male-20-25 .count")).to_have_text("0")
    expect(page.get_by_role("button", name="Én færre: mann / gutt, 20–25 år")).to_be_disabled()
    totals = page.locator(".totals dd")
    expect(totals.nth(0)).to_contain_text("5")
    expect(totals.nth(1)).to_have_text("5")
    expect(totals.nth(2)).to_have_text("10")
    assert_accessible(page)
    screenshot(page, "checkin")

    # The hub counts them: 5 people and a head count of 5 in a month that had none.
    assert eventually(lambda: hub_visits(federation) == 10, timeout=60, interval=0.5,
                      what="the hub's visits for the month of the check-in to be 10")


@pytest.mark.parametrize("form, locale", [("phone", "en-US"), ("desktop", "nb-NO"), ("desktop", "en-US")])
def test_the_check_in_page_at_phone_and_desktop_width_in_both_languages(federation, prepared, open_page, login,
                                                                         assert_accessible, screenshot, form,
                                                                         locale):
    page = open_page(form, locale)
    base = federation.gateway_url("mir")
    path = f"/sessions/{prepared['aid']}/{prepared['sid']}"
    login(page, base, "volunteer-mir", next_path=path)
    if locale.startswith("en"):
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    words = {"en": ("Came last time", "Present now", "Head counts"), "nb": ("Kom sist", "Til stede nå",
                                                                           "Telling uten navn")}[locale[:2]]
    for heading in words:
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    # Nothing wider than the screen: the page does not scroll sideways at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    screenshot(page, "checkin")
