"""Login and logout at the development issuer: authorization code + PKCE through its login form, the SSO
session, RP-initiated and back-channel logout. Real HTTP, real signed tokens, python-keycloak as the client."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt
import pytest
import requests
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakPostError

from services.common.auth import AuthError, TokenVerifier
from services.devissuer import REDIRECT_URIS_ENV, RedirectUriError, create_app, start
from services.devissuer.redirects import matches, parse_dev_redirect_uris
from services.devstack.stack import Layout, Stack
from tests.conftest import REALM_FILE, REPO
from tests.identity.conftest import FakeClock

GATEWAY_PORT = 18123  # nothing listens there: the browser below never follows the issuer's redirects
GATEWAY = f"http://127.0.0.1:{GATEWAY_PORT}"
CALLBACK = f"{GATEWAY}/auth/callback"
POST_LOGOUT = f"{GATEWAY}/"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def issuer(dev_env):
    handle = start(REALM_FILE, "127.0.0.1", 0, redirect_uris=[f"{GATEWAY}/*"])
    yield handle
    handle.stop()


@pytest.fixture()
def clocked(dev_env):
    """An issuer of its own whose clock the test moves (starting at the real time, so tokens verify)."""
    clock = FakeClock()
    clock.now = time.time()
    handle = start(REALM_FILE, "127.0.0.1", 0, redirect_uris=[f"{GATEWAY}/*"], clock=clock)
    yield handle, clock
    handle.stop()


def keycloak(issuer) -> KeycloakOpenID:
    return KeycloakOpenID(server_url=issuer.url + "/", realm_name="brobygger", client_id="brobygger-web", timeout=5)


# --------------------------------------------------------------------------- a browser, as far as the tests need one

@dataclass
class Form:
    action: str = ""
    method: str = ""
    inputs: list[dict] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)


class PageParser(HTMLParser):
    """Forms, labels, scripts and inline handlers of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.labels: dict[str, str] = {}
        self.scripts = 0
        self.inline = []  # style attributes, on* handlers, style elements
        self.html_lang = None
        self.viewport = None
        self.alerts: list[str] = []
        self._label_for = None
        self._alert = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.inline += [k for k in a if k == "style" or k.startswith("on")]
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "meta" and a.get("name") == "viewport":
            self.viewport = a.get("content")
        elif tag == "script":
            self.scripts += 1
        elif tag == "style":
            self.inline.append("style element")
        elif tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get").lower()))
        elif tag == "input" and self.forms:
            self.forms[-1].inputs.append(a)
        elif tag == "button" and self.forms:
            self.forms[-1].buttons.append(a)
        elif tag == "label":
            self._label_for = a.get("for")
            self.labels[self._label_for] = ""
        if a.get("role") == "alert":
            self._alert = True
            self.alerts.append("")

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None
        if tag == "p":
            self._alert = False

    def handle_data(self, data):
        if self._label_for is not None:
            self.labels[self._label_for] += data.strip()
        if self._alert:
            self.alerts[-1] += data.strip()


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


