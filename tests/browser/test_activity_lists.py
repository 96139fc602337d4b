"""Themes and target groups in a real browser: a coordinator at MiRA (whose demo keeps both lists) adds a
theme on a phone, then creates an activity choosing it and a target group from the lists."""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_coordinator_adds_a_theme_and_chooses_it_for_a_new_activity(
        federation, open_page, login, assert_accessible, screenshot):
    code = f"sykkelkurs-{uuid.uuid4().hex[:6]}"
    page = open_page("phone")
    login(page, federation.gateway_url("mira"), "coordinator-mira", next_path="/activities")
    page.get_by_role("link", name="Temaer og målgrupper").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Temaer og målgrupper")
    expect(page.get_by_text("Språkkafé")).to_be_visible()  # the demo's list
    themes = page.get_by_role("form", name="Legg til et tema")
    themes.get_by_label("Tema").fill("Sykkelkurs")
    themes.get_by_label("Kode").fill("Sykkel kurs")
    themes.get_by_role("button", name="Legg til temaet").click()
    expect(page.locator("#e-theme_id")).to_be_visible()  # a code is small letters, digits and hyphens
    assert_accessible(page)
    themes.get_by_label("Kode").fill(code)
    themes.get_by_role("button", name="Legg til temaet").click()
    expect(page.get_by_role("status").first).to_contain_text("Temaet Sykkelkurs er lagt til.")
    assert_accessible(page)
    screenshot(page, "activity-lists")

    page.get_by_role("link", name="Tilbake til aktiviteter").click()
    page.get_by_role("link", name="Opprett en aktivitet").click()
    page.get_by_label("Tittel").fill(f"Sykkelkurs for kvinner {code[-6:]}")
    page.get_by_label("Tema").select_option(label="Sykkelkurs")
    page.get_by_label("Målgruppe").select_option(label="Kvinner")
    page.get_by_label("IMDis delmål").select_option(label="A: fellesskap og tilhørighet")
    page.get_by_role("button", name="Opprett", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("er opprettet")
    expect(page.get_by_text(code)).to_be_visible()  # the activity holds the code
