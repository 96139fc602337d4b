"""The web app's shared parts on Flask's test client: login and logout (against a fake identity provider;
the real one is in tests/browser), sessions, languages, CSRF, the security headers and the refusal pages."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.gateway.web_support import ANALYST_TOKEN, MIR_TOKEN, MIRA_TOKEN, csrf_token, login


def test_home_page_before_login_offers_the_login_in_bokmal(web):
    page = web.get("/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="nb" dir="ltr">' in text
    assert "Logg inn" in text and 'href="/login"' in text and "mir" in text
    assert "/openapi.json" in text and "/healthz" in text


def test_the_hub_names_itself(hub_web):
    assert "Føderasjonens knutepunkt" in hub_web.get("/").get_data(as_text=True)


def test_pages_have_a_strict_content_security_policy(web):
    headers = web.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy and "form-action 'self' http://127.0.0.1:8180" in policy
    assert headers["Cache-Control"] == "no-store" and headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in web.get("/openapi.json").headers


def test_language_is_chosen_remembered_and_needs_the_form_token(web):
    assert web.post("/language", data={"lang": "en", "next": "/"}).status_code == 400  # no CSRF token
    token = csrf_token(web)
    answer = web.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    cookie = answer.headers["Set-Cookie"]
    assert "brobygger_lang=en" in cookie and "HttpOnly" in cookie and "Max-Age=31536000" in cookie
    text = web.get("/").get_data(as_text=True)
    assert '<html lang="en"' in text and "Log in" in text
    # A language without a catalogue is ignored; a foreign next is not followed.
    answer = web.post("/language", data={"lang": "xx", "next": "https://evil.example/", "csrf_token": token})
    assert answer.headers["Location"] == "/" and "brobygger_lang" not in answer.headers.get("Set-Cookie", "")


def test_login_uses_pkce_and_the_session_holds_the_tokens(web):
    fake = web.application.extensions["brobygger_login"]
    landed = login(web, MIR_TOKEN, "/?from=test")
    assert landed.headers["Location"] == "/?from=test"
    (asked,) = fake.pending.values()
    assert asked["redirect_uri"] == "http://localhost/login/callback" and len(asked["challenge"]) == 43
    cookie = landed.headers["Set-Cookie"]
    assert "brobygger_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    text = web.get("/").get_data(as_text=True)
    assert "Velkommen, Test Person" in text and "Logg ut" in text
    assert MIR_TOKEN not in text and "refresh-" not in text


def test_the_session_id_changes_at_login(web):
    web.get("/login")
    before = web.get_cookie("brobygger_session").value
    login(web, MIR_TOKEN)
    assert web.get_cookie("brobygger_session").value != before


def test_a_callback_with_another_state_is_refused(web):
    web.get("/login")
    answer = web.get("/login/callback?code=x&state=forged")
    assert answer.status_code == 400 and "Start innloggingen på nytt" in answer.get_data(as_text=True)


def test_login_only_returns_to_local_paths(web):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert login(web, MIR_TOKEN, target).headers["Location"] == "/", target


def test_logout_ends_the_session_here_and_at_the_identity_provider(web):
    fake = web.application.extensions["brobygger_login"]
    login(web, MIR_TOKEN)
    assert web.post("/logout").status_code == 400  # no form token
    answer = web.post("/logout", data={"csrf_token": csrf_token(web)})
    assert answer.status_code == 302
    ended = urlsplit(answer.headers["Location"])
    assert ended.path.endswith("/protocol/openid-connect/logout")
    assert parse_qs(ended.query)["post_logout_redirect_uri"] == ["http://localhost/"]
    assert fake.revoked == [f"refresh-{MIR_TOKEN}"]
    assert "Logg inn" in web.get("/").get_data(as_text=True)


def test_a_member_of_another_organisation_gets_a_page_that_says_why(web):
    login(web, MIRA_TOKEN)
    page = web.get("/")
    text = page.get_data(as_text=True)
    assert page.status_code == 403 and "Dette er noden til mir" in text and "mira" in text


def test_the_analyst_is_refused_at_a_node_and_a_coordinator_at_the_hub(web, hub_web):
    login(web, ANALYST_TOKEN)
    assert web.get("/").status_code == 403
    login(hub_web, MIR_TOKEN)
    page = hub_web.get("/")
    assert page.status_code == 403 and "analytikerrollen" in page.get_data(as_text=True)


def test_a_missing_page_is_a_page_and_the_api_still_answers_problems(web):
    page = web.get("/nowhere")
    assert page.status_code == 404 and page.content_type.startswith("text/html")
    assert "Sjekk adressen" in page.get_data(as_text=True)
    api = web.get("/api/v1/nowhere")
    assert api.status_code == 404 and api.content_type == "application/problem+json"


def test_a_purpose_is_asked_once_checked_and_shown(web):
    login(web, MIR_TOKEN)
    token = csrf_token(web)
    page = web.get("/purpose?next=/somewhere")
    assert page.status_code == 200 and "Hvorfor trenger du å se personopplysninger?" in page.get_data(as_text=True)
    refused = web.post("/purpose", data={"purpose_other": "a\u202eb", "next": "/x", "csrf_token": token})
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    chosen = web.post("/purpose", data={"purpose": "oppfølging av en familie", "next": "/x", "csrf_token": token})
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/x"
    assert "Formål: oppfølging av en familie" in web.get("/").get_data(as_text=True)


def test_the_purpose_page_needs_a_login(web):
    answer = web.get("/purpose")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=")


def test_the_style_sheet_is_served(web):
    sheet = web.get("/static/app.css")
    assert sheet.status_code == 200 and sheet.mimetype == "text/css" and b"--accent" in sheet.data


def test_dates_are_written_as_the_language_writes_them(web):
    from gateway.web.i18n import localized_date

    with web.application.test_request_context("/"):
        assert localized_date("2026-12-18") == "18. des. 2026"
        assert localized_date("") == "" and localized_date("not a date") == "not a date"


def test_a_right_to_left_language_turns_the_page(web):
    from flask_babel import force_locale

    from gateway.web.i18n import text_direction

    with web.application.test_request_context("/"):
        assert text_direction() == "ltr"
        with force_locale("ar"):
            assert text_direction() == "rtl"
        with force_locale("ur"):
            assert text_direction() == "rtl"


def test_the_style_sheets_use_only_logical_directions():
    """Right-to-left by translation alone: no left or right in the style sheets, only inline start and end."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    physical = re.compile(r"(margin|padding|border)-(left|right)|(?<![-\w])(left|right)\s*:|"
                          r"text-align\s*:\s*(left|right)|float\s*:\s*(left|right)")
    for sheet in [*(root / "gateway" / "web" / "static").glob("*.css"),
                  *(root / "services" / "devissuer" / "static").glob("*.css")]:
        found = [line for line in sheet.read_text().splitlines() if physical.search(line)]
        assert not found, f"{sheet.name}: {found}"
