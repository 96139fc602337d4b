"""Development-only OpenID Connect issuer that stands in for Keycloak.

It reads deploy/keycloak/brobygger-realm.json (the same file Keycloak
imports) and serves discovery, JWKS, the token endpoint with the
authorization_code (PKCE), client_credentials, password and refresh_token
grants, userinfo, and the browser's side: the authorization endpoint with a
login form and SSO session, RP-initiated and back-channel logout. So
services, the web app and python-keycloak work on a laptop without a
Keycloak server. It refuses to run unless BROBYGGER_ENV=development.

    BROBYGGER_ENV=development python -m services.devissuer \\
        --realm-file deploy/keycloak/brobygger-realm.json --port 8180

Gateways on ports chosen at start are registered as redirect URIs of the
web client with BROBYGGER_DEV_REDIRECT_URIS (comma separated, e.g.
``http://127.0.0.1:8001/*``); real Keycloak reads only the realm file.
"""
from services.devissuer.app import RunningIssuer, create_app, serve_in_thread, start
from services.devissuer.errors import ENV_VAR, DevelopmentOnlyError, OAuthError, require_development
from services.devissuer.issuer import DevIssuer
from services.devissuer.keys import SigningKey
from services.devissuer.realm import RealmFileError, load_realm, user_id_for
from services.devissuer.redirects import REDIRECT_URIS_ENV, RedirectUriError

__all__ = [
    "ENV_VAR",
    "DevIssuer",
    "DevelopmentOnlyError",
    "OAuthError",
    "REDIRECT_URIS_ENV",
    "RealmFileError",
    "RedirectUriError",
    "RunningIssuer",
    "SigningKey",
    "create_app",
    "load_realm",
    "require_development",
    "serve_in_thread",
    "start",
    "user_id_for",
]
