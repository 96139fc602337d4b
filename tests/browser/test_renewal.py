"""A coordinator's yearly renewal in a real browser: the preview of who carries over into next year and who
does not and why, a confirmation that is asked for, the renewal applied once; then who counts for each funder
(IMDi, Frifond) and why the others do not. Checked with axe-core at phone and desktop width, and in English."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

YEAR = dt.date.today().year


@pytest.fixture(scope="module")
def me(federation, views):
    return views(federation.gateway_url("mir"), "coordinator-mir")


def give_purpose(page) -> None:
    if page.get_by_role("heading", level=1).inner_text() == "Hvorfor trenger du å se personopplysninger?":
        page.get_by_label("Kontingent og fornyelse").check()
        page.get_by_role("button", name="Fortsett").click()


def test_preview_confirm_and_renew_then_counted_members(me):
    page = me.page
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Fornyelse").click()
    give_purpose(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Fornyelse av medlemsår")
    expect(page.get_by_label("Forny medlemmene for")).to_have_value(str(YEAR))
    plan = page.get_by_role("region", name=f"Forhåndsvisning: fra {YEAR} til {YEAR + 1}")
    expect(plan).to_be_visible()
    # Nobody lapses silently: those who do not carry over are in the list with the reason.
    expect(plan.get_by_role("row").filter(has_text="føres ikke videre").first).to_be_visible()
    expect(plan.get_by_role("cell", name="betalte ikke dette året").first).to_be_visible()
    expect(plan.get_by_role("cell", name="medlemskapet er avsluttet").first).to_be_visible()
    summary = page.locator(".summary-line").inner_text()
    renew = int(re.search(r"Føres videre: (\d+)", summary).group(1))
    assert renew > 10, summary
    me.check("renewal-preview", english=True)

    # Applying without the confirmation ticked: asked for, next to the box; nothing is renewed.
    page.get_by_role("button", name=f"Forny {renew} medlemmer").click()
    box = page.get_by_label(re.compile("Jeg har kontrollert listen"))
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description("Kryss av for å bekrefte at du har kontrollert listen.")
    box.check()
    page.get_by_role("button", name=f"Forny {renew} medlemmer").click()
    expect(page.get_by_role("heading", level=2).first).to_have_text(f"Fornyet fra {YEAR} til {YEAR + 1}")
    expect(page.get_by_role("status")).to_contain_text(f"{renew} medlemmer føres videre til {YEAR + 1}")
    expect(page.get_by_role("button", name=re.compile("^Forny"))).to_have_count(0)
    me.check("renewal-applied", redo=lambda other: other.goto(f"{me.base_url}/renewal?from_year={YEAR}"))

    # Again: everyone renewed is now already renewed; nothing is created twice.
    page.goto(f"{me.base_url}/renewal?from_year={YEAR}")
    expect(page.locator(".summary-line")).to_contain_text(f"allerede fornyet: {renew}")
    expect(page.locator(".summary-line")).to_contain_text("Føres videre: 0")

    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Tellende medlemmer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tellende medlemmer per tilskuddsgiver")
    imdi = page.get_by_role("region", name=re.compile(f"^IMDi {YEAR}"))
    expect(imdi).to_contain_text(re.compile(rf"Teller for IMDi {YEAR}: \d+"))
    expect(imdi).to_contain_text("oppfyller kravet på 20")
    frifond = page.get_by_role("region", name=re.compile(f"^Frifond {YEAR}"))
    expect(frifond).to_contain_text(f"medlemmer i {YEAR - 2}")
    expect(frifond).to_contain_text(re.compile(r"teller ikke: \d+ — "))
    expect(frifond.get_by_role("cell", name="for gammel").first).to_be_visible()
    me.check("counted-members", english=True)
