"""A coordinator's statistics at a node in a real browser: this year's figures, then a quarter's; charts
with text alternatives; hidden (suppressed) figures said to be hidden, never shown as 0."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

YEAR = dt.date.today().year


@pytest.fixture(scope="module")
def me(federation, views):
    return views(federation.gateway_url("mkr"), "coordinator-mkr")


def figures_shown(page) -> None:
    """The tables, the charts' text alternatives, and the hidden figures as hidden."""
    overview = page.get_by_role("table", name="Medlemmer og aktiviteter")
    expect(overview.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Medlemmer",
                                                                    exact=True))).to_have_count(1)
    charts = page.get_by_role("main").get_by_role("img")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 4
    for chart in charts.all():  # its title, then every bar's label and figure in words
        expect(chart).to_have_accessible_name(re.compile(r".+ Stolpediagram; tabellen under har de samme tallene\. .+: "))
    hidden_cells = page.get_by_role("cell").filter(has_text="prikket")
    assert hidden_cells.count() >= 1, "no hidden figure in the tables"
    for cell in hidden_cells.all():
        text = cell.inner_text()
        assert text.startswith("prikket") and "0" not in text, text
    # In the charts a hidden figure is labelled hidden too.
    expect(page.locator("svg text.value.hidden").first).to_have_text("prikket")
    expect(page.get_by_role("heading", name="Slik leser du tallene")).to_be_visible()


def test_this_years_figures_then_a_quarter(me):
    page = me.page
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Statistikk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistikk")
    expect(page.get_by_label("År", exact=True)).to_have_value(str(YEAR))
    expect(page.get_by_role("heading", level=2).first).to_contain_text(str(YEAR))
    figures_shown(page)
    me.check("statistics-year", english=True)

    page.get_by_label("Del av året").select_option(label="1. kvartal")
    page.get_by_role("button", name="Vis tallene").click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text(f"1. kvartal {YEAR}")
    expect(page.get_by_label("Del av året")).to_have_value("q1")
    assert "part=q1" in page.url
    expect(page.get_by_role("table", name="Medlemmer og aktiviteter")).to_be_visible()
    me.check("statistics-quarter", english=True)