class Browser:
    """A requests session that shows where each redirect goes instead of following it."""

    def __init__(self, issuer) -> None:
        self.issuer = issuer
        self.http = requests.Session()
        self.kc = keycloak(issuer)

    def authorize(self, *, redirect_uri: str = CALLBACK, prompt: str | None = None, ui_locales: str | None = None,
                  **overrides) -> tuple[requests.Response, dict]:
        verifier = secrets.token_urlsafe(48)
        request = {"verifier": verifier, "state": secrets.token_urlsafe(16), "nonce": secrets.token_urlsafe(16),
                   "redirect_uri": redirect_uri}
        url = self.kc.auth_url(redirect_uri, scope="openid", state=request["state"], nonce=request["nonce"],
                               code_challenge=s256(verifier), code_challenge_method="S256")
        extra = {k: v for k, v in (("prompt", prompt), ("ui_locales", ui_locales)) if v}
        if overrides:
            parts = urlsplit(url)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            query.update(overrides)
            query = {k: v for k, v in query.items() if v is not None}
            url = parts._replace(query=urlencode(query)).geturl()
        if extra:
            url += "&" + urlencode(extra)
        return self.http.get(url, allow_redirects=False, timeout=5), request

    def submit(self, page: requests.Response, username: str, password: str) -> requests.Response:
        form = parse(page.text).forms[0]
        data = {i["name"]: i.get("value", "") for i in form.inputs if i.get("type") == "hidden"}
        data.update(username=username, password=password)
        return self.http.post(urljoin(page.url, form.action), data=data, allow_redirects=False, timeout=5)

    def login(self, username: str = "coordinator-mir", password: str = "dev", **kwargs) -> tuple[dict, dict]:
        """The whole front-channel part: (the callback's query, the request the client kept)."""
        page, request = self.authorize(**kwargs)
        assert page.status_code == 200, page.text
        done = self.submit(page, username, password)
        assert done.status_code == 302, done.text
        return callback(done, request["redirect_uri"]), request

    def tokens(self, query: dict, request: dict) -> dict:
        return self.kc.token(grant_type="authorization_code", code=query["code"],
                             redirect_uri=request["redirect_uri"], code_verifier=request["verifier"])


def callback(response: requests.Response, redirect_uri: str = CALLBACK) -> dict:
    location = response.headers["Location"]
    assert location.split("?", 1)[0] == redirect_uri.split("?", 1)[0], location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def refused(call) -> dict:
    with pytest.raises(KeycloakPostError) as info:
        call()
    assert info.value.response_code == 400
    return json.loads(info.value.response_body)


# --------------------------------------------------------------------------- the whole flow

def test_code_flow_with_python_keycloak_gives_the_token_the_services_accept(issuer):
    browser = Browser(issuer)
    page, request = browser.authorize()
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    done = browser.submit(page, "coordinator-mir", "dev")
    assert done.status_code == 302
    query = callback(done)
    assert query["state"] == request["state"]
    assert query["iss"] == issuer.issuer_url
    assert query["code"] and query["session_state"]

    cookie = next(c for c in browser.http.cookies if c.name == "KEYCLOAK_IDENTITY")
    assert cookie.path == "/realms/brobygger/" and not cookie.secure
    set_cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert query["session_state"] not in cookie.value and not any(c.name == "AUTH_SESSION_ID" and c.value
                                                                  for c in browser.http.cookies)

    tokens = browser.tokens(query, request)
    principal = TokenVerifier(issuer.issuer_url).verify(tokens["access_token"])
    assert principal.username == "coordinator-mir" and principal.orgs == frozenset({"mir"})
    assert principal.has_role("coordinator") and principal.client_id == "brobygger-web"

    access = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert access["sid"] == query["session_state"] == tokens["session_state"]
    assert access["typ"] == "Bearer" and access["aud"] == "brobygger-api"
    password_grant = jwt.decode(browser.kc.token("coordinator-mir", "dev")["access_token"],
                                options={"verify_signature": False})
    varying = {"exp", "iat", "jti", "sid", "auth_time"}
    assert {k: v for k, v in access.items() if k not in varying} == \
        {k: v for k, v in password_grant.items() if k not in varying}

    jwks = requests.get(f"{issuer.issuer_url}/protocol/openid-connect/certs", timeout=5).json()
    key = jwt.PyJWK(jwks["keys"][0])
    id_token = jwt.decode(tokens["id_token"], key.key, algorithms=["RS256"], audience="brobygger-web",
                          issuer=issuer.issuer_url)
    assert id_token["typ"] == "ID" and id_token["nonce"] == request["nonce"]
    assert id_token["sid"] == query["session_state"] and id_token["sub"] == principal.subject
    digest = hashlib.sha256(tokens["access_token"].encode()).digest()
    assert id_token["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()

    refreshed = browser.kc.refresh_token(tokens["refresh_token"])
    assert TokenVerifier(issuer.issuer_url).verify(refreshed["access_token"]).subject == principal.subject
    assert jwt.decode(refreshed["id_token"], options={"verify_signature": False})["nonce"] == request["nonce"]


def test_discovery_names_the_login_and_logout_endpoints(issuer):
    doc = keycloak(issuer).well_known()
    oidc = f"{issuer.issuer_url}/protocol/openid-connect"
    assert doc["authorization_endpoint"] == f"{oidc}/auth"
    assert doc["end_session_endpoint"] == f"{oidc}/logout"
    assert "authorization_code" in doc["grant_types_supported"]
    assert doc["code_challenge_methods_supported"] == ["S256"]


# --------------------------------------------------------------------------- the login page

def test_login_page_labels_every_control_and_runs_no_script(issuer):
    page, _ = Browser(issuer).authorize()
    parsed = parse(page.text)
    assert parsed.scripts == 0 and parsed.inline == []
    assert parsed.html_lang == "nb" and "width=device-width" in parsed.viewport
    (form,) = parsed.forms
    assert form.method == "post"
    visible = [i for i in form.inputs if i.get("type") != "hidden"]
    assert {i["name"] for i in visible} == {"username", "password"}
    for control in visible:
        assert parsed.labels.get(control["id"]), f"no label for {control['name']}"
    assert parsed.labels == {"username": "Brukernavn eller e-post", "password": "Passord"}
    assert [i["autocomplete"] for i in visible] == ["username", "current-password"]
    assert form.buttons and form.buttons[0]["type"] == "submit"
    assert [i["name"] for i in form.inputs if i.get("type") == "hidden"] == ["session_code"]
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "'unsafe-inline'" not in csp
    assert f"form-action 'self' {GATEWAY}" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Cache-Control"] == "no-store"
    css = requests.get(urljoin(page.url, "/resources/devissuer/login.css"), timeout=5)
    assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]


