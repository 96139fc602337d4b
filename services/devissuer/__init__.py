"""Development-only OpenID Connect issuer that stands in for Keycloak.

It reads deploy/keycloak/brobygger-realm.json (the same file Keycloak
imports) and serves discovery, JWKS and the token endpoint with the
client_credentials, password and refresh_token grants, so services and
python-keycloak work on a laptop without a Keycloak server. It refuses to
run unless BROBYGGER_ENV=development.

    BROBYGGER_ENV=development python -m services.devissuer \\
        --realm-file deploy/keycloak/brobygger-realm.json --port 8180
"""
from services.devissuer.app import RunningIssuer, create_app, serve_in_thread, start
from services.devissuer.errors import ENV_VAR, DevelopmentOnlyError, OAuthError, require_development
from services.devissuer.issuer import DevIssuer
from services.devissuer.keys import SigningKey
from services.devissuer.realm import RealmFileError, load_realm, user_id_for

__all__ = [
    "ENV_VAR",
    "DevIssuer",
    "DevelopmentOnlyError",
    "OAuthError",
    "RealmFileError",
    "RunningIssuer",
    "SigningKey",
    "create_app",
    "load_realm",
    "require_development",
    "serve_in_thread",
    "start",
    "user_id_for",
]
