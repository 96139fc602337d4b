"""A referral between two organisations in a real browser: at MiR a coordinator refers a member to MiRA's
legal aid (without the consent box it is refused and nothing is sent), a coordinator at MiRA finds it in
the inbox and accepts it, and MiR's page shows it accepted once the answer has travelled back."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from services.devstack import demo_consents
from services.devstack.demo import Api
from tests.support import eventually

pytestmark = pytest.mark.browser

MIRA = "MiRA-Senteret – ressurssenter for minoritetskvinner og -jenter"
MIR = "Multikulturelt Initiativ og Ressursnettverk (MiR)"
# How long a referral and its answer may take between the nodes (outbox, broker, the other node).
TRAVEL_SECONDS = 60
PHONE = "934 11 222"  # shared with the referral, so that MiRA's copy can be told from the demo's


@pytest.fixture(scope="module")
def mir(federation, views):
    return views(federation.gateway_url("mir"), "coordinator-mir")


@pytest.fixture(scope="module")
def mira(federation, views):
    return views(federation.gateway_url("mira"), "coordinator-mira")


@pytest.fixture(scope="module")
def member(federation):
    """A member of MiR who has agreed (on the organisation's form) to her contact being shared in a referral:
    registered last, so the first in the people list."""
    api = Api(federation.gateway_url("mir"), federation.token("coordinator-mir"))
    made = api.post("/api/v1/persons", {"given_name": "Nasrin", "family_name": "Qureshi", "birth_year": 1983,
                                        "gender": "GENDER_FEMALE", "chapter": "linderud"})
    person_id = made["name"].rsplit("/", 1)[-1]
    api.post(f"/api/v1/persons/{person_id}/consents", demo_consents.sharing_consent(dt.date.today()))
    return person_id


def choose_purpose(page, purpose: str = "En henvisning") -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvorfor trenger du å se personopplysninger?")
    page.get_by_label(purpose).check()
    page.get_by_role("button", name="Fortsett").click()


def sent_to_mira(page):
    return page.get_by_role("main").get_by_role("listitem").filter(has_text=MIRA)


def until_shown(page, locator, what: str) -> None:
    """Reload the page until the locator is there: the state comes from another node, in its own time."""
    def probe():
        page.reload()
        expect(locator).to_be_visible(timeout=500)
        return True

    eventually(probe, timeout=TRAVEL_SECONDS, interval=0.5, what=what)


def test_refer_a_member_to_another_organisation_which_accepts(mir, mira, member):
    page = mir.page
    menu = page.get_by_role("navigation", name="Hovedmeny")

    # Nothing sent to MiRA yet.
    menu.get_by_role("link", name="Henvisninger").click()
    choose_purpose(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mottatte henvisninger")
    mir.check("referrals-received", english=True)
    page.get_by_role("navigation", name="Henvisninger").get_by_role("link", name="Sendt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sendte henvisninger")
    expect(page.get_by_role("link", name="Linderud skole").first).to_be_visible()
    outbox = page.url
    before = sent_to_mira(page).count()  # the demo's
    mir.check("referrals-sent", english=True)

    # From a member's page, whose id the form takes over.
    menu.get_by_role("link", name="Personer").click()
    first = page.get_by_role("main").get_by_role("listitem").first.get_by_role("link")
    given_name = first.inner_text().split()[0]
    first.click()
    assert page.url.endswith(f"/persons/{member}")
    page.get_by_role("link", name="Henvis til en annen organisasjon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny henvisning til en organisasjon i føderasjonen")
    person_id = page.get_by_label("Personens id").input_value()
    assert person_id and person_id in page.url
    mir.check("referral-new-to-node", english=True)

    page.get_by_label("Organisasjon", exact=True).select_option(label=MIRA)
    page.get_by_label("Årsak til henvisningen").select_option(label="Rettshjelp")
    page.get_by_label("Fornavn").fill(given_name)
    page.get_by_label("Telefon").fill(PHONE)
    page.get_by_label("Foretrukket språk").select_option(label="Urdu")

    # Without the consent box: refused, what was typed kept, nothing sent.
    page.get_by_role("button", name="Send henvisningen").click()
    expect(page.get_by_role("alert")).to_contain_text("Henvisningen ble ikke sendt: personens samtykke mangler.")
    consent = page.get_by_role("checkbox", name="Personen har samtykket til denne henvisningen")
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(consent).not_to_be_checked()
    expect(page.get_by_label("Fornavn")).to_have_value(given_name)
    expect(page.get_by_label("Personens id")).to_have_value(person_id)
    mir.check("referral-without-consent", redo=lambda other: without_consent(other, mir.base_url, person_id))

    # MiRA's inbox as it is before the referral is sent.
    at_mira = mira.page
    at_mira.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Henvisninger").click()
    choose_purpose(at_mira)
    expect(at_mira.get_by_role("heading", level=1)).to_have_text("Mottatte henvisninger")
    known_url = at_mira.url
    known = set(referral_links(at_mira))

    # With it: sent, and MiRA decides.
    consent.check()
    page.get_by_role("button", name="Send henvisningen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Henvisning til {MIRA}")
    expect(page.get_by_role("status")).to_contain_text("Henvisningen er sendt.")
    expect(page.get_by_text(f"{MIRA} avgjør denne henvisningen")).to_be_visible()
    referral_page = page.url
    mir.check("referral-sent", english=True)
    # One referral went to MiRA: the refused attempt sent nothing.
    page.goto(outbox)
    expect(sent_to_mira(page)).to_have_count(before + 1)

    # At MiRA: in the inbox (beside the demo's referral from MiR), with what the person agreed to share.
    arrived = eventually(lambda: new_referral(at_mira, known_url, known), timeout=TRAVEL_SECONDS, interval=0.5,
                         what="the referral from MiR in MiRA's inbox")
    at_mira.goto(known_url)
    received = at_mira.locator(f"a[href='{arrived}']")
    expect(received).to_contain_text("Rettshjelp")
    mira.check("referrals-received-at-mira", english=True)
    received.click()
    expect(at_mira.get_by_role("heading", level=1)).to_contain_text("Henvisning fra")
    shared = at_mira.get_by_role("heading", name="Delt med personens samtykke")
    expect(shared).to_be_visible()
    expect(at_mira.get_by_role("definition").filter(has_text=given_name)).to_be_visible()
    expect(at_mira.get_by_role("definition").filter(has_text="Urdu")).to_be_visible()
    mira.check("referral-received", english=True)
    at_mira.get_by_role("button", name="Godta henvisningen").click()
    expect(at_mira.get_by_role("status")).to_have_text("Henvisningen er akseptert.")
    expect(at_mira.get_by_role("definition").get_by_text("Godtatt", exact=True)).to_be_visible()

    # Back at MiR: accepted, once the answer has come back.
    page.goto(referral_page)
    until_shown(page, page.get_by_role("definition").get_by_text("Godtatt", exact=True), "MiRA's acceptance at MiR")
    mir.check("referral-accepted", english=True)


def referral_links(page) -> list[str]:
    return [a.get_attribute("href") for a in page.get_by_role("main").get_by_role("listitem").get_by_role("link").all()]


def new_referral(page, inbox: str, known: set[str]) -> str | None:
    """The address of the referral with the phone this test shared, among those new in the inbox."""
    page.goto(inbox)
    for href in referral_links(page):
        if href not in known:
            page.goto(inbox.split("/referrals")[0] + href)
            if page.get_by_role("definition").filter(has_text=PHONE).count():
                return href
            known.add(href)  # another organisation's referral, not this one
    return None


def without_consent(page, base: str, person_id: str) -> None:
    """The federation form sent without the consent box, at another width or in another language."""
    page.goto(f"{base}/referrals/new/federation?person={person_id}")
    page.locator("select[name=target_organization]").select_option("mira")
    page.locator("select[name=reason_category]").select_option("REASON_CATEGORY_LEGAL_AID")
    page.locator("input[name=given_name]").fill("Amina")
    page.locator("form[action$='/new/federation'] button.primary").click()
    expect(page.locator("#problem")).to_be_visible()