def test_ui_locales_chooses_english(issuer):
    page, _ = Browser(issuer).authorize(ui_locales="en-GB nb")
    parsed = parse(page.text)
    assert parsed.html_lang == "en"
    assert parsed.labels == {"username": "Username or email", "password": "Password"}


def test_wrong_password_keeps_the_username_and_says_the_same_as_for_an_unknown_user(issuer):
    browser = Browser(issuer)
    page, _ = browser.authorize()
    wrong = browser.submit(page, "coordinator-mir", "not-the-password")
    assert wrong.status_code == 200 and "Location" not in wrong.headers
    again = parse(wrong.text)
    username = next(i for i in again.forms[0].inputs if i["name"] == "username")
    password = next(i for i in again.forms[0].inputs if i["name"] == "password")
    assert username["value"] == "coordinator-mir" and "value" not in password
    unknown_page = browser.submit(wrong, "nobody-here", "dev")
    unknown = parse(unknown_page.text)
    assert again.alerts == unknown.alerts == ["Feil brukernavn eller passord."]
    assert next(i for i in unknown.forms[0].inputs if i["name"] == "username")["value"] == "nobody-here"
    markup = browser.submit(unknown_page, '"><script>alert(1)</script>', "dev")
    assert parse(markup.text).scripts == 0 and "&lt;script&gt;" in markup.text  # kept, but as text
    assert callback(browser.submit(markup, "coordinator-mir", "dev"))["code"]


def test_the_form_token_works_once_and_only_in_the_browser_that_asked(issuer):
    browser = Browser(issuer)
    page, _ = browser.authorize()
    form = parse(page.text).forms[0]
    data = {"session_code": form.inputs[0]["value"], "username": "coordinator-mir", "password": "dev"}
    action = urljoin(page.url, form.action)
    elsewhere = requests.post(action, data=data, allow_redirects=False, timeout=5)  # no AUTH_SESSION_ID cookie
    assert elsewhere.status_code == 400 and "Location" not in elsewhere.headers
    assert browser.http.post(action, data=data, allow_redirects=False, timeout=5).status_code == 302
    replay, _ = browser.authorize(prompt="login")
    stale = browser.http.post(action, data=data, allow_redirects=False, timeout=5)
    assert stale.status_code == 400 and "Location" not in stale.headers
    assert parse(stale.text).alerts == ["Skjemaet var utløpt. Logg inn på nytt."]


