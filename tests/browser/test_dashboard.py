"""The analyst at the hub in a real browser: the dashboard names the three organisations and shows hidden
figures as hidden, never as 0; the CSV file has rows for every organisation with the hidden ones marked;
a coordinator at the hub gets the page that says why not."""
from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from services.devstack.stack import ORGANISATIONS
from tests.browser.conftest import ENGLISH

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def analyst(federation, views):
    return views(federation.hub_url, "analyst-imdi")


def download_rows(page, link_name: str) -> tuple[str, list[dict[str, str]]]:
    with page.expect_download() as event:
        page.get_by_role("link", name=link_name).click()
    download = event.value
    raw = read_text(download.path())
    delimiter = ";" if raw.splitlines()[0].count(";") > raw.splitlines()[0].count(",") else ","
    return download.suggested_filename, list(csv.DictReader(io.StringIO(raw), delimiter=delimiter))


def read_text(path) -> str:
    with open(path, encoding="utf-8-sig") as f:
        return f.read()


def test_the_dashboard_and_its_csv_file(analyst):
    page = analyst.page
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Tall").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Føderasjonens tall")

    overview = page.get_by_role("table", name="Medlemmer og aktiviteter")
    for name in ORGANISATIONS.values():
        expect(overview.get_by_role("columnheader", name=name, exact=True)).to_be_visible()
    hidden = page.get_by_role("cell").filter(has_text="prikket")
    assert hidden.count() >= 1, "no hidden figure on the dashboard"
    for cell in hidden.all():
        text = cell.inner_text()
        assert text.startswith("prikket") and "0" not in text, text
    expect(page.get_by_role("main").get_by_role("img").first).to_have_accessible_name(
        re.compile(r"^Medlemmer per organisasjon Stolpediagram"))
    analyst.check("dashboard", english=True)

    name, rows = download_rows(page, "Last ned disse tallene (CSV)")
    assert name.startswith("brobygger-figures-") and name.endswith(".csv")
    assert {r["Organisasjon"] for r in rows} == set(ORGANISATIONS.values())
    suppressed = [r for r in rows if r["Prikket"]]
    assert suppressed, "no suppressed row in the file"
    assert all(r["Prikket"] == "prikket" and r["Verdi"] == "" for r in suppressed), suppressed[:3]
    assert {r["Organisasjons-id"] for r in rows} == set(ORGANISATIONS)

    # In English, the marker is the word 'suppressed'.
    english = analyst.twin("desktop", ENGLISH)
    english.goto(page.url)
    _name, rows = download_rows(english, "Download these figures (CSV)")
    assert {r["Organisation"] for r in rows} == set(ORGANISATIONS.values())
    marked = [r for r in rows if r["Suppressed"]]
    assert marked and all(r["Suppressed"] == "suppressed" and r["Value"] == "" for r in marked)


def test_a_coordinator_at_the_hub_is_told_why_not(federation, open_page, login, assert_accessible, screenshot):
    page = open_page("phone")
    login(page, federation.hub_url, "coordinator-mir")
    response = page.goto(federation.hub_url + "/figures")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har ikke tilgang til denne siden")
    expect(page.get_by_text("Knutepunktet er for føderasjonens analytikere.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "hub-refused-coordinator")
