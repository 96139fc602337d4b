"""What the web app's tests on Flask's test client share: a node or hub gateway over fake channels, a
fake identity provider for the login, and logging in as someone.

The login itself against the real dev issuer, in a real browser, is tested in tests/browser."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from gateway.app import create_app
from services.common.auth import AuthError
from services.common.settings import load
from tests.gateway.test_gateway_unit import (ANALYST_TOKEN, MIR_TOKEN, MIRA_TOKEN, PRINCIPALS,  # noqa: F401
                                             FakeChannel, FakeVerifier, rich_error)  # (re-exported for the tests)

VOLUNTEER_TOKEN = "token-volunteer-mir"
PRINCIPALS.setdefault(VOLUNTEER_TOKEN, PRINCIPALS[MIR_TOKEN].__class__(
    "u-4", "volunteer-mir", "brobygger-web", frozenset({"mir"}), frozenset({"volunteer"})))
ISSUER = "http://127.0.0.1:8180/realms/brobygger"


class WebVerifier(FakeVerifier):
    """The fake verifier, with ID tokens: 'id-<nonce>' is a valid ID token for that nonce."""

    def verify_id_token(self, token: str, client_id: str, nonce: str) -> dict:
        if token != f"id-{nonce}":
            raise AuthError("TOKEN_INVALID", "The ID token's nonce does not match this login.")
        return {"name": "Test Person", "nonce": nonce}


class FakeLogin:
    """Stands in for gateway.web.auth.LoginClient: the identity provider's side of the login."""

    def __init__(self) -> None:
        self.pending: dict[str, dict] = {}  # state -> what /auth was asked
        self.token_for_code: dict[str, str] = {}
        self.revoked: list[str] = []
        self.refreshed: list[str] = []
        self.client_id = "brobygger-web"

    def authorize_url(self, redirect_uri, state, nonce, challenge, locale):
        self.pending[state] = {"redirect_uri": redirect_uri, "nonce": nonce, "challenge": challenge,
                               "locale": locale}
        return f"{ISSUER}/protocol/openid-connect/auth?state={state}"

    def exchange(self, code, redirect_uri, verifier):
        token = self.token_for_code.pop(code)
        nonce = list(self.pending.values())[-1]["nonce"]  # the login started last
        return {"access_token": token, "refresh_token": f"refresh-{token}", "id_token": f"id-{nonce}",
                "expires_in": 300}

    def refresh(self, refresh_token):
        self.refreshed.append(refresh_token)
        return {"access_token": refresh_token.removeprefix("refresh-"), "refresh_token": refresh_token,
                "expires_in": 300}

    def revoke(self, refresh_token):
        self.revoked.append(refresh_token)

    def end_session_url(self, id_token, post_logout_redirect_uri):
        return f"{ISSUER}/protocol/openid-connect/logout?post_logout_redirect_uri={post_logout_redirect_uri}"


def web_app(tmp_path, channels, *, mode: str = "node", org: str = "mir", **env):
    environ = {"BROBYGGER_GATEWAY_MODE": mode, "BROBYGGER_WEB_SESSION_DIR": str(tmp_path / "sessions"), **env}
    if org:
        environ["BROBYGGER_ORG"] = org
    settings = load("gateway", environ, needs_org=mode == "node")
    app = create_app(settings, verifier=WebVerifier(), channels=channels)
    app.extensions["brobygger_login"] = FakeLogin()
    return app


def login(client, token: str, next_path: str = "/"):
    """Log in through /login and /login/callback as the user of token; returns the page it lands on."""
    fake: FakeLogin = client.application.extensions["brobygger_login"]
    started = client.get(f"/login?next={next_path}")
    assert started.status_code == 302, started.status_code
    state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
    fake.token_for_code["code-1"] = token
    back = client.get(f"/login/callback?code=code-1&state={state}")
    assert back.status_code == 302, back.get_data(as_text=True)
    return back


def csrf_token(client, path: str = "/") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)