def test_a_disabled_user_is_refused(dev_env, tmp_path):
    raw = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    user = next(u for u in raw["users"] if u["username"] == "volunteer-mir")
    user["enabled"] = False
    realm_file = tmp_path / "realm.json"
    realm_file.write_text(json.dumps(raw), encoding="utf-8")
    app = create_app(realm_file, "http://127.0.0.1:8180", redirect_uris=[f"{GATEWAY}/*"])
    client = app.test_client()
    verifier = secrets.token_urlsafe(48)
    page = client.get("/realms/brobygger/protocol/openid-connect/auth", query_string={
        "client_id": "brobygger-web", "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid",
        "state": "s", "nonce": "n", "code_challenge": s256(verifier), "code_challenge_method": "S256"})
    assert page.status_code == 200
    token = parse(page.get_data(as_text=True)).forms[0].inputs[0]["value"]
    answer = client.post("/realms/brobygger/login-actions/authenticate",
                         data={"session_code": token, "username": "volunteer-mir", "password": "dev"})
    assert answer.status_code == 200 and "Location" not in answer.headers
    assert parse(answer.get_data(as_text=True)).alerts == ["Kontoen er deaktivert. Kontakt administratoren din."]
    assert client.get_cookie("KEYCLOAK_IDENTITY", path="/realms/brobygger/") is None


# --------------------------------------------------------------------------- the code at the token endpoint

def test_a_wrong_verifier_is_refused_and_spends_the_code(issuer):
    browser = Browser(issuer)
    query, request = browser.login()
    wrong = refused(lambda: browser.kc.token(grant_type="authorization_code", code=query["code"],
                                             redirect_uri=CALLBACK, code_verifier=secrets.token_urlsafe(48)))
    assert wrong == {"error": "invalid_grant", "error_description": "PKCE verification failed: Code mismatch"}
    assert refused(lambda: browser.tokens(query, request))["error"] == "invalid_grant"
    missing = Browser(issuer)
    query, request = missing.login()
    assert refused(lambda: missing.kc.token(grant_type="authorization_code", code=query["code"],
                                            redirect_uri=CALLBACK))["error_description"] == \
        "PKCE code verifier not specified"


def test_a_reused_code_is_refused_and_what_it_gave_is_revoked(issuer):
    browser = Browser(issuer)
    query, request = browser.login()
    tokens = browser.tokens(query, request)
    assert refused(lambda: browser.tokens(query, request)) == {"error": "invalid_grant",
                                                               "error_description": "Code not valid"}
    assert refused(lambda: browser.kc.refresh_token(tokens["refresh_token"]))["error"] == "invalid_grant"


def test_the_code_is_bound_to_its_redirect_uri(issuer):
    browser = Browser(issuer)
    query, request = browser.login()
    other = refused(lambda: browser.kc.token(grant_type="authorization_code", code=query["code"],
                                             redirect_uri=f"{GATEWAY}/elsewhere", code_verifier=request["verifier"]))
    assert other["error_description"] == "Incorrect redirect_uri"


def test_an_expired_code_is_refused(clocked):
    issuer, clock = clocked
    browser = Browser(issuer)
    query, request = browser.login()
    clock.advance(61)  # accessCodeLifespan is 60 s
    assert refused(lambda: browser.tokens(query, request)) == {"error": "invalid_grant",
                                                               "error_description": "Code is expired"}
    page, request = browser.authorize()  # the SSO session still lives: a fresh code, without the form
    assert browser.tokens(callback(page), request)["access_token"]


def test_the_sso_session_ends_after_its_idle_timeout(clocked):
    issuer, clock = clocked
    browser = Browser(issuer)
    query, request = browser.login()
    tokens = browser.tokens(query, request)
    clock.advance(1801)  # ssoSessionIdleTimeout is 1800 s
    assert refused(lambda: browser.kc.refresh_token(tokens["refresh_token"]))["error"] == "invalid_grant"
    page, _ = browser.authorize()
    assert page.status_code == 200 and parse(page.text).forms


# --------------------------------------------------------------------------- what the authorization endpoint refuses

