"""A coordinator records a consent given by word of mouth on a person's page, then the person's withdrawal
of it, in a real browser on a phone: the state of each purpose, the form's refusal of a consent already in
force, and the history kept."""
from __future__ import annotations


import pytest
from playwright.sync_api import expect

from services.devstack.demo import Api

pytestmark = pytest.mark.browser

USER = "coordinator-mir"
GIVEN, FAMILY = "Gunnhild", "Sæterbakken-Osei"  # invented, unlike the demo's names


@pytest.fixture(scope="module")
def me(federation, views):
    return views(federation.gateway_url("mir"), USER)


@pytest.fixture(scope="module")
def person_id(federation):
    api = Api(federation.gateway_url("mir"), federation.token(USER))
    made = api.post("/api/v1/persons", {"given_name": GIVEN, "family_name": FAMILY, "birth_year": 1979,
                                        "gender": "GENDER_FEMALE", "chapter": "linderud"})
    return made["name"].rsplit("/", 1)[-1]


def test_record_and_withdraw_a_consent_on_the_persons_page(me, person_id):
    page = me.page
    page.goto(f"{me.base_url}/persons/{person_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvorfor trenger du å se personopplysninger?")
    page.get_by_label("Oppfølging av en familie").check()
    page.get_by_role("button", name="Fortsett").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{GIVEN} {FAMILY}")
    photos = page.locator("#consent-consent_purpose_photos")
    expect(photos).to_contain_text("Ikke gitt")
    me.check("person-consents", english=True)

    # Said to the coordinator at the swimming group: photos are fine.
    form = page.locator("form[action$='/consents']")
    form.get_by_label("Hva gjelder samtykket?").select_option(label="Bilder")
    form.get_by_label("Versjon av samtykketeksten").fill("samtykke-2026-01")
    form.get_by_label("Hvordan ble det gitt?").select_option(label="sagt til en koordinator")
    form.get_by_label("Gitt av").select_option(label="personen selv")
    form.get_by_role("button", name="Registrer samtykket").click()
    expect(page.get_by_role("status")).to_have_text("Samtykket til bilder er registrert.")
    expect(photos.locator(".badge")).to_have_text("Gitt")
    expect(photos).to_contain_text("sagt til en koordinator")
    expect(photos).to_contain_text(f"registrert av {USER}")

    # The same again is refused beside the field, in the page's language, with what was chosen kept.
    form = page.locator("form[action$='/consents']")
    form.get_by_label("Hva gjelder samtykket?").select_option(label="Bilder")
    form.get_by_label("Versjon av samtykketeksten").fill("samtykke-2026-01")
    form.get_by_role("button", name="Registrer samtykket").click()
    expect(page.get_by_role("alert")).to_contain_text("Det er allerede gitt samtykke til dette formålet")
    chosen = page.get_by_label("Hva gjelder samtykket?")
    expect(chosen).to_have_attribute("aria-invalid", "true")
    expect(chosen).to_have_value("CONSENT_PURPOSE_PHOTOS")
    me.check("person-consent-refused", redo=lambda other: again(other, me.base_url, person_id))

    # She withdraws it by phone: the state says so, and the consent is kept as history.
    page.get_by_role("link", name="Tilbake til personen").click()
    photos = page.locator("#consent-consent_purpose_photos")
    photos.get_by_label("Hvordan ble det trukket tilbake?").select_option(label="sagt til en koordinator")
    photos.get_by_role("button", name="Trekk tilbake samtykket til bilder").click()
    expect(page.get_by_role("status")).to_have_text("Samtykket er trukket tilbake.")
    expect(photos.locator(".badge")).to_have_text("Trukket tilbake")
    photos.get_by_text("Tidligere samtykker (1)").click()
    expect(photos).to_contain_text("trukket tilbake")
    me.check("person-consent-withdrawn", english=True)
    leaked = [u for u in me.requested if GIVEN.lower() in u.lower()]
    assert leaked == [], leaked


def again(page, base: str, pid: str) -> None:
    """The refused form at another width or in another language (by the fields' names)."""
    page.goto(f"{base}/persons/{pid}")
    form = page.locator("form[action$='/consents']")
    form.locator("select[name=purpose]").select_option("CONSENT_PURPOSE_PHOTOS")
    form.locator("input[name=text_version]").fill("samtykke-2026-01")
    form.locator("button.primary").click()
    expect(page.locator("#problem")).to_be_visible()
