"""A coordinator's work with people in a real browser, as a person does it: give the purpose when asked,
register someone (a wrong field is named and what was typed kept), find them by the start of their name,
correct their phone, record a membership year. No name is ever in an address the browser asked for, nor
in a page title."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

USER = "coordinator-mir"
# Invented, and unlike any name of the demo data, so the search finds this person only.
GIVEN, FAMILY = "Wenche", "Oksnevad-Rahimi"
NAME = f"{GIVEN} {FAMILY}"
YEAR = dt.date.today().year


@pytest.fixture(scope="module")
def me(federation, views):
    return views(federation.gateway_url("mir"), USER)


def private(page) -> None:
    """Nothing of the person's name in the title of the page the browser shows."""
    title = page.title()
    assert GIVEN not in title and FAMILY not in title, title


def fill_person(page, **fields) -> None:
    for label, value in fields.items():
        page.get_by_label(label, exact=False).fill(value)


def test_register_find_correct_and_record_a_year(me):
    page = me.page
    base = me.base_url
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Personer").click()

    # People's data: the purpose is asked first, and the page comes back after it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvorfor trenger du å se personopplysninger?")
    me.check("purpose", english=True)
    page.get_by_label("Oppfølging av en familie").check()
    page.get_by_role("button", name="Fortsett").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personer")
    expect(page.get_by_text("Formål: oppfølging av en familie")).to_be_visible()
    me.check("people", english=True)

    # Register, with a birth year of letters: that field is named, and everything typed is kept.
    page.get_by_role("link", name="Registrer en person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrer en person")
    me.check("person-new", english=True)
    page.get_by_label("Fornavn").fill(GIVEN)
    page.get_by_label("Etternavn").fill(FAMILY)
    page.get_by_label("Fødselsår").fill("nitten åtti")
    page.get_by_label("Kjønn").select_option(label="kvinne / jente")
    page.get_by_label("Telefon").fill("912 34 567")
    page.get_by_label("Postnummer").fill("0957")
    page.get_by_role("button", name="Registrer", exact=True).click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Det ble ikke lagret")
    birth_year = page.get_by_label("Fødselsår")
    expect(birth_year).to_have_attribute("aria-invalid", "true")
    expect(birth_year).to_have_accessible_description("Bare året, for eksempel 1984. Statistikken bruker "
                                                      "aldersgrupper, aldri året. Skriv et helt tall, for "
                                                      "eksempel 1984.")
    expect(birth_year).to_have_value("nitten åtti")
    expect(page.get_by_label("Fornavn")).to_have_value(GIVEN)
    expect(page.get_by_label("Etternavn")).to_have_value(FAMILY)
    expect(page.get_by_label("Postnummer")).to_have_value("0957")
    expect(page.get_by_label("Postnummer")).not_to_have_attribute("aria-invalid", "true")
    # The summary's link leads to the field.
    summary.get_by_role("link", name="Skriv et helt tall, for eksempel 1984.").click()
    expect(birth_year).to_be_focused()
    private(page)
    me.check("person-new-wrong-year", english=True, redo=lambda other: wrong_person(other, base, birth_year="nitten åtti"))

    # The year right, the postal code three digits: the service names that field.
    birth_year.fill("1984")
    page.get_by_label("Postnummer").fill("095")
    page.get_by_role("button", name="Registrer", exact=True).click()
    postal = page.get_by_label("Postnummer")
    expect(postal).to_have_attribute("aria-invalid", "true")
    expect(postal).to_have_value("095")
    expect(page.get_by_label("Fødselsår")).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Fødselsår")).to_have_value("1984")
    expect(page.get_by_role("alert").get_by_role("link")).to_have_count(1)
    private(page)
    me.check("person-new-wrong-postal-code", redo=lambda other: wrong_person(other, base, postal_code="095"))

    # Corrected: the person is registered and their page shown.
    postal.fill("0957")
    page.get_by_role("button", name="Registrer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.get_by_role("status")).to_have_text(f"{NAME} er registrert.")
    assert page.url.startswith(base + "/persons/")
    person_page = page.url
    private(page)
    me.check("person", english=True)

    # Found by the beginning of their names.
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Personer").click()
    page.get_by_role("searchbox", name="Søk etter navn").fill(f"{GIVEN[:3].lower()} {FAMILY[:4].lower()}")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.get_by_role("heading", name="Treff")).to_be_visible()
    found = page.get_by_role("main").get_by_role("listitem")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(NAME)
    expect(found).to_contain_text("født 1984")
    private(page)
    me.check("people-found", redo=lambda other: search(other, base, f"{GIVEN[:3].lower()} {FAMILY[:4].lower()}"))
    found.get_by_role("link", name=NAME).click()
    assert page.url == person_page

    # A new phone number, on the correction page.
    page.get_by_role("link", name="Rett opplysningene").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rett opplysninger om en person")
    expect(page.get_by_label("Telefon")).to_have_value("912 34 567")
    private(page)
    me.check("person-edit", english=True)
    page.get_by_label("Telefon").fill("+47 934 56 789")
    page.get_by_role("button", name="Lagre rettingen").click()
    expect(page.get_by_role("status")).to_have_text("Rettingen er lagret.")
    expect(page.get_by_role("definition").filter(has_text="934 56 789")).to_be_visible()
    assert page.url == person_page

    # This year's membership, paid.
    expect(page.get_by_text("Ingen medlemsår er registrert.")).to_be_visible()
    page.get_by_label("Betalt dato").fill(dt.date.today().isoformat())
    page.get_by_label("År", exact=True).fill(str(YEAR))
    page.get_by_label("Kontingent (kr)").fill("200")
    page.get_by_label("Betaling").select_option(label="betalt")
    page.get_by_role("button", name="Lagre året").click()
    expect(page.get_by_role("status")).to_have_text(f"Medlemskapet for {YEAR} er lagret.")
    row = page.get_by_role("row").filter(has_text=str(YEAR)).filter(has_text="betalt")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("200")
    private(page)
    me.check("person-with-year", english=True)

    # Nothing of the name in any address asked for, by any of the pages (redirects included).
    assert me.requested, "no requests were seen"
    leaked = [u for u in me.requested if GIVEN.lower() in u.lower() or FAMILY[:4].lower() in u.lower()]
    assert leaked == [], leaked


def wrong_person(page, base: str, birth_year: str = "1984", postal_code: str = "0957") -> None:
    """The registration form sent with a wrong field, at another width or in another language (by the
    fields' names: the labels are the page language's)."""
    page.goto(base + "/persons/new")
    for name, value in (("given_name", GIVEN), ("family_name", FAMILY), ("birth_year", birth_year),
                        ("postal_code", postal_code)):
        page.locator(f"input[name={name}]").fill(value)
    page.locator("form[action$='/persons/new'] button.primary").click()
    expect(page.locator("#problem")).to_be_visible()


def search(page, base: str, words: str) -> None:
    page.goto(base + "/persons")
    page.get_by_role("searchbox").fill(words)
    page.locator("form[role=search] button.primary").click()
    expect(page.get_by_role("main").get_by_role("listitem")).to_have_count(1)