@pytest.mark.parametrize("redirect_uri", [
    "http://127.0.0.1:18124/auth/callback",             # another port
    f"{GATEWAY}0/auth/callback",                        # the registered prefix, a longer port
    f"http://127.0.0.1:{GATEWAY_PORT}.evil.example/",   # the registered host as a subdomain
    f"http://u@127.0.0.1:{GATEWAY_PORT}/",              # user information
    f"{GATEWAY}/a/../../x",                             # walking out of the path
    f"{GATEWAY}/cb%23fragment",                         # python-keycloak puts it in as is: the issuer sees "#"
    "https://evil.example/cb",
    "",
])
def test_an_unregistered_redirect_uri_shows_an_error_page_and_does_not_redirect(issuer, redirect_uri):
    page, _ = Browser(issuer).authorize(redirect_uri=redirect_uri)
    assert page.status_code == 400 and "Location" not in page.headers
    assert page.headers["Content-Type"].startswith("text/html")
    assert parse(page.text).alerts[0].startswith(("Invalid parameter: redirect_uri", "Missing parameter"))


@pytest.mark.parametrize("client_id,message", [("nobody", "Client not found."), (None, "Missing parameter: client_id"),
                                               ("brobygger-api", "Bearer-only")])
def test_a_bad_client_shows_an_error_page(issuer, client_id, message):
    page, _ = Browser(issuer).authorize(client_id=client_id)
    assert page.status_code == 400 and "Location" not in page.headers
    assert parse(page.text).alerts[0].startswith(message)


@pytest.mark.parametrize("overrides,error", [
    ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),  # brobygger-web demands S256
    ({"code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge_method": None}, "invalid_request"),                        # would mean plain
    ({"code_challenge": "too-short"}, "invalid_request"),
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"response_type": None}, "invalid_request"),
    ({"scope": "profile"}, "invalid_scope"),
    ({"scope": "openid admin"}, "invalid_scope"),
    ({"nonce": None}, "invalid_request"),
    ({"prompt": "none login"}, "invalid_request"),
])
def test_other_errors_go_back_to_the_client_with_the_state(issuer, overrides, error):
    page, request = Browser(issuer).authorize(**overrides)
    assert page.status_code == 302
    query = callback(page)
    assert query["error"] == error and query["error_description"]
    assert query["state"] == request["state"] and query["iss"] == issuer.issuer_url
    assert "code" not in query


def test_a_missing_state_is_an_error_without_state(issuer):
    page, _ = Browser(issuer).authorize(state=None)
    assert callback(page)["error"] == "invalid_request" and "state" not in callback(page)


# --------------------------------------------------------------------------- the SSO session

def test_a_live_sso_session_skips_the_form(issuer):
    browser = Browser(issuer)
    first, _ = browser.login()
    page, request = browser.authorize()
    assert page.status_code == 302
    query = callback(page)
    assert query["session_state"] == first["session_state"] and query["state"] == request["state"]
    assert TokenVerifier(issuer.issuer_url).verify(browser.tokens(query, request)["access_token"]).username == \
        "coordinator-mir"


def test_prompt_login_shows_the_form_and_prompt_none_never_does(issuer):
    browser = Browser(issuer)
    page, request = browser.authorize(prompt="none")
    assert page.status_code == 302
    assert callback(page)["error"] == "login_required" and callback(page)["state"] == request["state"]
    first, _ = browser.login()
    assert callback(browser.authorize(prompt="none")[0])["session_state"] == first["session_state"]
    page, _ = browser.authorize(prompt="login")
    assert page.status_code == 200 and parse(page.text).forms
    again = callback(browser.submit(page, "coordinator-mir", "dev"))
    assert again["session_state"] == first["session_state"]  # the same user: the same session, logged in anew


# --------------------------------------------------------------------------- logout

