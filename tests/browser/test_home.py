"""The home page of every node's gateway and of the hub, in a phone and a desktop browser, before login:
it names whose it is, offers the login, is accessible, sends a Content-Security-Policy and runs without
errors under it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.devstack.stack import ORGANISATIONS

pytestmark = pytest.mark.browser

PLACES = {**{org: (f"Forside – {name}", name) for org, name in ORGANISATIONS.items()},
          "hub": ("Forside – Føderasjonens knutepunkt", "Føderasjonens knutepunkt")}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        if name:
            parsed[name.lower()] = values
    return parsed


@pytest.mark.parametrize("form", ["phone", "desktop"])
@pytest.mark.parametrize("place", list(PLACES))
def test_home_page(federation, open_page, assert_accessible, screenshot, place, form):
    title, heading = PLACES[place]
    page = open_page(form)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    response = page.goto(federation.gateway_url(None if place == "hub" else place) + "/")

    assert response is not None and response.status == 200
    policy = directives(response.headers.get("content-security-policy", ""))
    assert "default-src" in policy, f"no Content-Security-Policy with default-src: {response.headers}"
    scripts = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, scripts
    expect(page).to_have_title(title)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("link", name="Logg inn")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"home-{place}")
    assert errors == [], errors
