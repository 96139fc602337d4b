"""HTTP face of the development issuer: the Keycloak endpoints the project uses.

Served paths (``<realm>`` is the realm's name from the realm file)::

    GET  /realms/<realm>
    GET  /realms/<realm>/.well-known/openid-configuration
    GET  /realms/<realm>/protocol/openid-connect/certs
    POST /realms/<realm>/protocol/openid-connect/token      grants: authorization_code, client_credentials,
                                                            password, refresh_token
    GET  /realms/<realm>/protocol/openid-connect/userinfo   (also POST)
    GET  /realms/<realm>/protocol/openid-connect/auth       authorization code + PKCE: login form or SSO
    POST /realms/<realm>/login-actions/authenticate         the login form's submission
    GET  /realms/<realm>/protocol/openid-connect/logout     RP-initiated logout (also POST; a POST with
                                                            refresh_token is the back-channel logout)
    POST /realms/<realm>/protocol/openid-connect/logout/logout-confirm   the logout confirmation form
    GET  /resources/devissuer/login.css                     the pages' stylesheet
    GET  /health/ready

The browser endpoints are described in services.devissuer.browser. Extra
redirect URIs for the browser clients (gateways on ports chosen at start)
come from BROBYGGER_DEV_REDIRECT_URIS, comma separated, or redirect_uris.
"""
from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from services.devissuer import browser
from services.devissuer.errors import OAuthError, require_development
from services.devissuer.grants import basic_credentials
from services.devissuer.issuer import DevIssuer
from services.devissuer.keys import SigningKey
from services.devissuer.realm import load_realm, with_redirect_uris
from services.devissuer.redirects import dev_redirect_uris

log = logging.getLogger("services.devissuer")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _coerce_key(key: SigningKey | object | None) -> SigningKey | None:
    if key is None or isinstance(key, SigningKey):
        return key
    return SigningKey(key)  # an RSA private key object from cryptography


def create_app(realm_path: str | Path, public_url: str | None = None,
               key: SigningKey | object | None = None, *, redirect_uris: Iterable[str] = (),
               clock: Callable[[], float] = time.time) -> Flask:
    """The issuer as a Flask app.

    public_url is the base the issuer names itself by (``<public_url>/realms/<realm>``);
    when None, start() sets it from the bound address, or the first request's host is used.
    key is a SigningKey or an RSA private key; None makes a fresh key.
    redirect_uris are registered for the browser clients (standardFlowEnabled) in addition to the
    realm file's and those of BROBYGGER_DEV_REDIRECT_URIS. clock gives the time (tests move it).
    The DevIssuer is at ``app.extensions["devissuer"]``.
    Raises DevelopmentOnlyError unless BROBYGGER_ENV=development, RedirectUriError for a malformed
    BROBYGGER_DEV_REDIRECT_URIS.
    """
    require_development()
    realm = load_realm(realm_path, os.environ)
    realm = with_redirect_uris(realm, [*dev_redirect_uris(os.environ), *redirect_uris])
    issuer = DevIssuer(realm, key=_coerce_key(key), base_url=public_url, clock=clock)
    app = Flask("services.devissuer", static_url_path="/resources/devissuer")
    app.extensions["devissuer"] = issuer
    base_lock = threading.Lock()
    prefix = f"/realms/{realm.name}"
    oidc = f"{prefix}/protocol/openid-connect"

    def oauth_error(exc: OAuthError) -> Response:
        response = jsonify(exc.body())
        response.status_code = exc.status
        response.headers.update(NO_STORE)
        return response

    @app.before_request
    def _know_base_url() -> None:
        if issuer.base_url is None:
            with base_lock:
                if issuer.base_url is None:
                    issuer.base_url = request.host_url
                    log.warning("no public URL configured; naming the issuer after the first request: %s",
                                issuer.issuer)

    @app.errorhandler(OAuthError)
    def _oauth(exc: OAuthError) -> Response:
        return oauth_error(exc)

    @app.errorhandler(404)
    def _missing(_exc) -> Response:
        path = request.path
        if path.startswith("/realms/") and not (path == prefix or path.startswith(prefix + "/")):
            body = {"error": "Realm does not exist",
                    "error_description": "For more on this error consult the server log."}
        else:
            body = {"error": "Unable to find matching target resource method",
                    "error_description": "For more on this error consult the server log."}
        response = jsonify(body)
        response.status_code = 404
        return response

    @app.errorhandler(405)
    def _method(_exc) -> Response:
        response = jsonify({"error": "HTTP 405 Method Not Allowed",
                            "error_description": "For more on this error consult the server log."})
        response.status_code = 405
        return response

    @app.get(prefix)
    def realm_info():
        return jsonify(issuer.realm_info())

    @app.get(f"{prefix}/.well-known/openid-configuration")
    def discovery():
        issuer.hit("discovery")
        return jsonify(issuer.discovery())

    @app.get(f"{oidc}/certs")
    def certs():
        issuer.hit("certs")
        return jsonify(issuer.jwks())

    @app.post(f"{oidc}/token")
    def token():
        issuer.hit("token")
        if request.mimetype != "application/x-www-form-urlencoded":
            raise OAuthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        basic = basic_credentials(request.headers.get("Authorization"))
        form = {k: v for k, v in request.form.items()}
        response = jsonify(issuer.token_request(form, basic))
        response.headers.update(NO_STORE)
        return response

    @app.route(f"{oidc}/userinfo", methods=["GET", "POST"])
    def userinfo():
        issuer.hit("userinfo")
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            response = jsonify({"error": "invalid_request", "error_description": "Token not provided"})
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="%s"' % realm.name
            return response
        return jsonify(issuer.userinfo(value.strip()))

    browser.register(app, issuer)

    @app.get("/health/ready")
    def ready():
        return jsonify({"status": "UP"})

    return app