def test_rp_initiated_logout_ends_the_session_and_returns_to_the_client(issuer):
    browser = Browser(issuer)
    query, request = browser.login()
    tokens = browser.tokens(query, request)
    out = browser.http.get(f"{issuer.issuer_url}/protocol/openid-connect/logout", params={
        "id_token_hint": tokens["id_token"], "client_id": "brobygger-web",
        "post_logout_redirect_uri": POST_LOGOUT, "state": "after-logout"}, allow_redirects=False, timeout=5)
    assert out.status_code == 302
    assert out.headers["Location"] == f"{POST_LOGOUT}?state=after-logout"
    assert "KEYCLOAK_IDENTITY=;" in out.headers["Set-Cookie"]
    page, _ = browser.authorize()
    assert page.status_code == 200 and parse(page.text).forms  # the form again
    assert refused(lambda: browser.kc.refresh_token(tokens["refresh_token"]))["error"] == "invalid_grant"


@pytest.mark.parametrize("uri", ["https://evil.example/", f"{GATEWAY}0/", None])
def test_logout_redirects_only_to_registered_uris(issuer, uri):
    browser = Browser(issuer)
    query, request = browser.login()
    tokens = browser.tokens(query, request)
    params = {"id_token_hint": tokens["id_token"], **({"post_logout_redirect_uri": uri} if uri else {})}
    out = browser.http.get(f"{issuer.issuer_url}/protocol/openid-connect/logout", params=params,
                           allow_redirects=False, timeout=5)
    assert out.status_code == 200 and "Location" not in out.headers
    parsed = parse(out.text)
    assert parsed.scripts == 0 and "Du er logget ut." in out.text
    assert browser.authorize(prompt="none")[0].headers["Location"].count("error=login_required") == 1


def test_logout_without_a_hint_asks_first(issuer):
    browser = Browser(issuer)
    browser.login()
    logout = f"{issuer.issuer_url}/protocol/openid-connect/logout"
    ask = browser.http.get(logout, params={"client_id": "brobygger-web", "post_logout_redirect_uri": POST_LOGOUT},
                           allow_redirects=False, timeout=5)
    assert ask.status_code == 200
    form = parse(ask.text).forms[0]
    assert callback(browser.authorize(prompt="none")[0]).get("code")  # not logged out yet
    forged = browser.http.post(urljoin(ask.url, form.action), data={"session_code": "guess"}, allow_redirects=False,
                               timeout=5)
    assert forged.status_code == 400
    data = {i["name"]: i["value"] for i in form.inputs}
    done = browser.http.post(urljoin(ask.url, form.action), data=data, allow_redirects=False, timeout=5)
    assert done.status_code == 302 and done.headers["Location"] == POST_LOGOUT
    assert callback(browser.authorize(prompt="none")[0])["error"] == "login_required"


