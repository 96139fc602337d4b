"""Logging in and out through the shared identity in a real browser, the language switch, and the
refusal page for a coordinator at another organisation's node."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_login_and_logout_end_the_session_at_the_identity_provider_too(federation, open_page, screenshot,
                                                                        assert_accessible):
    page = open_page("phone")
    base = federation.gateway_url("mir")
    page.goto(base + "/")
    page.get_by_role("link", name="Logg inn").click()
    expect(page.locator("input[name=username]")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "login-form")
    page.locator("input[name=username]").fill("coordinator-mir")
    page.locator("input[name=password]").fill("dev")
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url(base + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Velkommen")
    assert_accessible(page)
    screenshot(page, "home-coordinator-mir")
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["brobygger_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"

    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(base + "/")
    expect(page.get_by_role("link", name="Logg inn")).to_be_visible()
    # The single sign-on session ended too: logging in again asks for the password.
    page.get_by_role("link", name="Logg inn").click()
    expect(page.locator("input[name=password]")).to_be_visible()


def test_the_language_is_switched_and_remembered(federation, open_page, login):
    page = open_page("desktop")
    base = federation.gateway_url("mir")
    login(page, base, "volunteer-mir")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto(base + "/")
    expect(page.get_by_role("button", name="Norsk bokmål")).to_be_visible()
    page.get_by_role("button", name="Norsk bokmål").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")


def test_a_mir_coordinator_gets_a_page_that_says_why_at_mira(federation, open_page, login, screenshot,
                                                            assert_accessible):
    page = open_page("phone")
    login(page, federation.gateway_url("mir"), "coordinator-mir")
    response = page.goto(federation.gateway_url("mira") + "/")
    # The single sign-on session lets the login at mira through without the form; mira then refuses.
    if "/protocol/openid-connect/auth" in page.url or page.get_by_role("link", name="Logg inn").count():
        page.goto(federation.gateway_url("mira") + "/login")
        page.wait_for_url(federation.gateway_url("mira") + "/**")
        response = page.goto(federation.gateway_url("mira") + "/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har ikke tilgang til denne siden")
    expect(page.get_by_text("Dette er noden til")).to_contain_text("mir")
    assert_accessible(page)
    screenshot(page, "refused-at-mira")