_QUERY = re.compile(r"\?[^\s'\"]*")


class _QuietHandler(WSGIRequestHandler):
    """Request log lines without query strings (which could hold codes or tokens)."""

    def log_request(self, code="-", size="-") -> None:  # noqa: ANN001 - werkzeug's signature
        path = self.path.split("?", 1)[0]
        log.info("%s %s %s", self.command, path, getattr(code, "value", code))

    def log_error(self, format: str, *args) -> None:  # noqa: A002 - werkzeug's signature
        message = format % args if args else format
        log.warning("http: %s", _QUERY.sub("?...", message))


def _format_base(host: str, port: int, *, warn: bool = True) -> str:
    if host in ("0.0.0.0", "::", ""):
        if warn:
            log.warning("listening on all interfaces without --public-url; the issuer names itself "
                        "http://127.0.0.1:%d — pass --public-url when clients reach it by another name", port)
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


@dataclass
class RunningIssuer:
    """A development issuer serving HTTP in a background thread."""

    url: str  # base URL, e.g. http://127.0.0.1:8180 (pass url + "/" to KeycloakOpenID)
    issuer: DevIssuer
    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread | None

    @property
    def issuer_url(self) -> str:
        return self.issuer.issuer

    def stop(self) -> None:
        if self.thread is not None:  # shutdown() waits for serve_forever, so only when one runs
            self.server.shutdown()
            self.thread.join(timeout=5)
        self.server.server_close()

    def __enter__(self) -> "RunningIssuer":
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


def start(realm_path: str | Path, host: str = "127.0.0.1", port: int = 0, *, public_url: str | None = None,
          key: SigningKey | object | None = None, key_file: str | Path | None = None,
          background: bool = True, redirect_uris: Iterable[str] = (),
          clock: Callable[[], float] = time.time) -> RunningIssuer:
    """Bind, name the issuer after the bound address (or public_url), and serve (threaded).

    port 0 picks a free port. key_file: PEM key loaded if present, created if absent.
    redirect_uris and clock: as for create_app.
    With background=False nothing is served yet: call ``handle.server.serve_forever()``.
    """
    require_development()
    if key is None and key_file is not None:
        key = SigningKey.from_file(key_file)
    app = create_app(realm_path, public_url=public_url, key=key, redirect_uris=redirect_uris, clock=clock)
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    issuer: DevIssuer = app.extensions["devissuer"]
    base = _format_base(host, server.server_port, warn=public_url is None)
    if issuer.base_url is None:
        issuer.base_url = base
    thread = None
    if background:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                  name="devissuer", daemon=True)
        thread.start()
    return RunningIssuer(url=base, issuer=issuer, app=app, server=server, thread=thread)


def serve_in_thread(realm_path: str | Path, host: str = "127.0.0.1", port: int = 0, *,
                    public_url: str | None = None, key: SigningKey | object | None = None,
                    key_file: str | Path | None = None) -> tuple[str, Callable[[], None]]:
    """start() for callers that only need (base_url, stop)."""
    running = start(realm_path, host, port, public_url=public_url, key=key, key_file=key_file)
    return running.url, running.stop
