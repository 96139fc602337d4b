"""Registration in a real browser: a coordinator on a phone registers a whole family for a course with
two places in a few taps; the third member goes on the waiting list; when the mother signs off, the
waiting child gets the place by itself, and the page says so.

Through the node's REST API the test first adds the course and a household of three people with a family
name of their own, so that a search finds them alone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.devstack import demo

pytestmark = pytest.mark.browser

TITLE = "Ta ordet for påmeldingstesten"
FAMILY = "Påmeldingsen"
MEMBERS = [("Nadia", 1985, "HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN"), ("Lina", 2013, "HOUSEHOLD_ROLE_CHILD"),
           ("Omar", 2015, "HOUSEHOLD_ROLE_CHILD")]


@pytest.fixture(scope="module")
def prepared(federation):
    api = demo.Api(federation.gateway_url("mir"), federation.token("coordinator-mir"))
    activity = api.post("/api/v1/activities", {"title": TITLE, "subgoal": "IMDI_SUBGOAL_SOCIAL_CONTROL",
                                               "capacity": 2})
    household = api.post("/api/v1/households", {"display_name": f"Familien {FAMILY}"})
    hid = household["name"].rsplit("/", 1)[1]
    for given, born, role in MEMBERS:
        person = api.post("/api/v1/persons", {"given_name": given, "family_name": FAMILY, "birth_year": born,
                                              "gender": "GENDER_FEMALE" if given != "Omar" else "GENDER_MALE"})
        api.post(f"/api/v1/households/{hid}/members", {"person": person["name"], "role": role})
    return {"aid": activity["name"].rsplit("/", 1)[1]}


def test_a_coordinator_registers_a_family_on_a_phone_and_the_waiting_list_moves_up(
        federation, prepared, open_page, login, assert_accessible, screenshot):
    base = federation.gateway_url("mir")
    page = open_page("phone")
    login(page, base, "coordinator-mir", next_path=f"/activities/{prepared['aid']}")
    page.get_by_role("link", name="Påmelding til kurset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Påmelding")
    expect(page.locator("#places-count")).to_contain_text("0 av 2 plasser tatt")
    assert_accessible(page)

    page.get_by_label("Søk etter navn").fill("nadia påm")
    page.get_by_role("button", name="Søk").click()
    page.get_by_role("button", name=f"Meld på husstanden Nadia {FAMILY}").click()
    status = page.get_by_role("status")
    expect(status.filter(has_text=f"Nadia {FAMILY} har plass.")).to_be_visible()
    expect(status.filter(has_text=f"Lina {FAMILY} har plass.")).to_be_visible()
    expect(status.filter(has_text=f"Omar {FAMILY} står på ventelisten, nummer 1.")).to_be_visible()
    expect(page.locator("#places-count")).to_contain_text("2 av 2 plasser tatt")
    waiting = page.locator("#waiting")
    expect(waiting.get_by_role("listitem")).to_have_count(1)
    expect(waiting.get_by_role("listitem")).to_contain_text(f"1. Omar {FAMILY}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    screenshot(page, "registration-waiting-list")

    page.locator("#places").get_by_role("button", name=f"Meld av Nadia {FAMILY}").click()
    expect(status.filter(has_text=f"Omar {FAMILY} fikk plassen fra ventelisten.")).to_be_visible()
    expect(waiting.get_by_role("listitem")).to_have_count(0)
    places = page.locator("#places")
    expect(places.get_by_role("listitem").filter(has_text=f"Omar {FAMILY}")).to_contain_text("fra ventelisten")
    expect(places.get_by_role("listitem").filter(has_text=f"Nadia {FAMILY}")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "registration-promoted")
