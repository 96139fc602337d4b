"""A coordinator's work with groups, roles and households on a person's page, in a real browser: add a person to
MiR-Ung and give them a role for a period, then end it; create a household from a person's page and add a
second member. The groups list and a group's page from the demo data, and the people list's filters."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from services.devstack import demo

pytestmark = pytest.mark.browser

USER = "coordinator-mir"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def me(federation, views):
    return views(federation.gateway_url("mir"), USER)


@pytest.fixture(scope="module")
def api(federation):
    return demo.Api(federation.gateway_url("mir"), federation.token(USER))


def register(api, given: str, family: str, birth_year: int = 1986) -> str:
    """A person invented for the test (unlike any of the demo data), by the API; their id."""
    created = api.post("/api/v1/persons", {"given_name": given, "family_name": family, "birth_year": birth_year,
                                           "gender": "GENDER_FEMALE", "chapter": "linderud"})
    return created["name"].rsplit("/", 1)[1]


def open_person(me, pid: str) -> None:
    page = me.page
    page.goto(f"{me.base_url}/persons/{pid}")
    if "/purpose" in page.url:  # people's data: the purpose is asked first, once per session
        page.get_by_label("Oppfølging av en familie").check()
        page.get_by_role("button", name="Fortsett").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Hvorfor trenger du å se personopplysninger?")


def test_a_person_joins_mir_ung_and_is_a_volunteer_for_a_period(me, api, assert_accessible):
    pid = register(api, "Ragnhild", "Qorsheel-Nyborg")
    open_person(me, pid)
    page = me.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Ragnhild Qorsheel-Nyborg")
    expect(page.get_by_text("Ragnhild er ikke medlem av noen gruppe.")).to_be_visible()
    expect(page.get_by_text("Ragnhild har ingen roller.")).to_be_visible()

    # A group she is not in, from the list of the organisation's groups.
    page.get_by_label("Legg til i en gruppe").select_option(label="MiR-Ung (gruppe)")
    page.get_by_role("button", name="Legg til i gruppen").click()
    expect(page.get_by_role("status")).to_have_text("Personen er lagt til i gruppen.")
    groups = page.get_by_role("main").get_by_role("list").filter(has=page.get_by_role("link", name="MiR-Ung"))
    expect(groups).to_be_visible()

    # A role without a first day is named in the page's language; with one, it is saved.
    form = page.locator("form[action$='/roles']")
    form.get_by_label("Rolle").select_option(label="frivillig")
    form.get_by_label("Første dag").fill("")
    form.get_by_role("button", name="Gi rollen").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv første dag")
    expect(page.locator("form[action$='/roles']").get_by_label("Første dag")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    form = page.locator("form[action$='/roles']")
    form.get_by_label("Rolle").select_option(label="frivillig")
    form.get_by_label("I en gruppe").select_option(label="MiR-Ung")
    form.get_by_label("Første dag").fill(dt.date(TODAY.year, 1, 1).isoformat())
    form.get_by_role("button", name="Gi rollen").click()
    expect(page.get_by_role("status")).to_have_text("Rollen er lagret.")
    held = page.locator("ul.roles li").filter(has_text="frivillig")
    expect(held).to_contain_text("MiR-Ung")
    expect(held).to_contain_text("fra ")
    me.check("person-groups-roles", english=True)

    # Ended today: the period shows both days, and the end form is gone.
    held.get_by_label("Siste dag").fill(TODAY.isoformat())
    held.get_by_role("button", name="Avslutt rollen som frivillig").click()
    expect(page.get_by_role("status")).to_have_text("Rollen er avsluttet.")
    ended = page.locator("ul.roles li").filter(has_text="frivillig")
    expect(ended).to_contain_text(" til ")
    expect(ended.get_by_role("button")).to_have_count(0)

    # Today she still was a volunteer: the people list's filters find her among MiR-Ung's volunteers.
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Personer").click()
    page.get_by_text("Flere filtre").click()
    page.locator("#f-group").select_option(label="MiR-Ung")
    page.get_by_label("Har rollen i dag").select_option(label="frivillig")
    page.get_by_role("button", name="Søk", exact=True).click()
    found = page.get_by_role("main").get_by_role("listitem")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Ragnhild Qorsheel-Nyborg")
    assert_accessible(page)


def test_a_household_is_created_on_a_persons_page_and_a_child_added(me, api):
    mother = register(api, "Torborg", "Wahlstrøm-Abdi")
    son = register(api, "Eilif", "Wahlstrøm-Abdi", birth_year=TODAY.year - 10)
    open_person(me, mother)
    page = me.page
    expect(page.get_by_text("Torborg er ikke medlem av en husstand.")).to_be_visible()
    page.get_by_label("Navn på husstanden").fill("Familien Wahlstrøm-Abdi")
    page.get_by_role("button", name="Opprett en husstand med denne personen som forelder eller verge").click()
    expect(page.get_by_role("status")).to_have_text(
        "Husstanden er opprettet. Legg til de andre medlemmene på husstandens side.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Familien Wahlstrøm-Abdi")

    # The son, by his id (shown on his page), as a child.
    page.get_by_label("Personens id i Brobygger").fill(son)
    page.get_by_label("Rolle i husstanden").select_option(label="barn")
    page.get_by_role("button", name="Legg til i husstanden").click()
    expect(page.get_by_role("status")).to_have_text("Personen er lagt til i husstanden.")
    members = page.locator("ul.members li")
    expect(members).to_have_count(2)
    expect(members.filter(has_text="Torborg Wahlstrøm-Abdi")).to_contain_text("forelder eller verge")
    expect(members.filter(has_text="Eilif Wahlstrøm-Abdi")).to_contain_text("barn")
    me.check("household", english=True)

    # The son's page names the household and its members.
    members.get_by_role("link", name="Eilif Wahlstrøm-Abdi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eilif Wahlstrøm-Abdi")
    expect(page.get_by_role("link", name="Åpne husstanden")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="Torborg Wahlstrøm-Abdi")).to_be_visible()


def test_the_groups_of_the_demo_and_a_groups_members(me):
    page = me.page
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Grupper").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grupper")
    chapters = page.get_by_role("main").get_by_role("listitem")
    expect(chapters.filter(has_text="MiR Linderud")).to_contain_text("lokallag")
    expect(chapters.filter(has_text="MiR-Ung")).to_contain_text("gruppe")
    me.check("groups", english=True)
    page.get_by_role("link", name="MiR-Ung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("MiR-Ung")
    expect(page.locator("ul.members li")).not_to_have_count(0)  # the youth wing's members of the demo
    me.check("group", english=True)
