"""A coordinator plans repeating sessions in a real browser: every other Wednesday with a day off, the dates
previewed before saving, then saved as sessions, one of them moved and marked so on the activity's page."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from services.events.domain.recurrence import Recurrence, slots

pytestmark = pytest.mark.browser

USER = "coordinator-mir"
TITLE = "Språkkafé på Furuset"
START = dt.date.today() + dt.timedelta(days=7)
END = START + dt.timedelta(weeks=12)
RULE = Recurrence(activity_id="", rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", start_date=START.isoformat(),
                  end_date=END.isoformat(), start_time="17:00")
ALL = [s.date for s in slots(RULE)]
DAY_OFF = ALL[2]
DATES = [d for d in ALL if d != DAY_OFF]


@pytest.fixture(scope="module")
def me(federation, views):
    return views(federation.gateway_url("mir"), USER)


def fill_schedule(page) -> None:
    page.get_by_label("Ukedag").select_option(label="onsdag")
    page.get_by_label("Hvor ofte").select_option(label="Annenhver uke")
    page.get_by_label("Starter kl.").fill("17:00")
    page.get_by_label("Minutter").fill("120")
    page.get_by_label("Første dag").fill(START.isoformat())
    page.get_by_label("Siste dag").fill(END.isoformat())
    page.get_by_label("Sted").fill("Furuset bibliotek")
    page.get_by_label("Fridager").fill(DAY_OFF)


def test_plan_repeating_sessions_with_a_preview_then_move_one(me):
    page = me.page
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Aktiviteter").click()
    page.get_by_role("link", name="Opprett en aktivitet").click()
    page.get_by_label("Tittel").fill(TITLE)
    page.get_by_label("IMDis delmål").select_option(label="B: norskferdigheter og kvalifisering")
    page.get_by_role("button", name="Opprett", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    activity_page = page.url

    page.get_by_role("link", name="Gjentatte samlinger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gjentatte samlinger")
    form_page = page.url
    me.check("recurrence-form", english=True)
    fill_schedule(page)
    page.get_by_role("button", name="Vis datoene").click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading")).to_have_text(f"Datoene: {len(DATES)} samlinger")
    expect(preview.get_by_role("listitem")).to_have_count(len(DATES))
    expect(preview.get_by_role("listitem").first).to_contain_text("onsdag")
    expect(page.get_by_label("Sted")).to_have_value("Furuset bibliotek")  # the form keeps what was typed

    def redo(other):
        other.goto(form_page)
        fill_schedule(other)
        other.locator("button[value=preview]").click()
        expect(other.locator("#preview li")).to_have_count(len(DATES))

    me.check("recurrence-preview", redo=redo)

    page.get_by_role("button", name="Lagre timeplanen").click()
    assert page.url == activity_page
    expect(page.get_by_role("status")).to_contain_text(f"Timeplanen er lagret: {len(DATES)} samlinger er planlagt.")
    sessions = page.get_by_role("main").get_by_role("listitem")
    expect(sessions).to_have_count(len(DATES))
    expect(sessions.first).to_contain_text("Furuset bibliotek")

    # One occurrence moved a day later: it keeps its place in the schedule, marked as moved.
    second = sessions.nth(1)
    second.get_by_role("link", name="Endre eller avlys").click()
    moved_to = (dt.date.fromisoformat(DATES[1]) + dt.timedelta(days=1)).isoformat()
    page.get_by_label("Dato").fill(moved_to)
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Samlingen er lagret.")
    expect(page.get_by_role("main").get_by_text("flyttet fra")).to_have_count(1)
    me.check("activity-recurring", english=True)
