"""Login through the shared identity: OpenID Connect authorization code flow with PKCE (S256).

``GET /login`` starts it: a fresh ``state``, ``nonce`` and PKCE verifier are kept in the server-side
session and the browser goes to the realm's authorization endpoint. ``GET /login/callback`` checks the
state, exchanges the code (with the verifier) at the token endpoint, verifies the access token exactly
as the REST API does and the ID token's nonce, and starts a new session (a new id, so a session id known
before the login is worth nothing after it). ``POST /logout`` ends the session at the identity provider
(back channel, with the refresh token) and here, then sends the browser to the realm's end-session
endpoint, which ends the single sign-on session and comes back to the home page.

The tokens stay on the server; the browser holds only the session id. Each page request verifies the
access token and refreshes it when it has less than REFRESH_MARGIN seconds left; a refused refresh (the
session ended at the identity provider) ends the session here too, and the user is asked to log in.
"""
from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError

from services.common.auth import AuthError, Principal
from services.common.auth.realm_url import server_base, split_issuer

if TYPE_CHECKING:
    from gateway.app import Gateway

log = logging.getLogger("gateway.web")

REFRESH_MARGIN = 30  # seconds
LOGIN_MAX_AGE = 600  # seconds a started login may take
SCOPE = "openid"


@dataclass(frozen=True)
class User:
    """Who is logged in, as the page templates see them."""

    principal: Principal
    display_name: str

    @property
    def username(self) -> str:
        return self.principal.username

    def has_role(self, role: str) -> bool:
        return self.principal.has_role(role)


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class LoginClient:
    """The gateway as an OpenID Connect client of the realm (python-keycloak's KeycloakOpenID)."""

    def __init__(self, issuer: str, client_id: str, *, timeout: float = 5) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.timeout = timeout
        self._server_url = server_base(self.issuer, None)
        self._realm = split_issuer(self.issuer)[1]
        self._openid: KeycloakOpenID | None = None
        self._lock = threading.Lock()

    @property
    def openid(self) -> KeycloakOpenID:
        with self._lock:
            if self._openid is None:
                self._openid = KeycloakOpenID(server_url=self._server_url, realm_name=self._realm,
                                              client_id=self.client_id, timeout=self.timeout)
            return self._openid

    def authorize_url(self, redirect_uri: str, state: str, nonce: str, challenge: str, locale: str) -> str:
        url = self.openid.auth_url(redirect_uri, scope=SCOPE, state=state, nonce=nonce, code_challenge=challenge,
                                   code_challenge_method="S256")
        return f"{url}&{urlencode({'ui_locales': locale})}"

    def exchange(self, code: str, redirect_uri: str, verifier: str) -> dict:
        return self.openid.token(grant_type="authorization_code", code=code, redirect_uri=redirect_uri,
                                 code_verifier=verifier)

    def refresh(self, refresh_token: str) -> dict:
        return self.openid.refresh_token(refresh_token)

    def revoke(self, refresh_token: str) -> None:
        self.openid.logout(refresh_token)

    def end_session_url(self, id_token: str, post_logout_redirect_uri: str) -> str:
        query = urlencode({"client_id": self.client_id, "id_token_hint": id_token,
                           "post_logout_redirect_uri": post_logout_redirect_uri})
        return f"{self.issuer}/protocol/openid-connect/logout?{query}"


def public_url(gw: Gateway, path: str) -> str:
    """An absolute URL of this gateway as the browser reaches it."""
    base = gw.settings.web_public_url or request.host_url.rstrip("/")
    return base + path


