"""A coordinator's activities in a real browser: create one, add a session, change the activity and the
session, and cancel the session with a reason (refused without one)."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

USER = "coordinator-mir"
TITLE = "Fotball for jenter på Furuset"
DAY = dt.date.today() + dt.timedelta(days=14)
MOVED = DAY + dt.timedelta(days=1)


@pytest.fixture(scope="module")
def me(federation, views):
    return views(federation.gateway_url("mir"), USER)


def test_create_an_activity_add_change_and_cancel_a_session(me):
    page = me.page
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Aktiviteter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktiviteter")
    # The demo's activities are listed (an activity holds no personal data: no purpose is asked).
    expect(page.get_by_role("link", name="Leksehjelp på Linderud")).to_be_visible()
    me.check("activities", english=True)

    page.get_by_role("link", name="Opprett en aktivitet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opprett en aktivitet")
    me.check("activity-new", english=True)
    page.get_by_label("Tittel").fill(TITLE)
    page.get_by_label("Tema").fill("fotball")
    page.get_by_label("IMDis delmål").select_option(label="A: fellesskap og tilhørighet")
    page.get_by_label("Målgruppe").fill("jenter 10-16")
    page.get_by_label("Plasser per samling").fill("18")
    page.get_by_role("button", name="Opprett", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("status")).to_contain_text(f"Aktiviteten {TITLE} er opprettet.")
    expect(page.get_by_text("Ingen samlinger ennå.")).to_be_visible()
    activity_page = page.url
    me.check("activity", english=True)

    # A session.
    page.get_by_label("Dato").fill(DAY.isoformat())
    page.get_by_label("Starter kl.").fill("17:00")
    page.get_by_label("Minutter").fill("90")
    page.get_by_label("Sted").fill("Furuset idrettshall")
    page.get_by_role("button", name="Legg til samlingen").click()
    expect(page.get_by_role("status")).to_contain_text("er lagt til")
    sessions = page.get_by_role("main").get_by_role("listitem")
    expect(sessions).to_have_count(1)
    expect(sessions).to_contain_text("Furuset idrettshall")
    me.check("activity-with-session", english=True)

    # The activity changed: more places.
    page.get_by_role("link", name="Endre aktiviteten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Endre aktiviteten")
    expect(page.get_by_label("Tittel")).to_have_value(TITLE)
    me.check("activity-edit")
    page.get_by_label("Plasser per samling").fill("24")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Aktiviteten er lagret.")
    expect(page.get_by_role("definition").filter(has_text="24")).to_be_visible()
    assert page.url == activity_page

    # The session moved a day and to another hall.
    sessions.get_by_role("link", name="Endre eller avlys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Endre samlingen")
    expect(page.get_by_label("Sted")).to_have_value("Furuset idrettshall")
    session_page = page.url
    me.check("session-edit", english=True)
    page.get_by_label("Dato").fill(MOVED.isoformat())
    page.get_by_label("Sted").fill("Furuset skole, gymsalen")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Samlingen er lagret.")
    expect(sessions).to_contain_text("Furuset skole, gymsalen")
    assert page.url == activity_page

    # Cancelled: first without a reason (refused, nothing cancelled), then with one.
    sessions.get_by_role("link", name="Endre eller avlys").click()
    assert page.url == session_page
    page.get_by_role("button", name="Avlys samlingen").click()
    reason = page.get_by_label("Hvorfor avlyses den?")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_be_visible()
    me.check("session-cancel-without-reason", redo=lambda other: cancel(other, session_page, ""))
    page.goto(activity_page)
    expect(sessions.get_by_text("Avlyst", exact=True)).to_have_count(0)

    sessions.get_by_role("link", name="Endre eller avlys").click()
    page.get_by_label("Hvorfor avlyses den?").fill("hallen er stengt for vedlikehold")
    page.get_by_role("button", name="Avlys samlingen").click()
    expect(page.get_by_role("status")).to_have_text("Samlingen er avlyst.")
    expect(sessions.get_by_text("Avlyst", exact=True)).to_be_visible()
    me.check("activity-session-cancelled", english=True)
    sessions.get_by_role("link", name="Endre eller avlys").click()
    expect(page.get_by_role("status")).to_have_text("Denne samlingen er avlyst: hallen er stengt for vedlikehold")
    me.check("session-cancelled")


def cancel(page, session_page: str, reason: str) -> None:
    """The cancel form sent again at another width or in another language (by the field's name)."""
    page.goto(session_page)
    page.locator("input[name=reason]").fill(reason)
    page.locator("form[action$='/cancel'] button").click()
    expect(page.locator("#problem")).to_be_visible()
