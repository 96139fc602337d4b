"""A person's rights in a real browser, as a coordinator answers a request: the person's page offers to
export and to erase; the export page shows every service's part and who read the data; the erasure page
says what will happen and refuses without a reason and a confirmation; then the erasure's page follows
the services until every one has finished. Checked with axe-core at phone and desktop width and in
English."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.devstack import demo
from tests.support import eventually

pytestmark = pytest.mark.browser

USER = "coordinator-mir"
# Invented, unlike any name of the demo data.
GIVEN, FAMILY = "Torunn", "Eksport-Slettvik"


@pytest.fixture(scope="module")
def me(federation, views):
    return views(federation.gateway_url("mir"), USER)


@pytest.fixture(scope="module")
def person(federation):
    api = demo.Api(federation.gateway_url("mir"), federation.token(USER))
    p = api.post("/api/v1/persons", {"given_name": GIVEN, "family_name": FAMILY, "birth_year": 1979,
                                     "gender": "GENDER_FEMALE", "phone": "+47 955 55 555"})
    pid = p["name"].rsplit("/", 1)[1]
    api.post(f"/api/v1/persons/{pid}/membership-years", {"year": 2026, "fee_nok": 200,
                                                         "payment_state": "PAYMENT_STATE_PAID"})
    return pid


def test_export_then_erase_a_person(me, person):
    page, base = me.page, me.base_url
    page.goto(f"{base}/persons/{person}")
    if page.get_by_label("Oppfølging av en familie").count():
        page.get_by_label("Oppfølging av en familie").check()
        page.get_by_role("button", name="Fortsett").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{GIVEN} {FAMILY}")

    # The export: every service's part, and who read the person's data and why.
    page.get_by_role("link", name="Eksporter data").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{GIVEN} {FAMILY}")
    for heading in ("Medlemskap", "Aktiviteter og oppmøte", "Henvisninger", "Statistikk (uten navn)"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.get_by_text("+47 955 55 555")).to_be_visible()
    expect(page.get_by_role("cell", name="oppfølging av en familie").first).to_be_visible()
    expect(page.get_by_role("link", name="Last ned som JSON-fil")).to_have_attribute(
        "href", f"/persons/{person}/export.json")
    assert GIVEN not in page.title()
    me.check("person-export", english=True)

    # The erasure: what will happen, then a reason and a confirmation are required.
    page.get_by_role("link", name="Tilbake til personen").click()
    page.get_by_role("link", name="Slett personen").click()
    expect(page.get_by_role("heading", name="Dette skjer")).to_be_visible()
    expect(page.get_by_text("det kan ikke angres")).to_be_visible()
    me.check("person-erase", english=True)
    page.get_by_role("button", name="Slett personen").click()
    expect(page.get_by_role("alert")).to_contain_text("Velg hvorfor personen slettes.")
    expect(page.get_by_label("Hvorfor personen slettes")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Hvorfor personen slettes").select_option(label="Personen trakk tilbake samtykket sitt")
    page.get_by_label(f"Jeg bekrefter at {GIVEN} skal slettes").check()
    page.get_by_role("button", name="Slett personen").click()

    # The erasure's page: membership at once, the other services as they confirm.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sletting")
    expect(page.get_by_role("status")).to_contain_text("Personen er slettet fra medlemskap")

    def completed():
        page.reload()
        return page.get_by_text("Alle tjenestene har slettet personen.").count() == 1

    eventually(completed, timeout=60, interval=1, what="every service erased the person")
    expect(page.get_by_text("Personen trakk tilbake samtykket sitt")).to_be_visible()
    assert GIVEN not in page.content() and person not in page.content()
    me.check("erasure", english=True)
    page.get_by_role("link", name="Sletteloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sletteloggen")
    # The person is gone from the node: their page is not found.
    page.goto(f"{base}/persons/{person}")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(f"{GIVEN} {FAMILY}")
