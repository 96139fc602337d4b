"""A coordinator imports a spreadsheet of members in a real browser: upload, the dry run's report (a row
with a wrong e-mail address and a row repeated are named, with what to do), the import with its progress,
the final report and its CSV; and the people are then found in the register."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.import_files import csv_bytes

pytestmark = pytest.mark.browser

USER = "coordinator-mir"
# Invented, and unlike any name of the demo data, so that nobody in the register resembles them.
ROWS = [
    {"Fornavn": "Ingvild", "Etternavn": "Sæbø-Oyelaran", "Fødselsår": "12.05.1987", "Kjønn": "K",
     "Mobil": "934 56 701", "E-post": "ingvild@example.no", "Postnummer": "0957", "Poststed": "Oslo",
     "Lokallag": "Linderud", "Kontingent": "200", "Betalt": "Ja", "År": "2026"},
    {"Fornavn": "Tobias", "Etternavn": "Sæbø-Oyelaran", "Fødselsår": "2011", "Kjønn": "M", "Mobil": "934 56 702",
     "E-post": "tobias(at)example", "Postnummer": "0957", "Poststed": "Oslo", "Lokallag": "Linderud"},
    {"Fornavn": "Gunnhild", "Etternavn": "Mbeki-Aasland", "Fødselsår": "1979", "Kjønn": "kvinne",
     "Mobil": "934 56 703", "Postnummer": "958", "Poststed": "Oslo", "Lokallag": "Furuset", "Kontingent": "50",
     "Betalt": "Nei", "År": "2026"},
]
ROWS.append(dict(ROWS[0]))  # the same person twice: a duplicate suspected


@pytest.fixture(scope="module")
def me(federation, views):
    return views(federation.gateway_url("mir"), USER)


def test_upload_check_import_and_read_the_report(me, tmp_path):
    page = me.page
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer medlemmer")
    me.check("import-upload", english=True)

    page.get_by_label("Filen (CSV eller XLSX)").set_input_files(files=[{
        "name": "medlemmer.csv", "mimeType": "text/csv", "buffer": csv_bytes(ROWS, encoding="cp1252")}])
    page.get_by_role("button", name="Kontroller filen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kontroll av filen")
    problems = page.get_by_role("list", name="Rader å se på").locator(":scope > li")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("Rad 3")
    expect(problems.nth(0)).to_contain_text("E-post: Ikke en e-postadresse")
    expect(problems.nth(1)).to_contain_text("Rad 5")
    expect(problems.nth(1)).to_contain_text("Rad 2 har samme navn")
    assert "Sæbø" not in page.title() and "medlemmer" not in page.url
    me.check("import-check", english=True)

    page.get_by_role("button", name="Importer 2 rader").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importen er ferdig", timeout=30_000)
    expect(page.get_by_role("status")).to_contain_text("Opprettet")
    me.check("import-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned rapporten (CSV)").click()
    report = tmp_path / "rapport.csv"
    download.value.save_as(report)
    text = report.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Rad;Prøvekjøring;Resultat;Person;Samme person som rad;Feil"
    assert "2;Ny;Opprettet;" in text and "3;Må rettes;Hoppet over" in text and "Sæbø" not in text

    # The people are in the register now.
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Personer").click()
    if page.get_by_label("Oppfølging av en familie").count():
        page.get_by_label("Oppfølging av en familie").check()
        page.get_by_role("button", name="Fortsett").click()
    page.get_by_role("searchbox", name="Søk etter navn").fill("sæbø")
    page.get_by_role("button", name="Søk", exact=True).click()
    found = page.get_by_role("main").get_by_role("listitem")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Ingvild Sæbø-Oyelaran")