def test_back_channel_logout_makes_the_refresh_token_refused(issuer):
    browser = Browser(issuer)
    query, request = browser.login()
    tokens = browser.tokens(query, request)
    assert browser.kc.logout(tokens["refresh_token"]) == {}
    assert refused(lambda: browser.kc.refresh_token(tokens["refresh_token"])) == {
        "error": "invalid_grant", "error_description": "Session not active"}
    assert refused(lambda: browser.kc.logout(tokens["refresh_token"]))["error"] == "invalid_grant"
    info = requests.get(f"{issuer.issuer_url}/protocol/openid-connect/userinfo", timeout=5,
                        headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 401
    page, _ = browser.authorize()
    assert page.status_code == 200 and parse(page.text).forms  # the SSO session is over too


def test_back_channel_logout_of_a_password_grant_session(issuer):
    kc = keycloak(issuer)
    tokens = kc.token("volunteer-mir", "dev")
    kc.logout(tokens["refresh_token"])
    assert refused(lambda: kc.refresh_token(tokens["refresh_token"]))["error"] == "invalid_grant"


# --------------------------------------------------------------------------- redirect URIs in development

@pytest.mark.parametrize("uri,ok", [
    (f"{GATEWAY}/", True), (GATEWAY, True), (f"{GATEWAY}/auth/callback?next=%2Fpersons", True),
    ("http://localhost:8001/auth/callback", True), ("http://127.0.0.1:8000/", True),
    (f"{GATEWAY}:1/", False), ("http://localhost:8001\\@evil.example/", False),
    ("http://localhost:8080/", False), ("javascript:alert(1)//localhost:8001/", False),
])
def test_keycloak_matching_rules(dev_env, uri, ok):
    app = create_app(REALM_FILE, "http://127.0.0.1:8180", redirect_uris=[f"{GATEWAY}/*"])
    web = app.extensions["devissuer"].realm.clients["brobygger-web"]
    assert matches(web.redirect_uris, uri) is ok
    assert matches([f"{GATEWAY}/exact"], f"{GATEWAY}/exact") and not matches([f"{GATEWAY}/exact"],
                                                                              f"{GATEWAY}/exact/more")


def test_dev_redirect_uris_come_from_the_environment(dev_env, monkeypatch):
    monkeypatch.setenv(REDIRECT_URIS_ENV, " http://127.0.0.1:18200/* ,http://127.0.0.1:18201/cb")
    realm = create_app(REALM_FILE, "http://127.0.0.1:8180").extensions["devissuer"].realm
    assert realm.clients["brobygger-web"].redirect_uris[-2:] == ("http://127.0.0.1:18200/*",
                                                                 "http://127.0.0.1:18201/cb")
    assert realm.clients["node-mir"].redirect_uris == ()  # only clients with the browser flow
    assert "http://127.0.0.1:18200/*" in realm.clients["brobygger-web"].post_logout_redirect_uris  # "+"
    for bad in ("127.0.0.1:8001/*", "http://127.0.0.1:8001/*/x", "http://h/#f", "http://h/?a=*"):
        with pytest.raises(RedirectUriError, match=REDIRECT_URIS_ENV):
            parse_dev_redirect_uris(bad)


def test_the_cli_refuses_a_malformed_redirect_uri_variable():
    env = {**os.environ, "BROBYGGER_ENV": "development", REDIRECT_URIS_ENV: "not a uri"}
    result = subprocess.run([sys.executable, "-m", "services.devissuer", "--realm-file", str(REALM_FILE),
                             "--port", "0"], env=env, cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and REDIRECT_URIS_ENV in result.stderr


def test_the_stack_registers_the_gateways_it_starts(tmp_path):
    orgs = ["mir", "mira"]
    layout = Layout.free(orgs)
    stack = Stack(tmp_path, orgs, layout)
    registered = stack.issuer_env()[REDIRECT_URIS_ENV].split(",")
    expected = {f"http://127.0.0.1:{layout.nodes[o].gateway}/*" for o in orgs} | \
        {f"http://127.0.0.1:{layout.hub_gateway}/*"}
    assert set(registered) == expected
    assert parse_dev_redirect_uris(stack.issuer_env()[REDIRECT_URIS_ENV]) == registered


def test_the_realm_file_lists_the_fixed_gateways_of_make_run():
    raw = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    web = next(c for c in raw["clients"] if c["clientId"] == "brobygger-web")
    stack = Stack(REPO / "var" / "unused", ["mir", "mira", "mkr"], Layout.fixed(["mir", "mira", "mkr"]))
    assert set(stack.redirect_uris()) <= set(web["redirectUris"])
    assert web["attributes"]["post.logout.redirect.uris"] == "+"
    assert all(u.startswith("http://") and u.endswith("/*") for u in web["redirectUris"])


def test_the_gateways_id_token_check_takes_the_real_id_token_and_refuses_others(issuer):
    """TokenVerifier.verify_id_token, which the web app's login uses: the nonce of the login, the client as
    audience, an ID token (not the access token)."""
    browser = Browser(issuer)
    query, request = browser.login()
    tokens = browser.tokens(query, request)
    verifier = TokenVerifier(issuer.issuer_url)
    claims = verifier.verify_id_token(tokens["id_token"], "brobygger-web", request["nonce"])
    assert claims["preferred_username"] == "coordinator-mir" and claims["typ"] == "ID"
    for token, client, nonce in ((tokens["id_token"], "brobygger-web", "another-nonce"),
                                 (tokens["id_token"], "brobygger-other", request["nonce"]),
                                 (tokens["access_token"], "brobygger-web", request["nonce"]),
                                 (tokens["id_token"], "brobygger-web", "")):
        with pytest.raises(AuthError) as info:
            verifier.verify_id_token(token, client, nonce)
        assert info.value.reason == "TOKEN_INVALID"