def local_path(target: str | None) -> str:
    """target if it is a path of this site (no scheme, host or //), else '/'; never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _store_tokens(answer: dict, clock=time.time) -> None:
    now = clock()
    session["tokens"] = {
        "access": answer["access_token"],
        "refresh": answer.get("refresh_token", ""),
        "id": answer.get("id_token", session.get("tokens", {}).get("id", "")),
        "expires_at": now + float(answer.get("expires_in") or 60),
    }


def current_user(gw: Gateway) -> User | None:
    """The logged-in user of this request, with their access token put where the gRPC channels take it;
    None when nobody is (or the session has ended at the identity provider)."""
    if "user" in g:
        return g.user
    g.user = None
    tokens = session.get("tokens")
    if not tokens:
        return None
    client = login_client()
    if tokens["expires_at"] - time.time() < REFRESH_MARGIN:
        try:
            _store_tokens(client.refresh(tokens["refresh"]))
        except (KeycloakError, KeyError, OSError, ValueError):
            log.info("web session ended: the refresh token was refused")
            session.clear()
            return None
        tokens = session["tokens"]
    try:
        principal = gw.verifier.verify(tokens["access"])
    except AuthError as exc:
        log.info("web session ended: %s", exc.reason)
        session.clear()
        return None
    g.bearer_token = tokens["access"]
    g.user = User(principal, session.get("display_name") or principal.username)
    return g.user


LOGIN_CLIENT = "brobygger_login"


def login_client() -> LoginClient:
    return current_app.extensions[LOGIN_CLIENT]


def login_redirect() -> Response:
    """Send the browser to /login, coming back to this page (a GET) or the home page."""
    target = request.full_path.rstrip("?") if request.method == "GET" else "/"
    return redirect(url_for("auth.login", next=target))


def blueprint(gw: Gateway) -> Blueprint:
    bp = Blueprint("auth", __name__)

    @bp.record_once
    def keep_client(state) -> None:
        state.app.extensions[LOGIN_CLIENT] = LoginClient(gw.settings.oidc_issuer, gw.settings.web_client_id)

    def callback_url() -> str:
        return public_url(gw, url_for("auth.callback"))

    @bp.get("/login")
    def login() -> Response:
        from gateway.web.i18n import current_locale

        client = login_client()
        verifier, challenge = pkce_pair()
        pending = {"state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24), "verifier": verifier,
                   "next": local_path(request.args.get("next")), "started": time.time()}
        session["login"] = pending
        try:
            url = client.authorize_url(callback_url(), pending["state"], pending["nonce"], challenge,
                                       current_locale())
        except (KeycloakError, OSError) as exc:
            log.warning("the identity provider did not answer the login: %s", type(exc).__name__)
            abort(503, description=_("The login service does not answer. Try again in a minute; if it goes on, "
                                     "tell the person who runs this node."))
        return redirect(url)

    @bp.get("/login/callback")
    def callback() -> Response:
        pending = session.pop("login", None)
        again = _("Start the login again from the home page.")
        if request.args.get("error"):
            if request.args.get("error") == "access_denied":
                return redirect(url_for("home.index"))
            abort(400, description=_("The login did not succeed. %(again)s", again=again))
        if (not pending or not secrets.compare_digest(request.args.get("state", ""), pending["state"])
                or time.time() - pending["started"] > LOGIN_MAX_AGE):
            abort(400, description=_("This login link is old or was not started here. %(again)s", again=again))
        code = request.args.get("code", "")
        client = login_client()
        if not code:
            abort(400, description=_("The login answered without a code. %(again)s", again=again))
        try:
            answer = client.exchange(code, callback_url(), pending["verifier"])
            principal = gw.verifier.verify(answer["access_token"])
            claims = gw.verifier.verify_id_token(answer.get("id_token", ""), client.client_id, pending["nonce"])
        except (KeycloakError, KeyError, OSError, ValueError, AuthError) as exc:
            log.info("a login was refused: %s", getattr(exc, "reason", type(exc).__name__))
            abort(400, description=_("The login could not be completed. %(again)s", again=again))
        # A new session: whatever id the browser had before the login is worth nothing now.
        session.clear()
        _store_tokens(answer)
        session["display_name"] = str(claims.get("name") or principal.username)[:100]
        current_app.session_interface.regenerate(session)  # (it leaves an empty session as it is)
        log.info("web login of %s", principal.subject)
        return redirect(pending["next"])

    @bp.post("/logout")
    def logout() -> Response:
        from gateway.web import csrf

        csrf.protect()
        tokens = session.get("tokens") or {}
        client = login_client()
        if tokens.get("refresh"):
            try:
                client.revoke(tokens["refresh"])
            except (KeycloakError, OSError, ValueError) as exc:
                log.info("ending the session at the identity provider failed: %s", type(exc).__name__)
        session.clear()
        if tokens.get("id"):
            return redirect(client.end_session_url(tokens["id"], public_url(gw, "/")))
        return redirect(url_for("home.index"))

    return bp

