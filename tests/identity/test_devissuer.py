"""The development issuer against the realm file: real HTTP, real RS256 tokens, python-keycloak as client."""
from __future__ import annotations

import base64
import json
import logging
import os
import pathlib
import signal
import socket
import subprocess
import sys
import urllib.request

import jwt
import pytest
import requests
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakAuthenticationError, KeycloakPostError

from services.common.auth import dev_client_secret
from services.devissuer import DevIssuer, DevelopmentOnlyError, create_app, load_realm, start, user_id_for
from services.devissuer.realm import parse_realm
from tests.conftest import REALM_FILE, REPO
from tests.support import eventually


def openid(running, client_id, secret=None) -> KeycloakOpenID:
    return KeycloakOpenID(server_url=running.url + "/", realm_name="brobygger", client_id=client_id,
                          client_secret_key=secret, timeout=5)


def verified_claims(running, token: str, audience: str | None = "brobygger-api") -> dict:
    """Verify with the published JWKS (independently of services.common.auth)."""
    jwks = requests.get(f"{running.issuer_url}/protocol/openid-connect/certs", timeout=5).json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid))
    return jwt.decode(token, key.key, algorithms=["RS256"], issuer=running.issuer_url, audience=audience,
                      options={"verify_aud": audience is not None})


def token_post(running, data, auth=None) -> requests.Response:
    return requests.post(f"{running.issuer_url}/protocol/openid-connect/token", data=data, auth=auth, timeout=5)


# --------------------------------------------------------------------------- refusing to run

def _cli(env_value: str | None, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BROBYGGER_ENV"}
    if env_value is not None:
        env["BROBYGGER_ENV"] = env_value
    return subprocess.run([sys.executable, "-m", "services.devissuer", "--realm-file", str(REALM_FILE),
                           "--port", "0", *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=30, **kwargs)


@pytest.mark.parametrize("value", [None, "production", "Development"])
def test_cli_refuses_outside_development(value):
    result = _cli(value)
    assert result.returncode == 2
    assert "BROBYGGER_ENV" in result.stderr
    assert "development" in result.stderr


def test_factories_refuse_outside_development(monkeypatch):
    monkeypatch.setenv("BROBYGGER_ENV", "production")
    with pytest.raises(DevelopmentOnlyError, match="BROBYGGER_ENV"):
        create_app(REALM_FILE)
    with pytest.raises(DevelopmentOnlyError):
        start(REALM_FILE)
    monkeypatch.delenv("BROBYGGER_ENV")
    with pytest.raises(DevelopmentOnlyError):
        DevIssuer(load_realm(REALM_FILE, {}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kid_of_cli_issuer(key_file: pathlib.Path) -> str:
    port = _free_port()
    env = {**os.environ, "BROBYGGER_ENV": "development"}
    proc = subprocess.Popen([sys.executable, "-m", "services.devissuer", "--realm-file", str(REALM_FILE),
                             "--host", "127.0.0.1", "--port", str(port), "--key-file", str(key_file)],
                            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/realms/brobygger/protocol/openid-connect/certs"

    def first_kid() -> str | None:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return json.loads(response.read())["keys"][0]["kid"]
        except OSError:
            if proc.poll() is not None:  # not an AssertionError: eventually() stops at once
                raise RuntimeError(f"issuer exited: {proc.stderr.read()}") from None
            return None

    try:
        return eventually(first_kid, timeout=15, interval=0.05, what="the issuer's JWKS")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_cli_key_file_survives_restart(tmp_path):
    key_file = tmp_path / "keys" / "issuer.pem"
    first = _kid_of_cli_issuer(key_file)
    assert key_file.exists() and (key_file.stat().st_mode & 0o777) == 0o600
    assert _kid_of_cli_issuer(key_file) == first


# --------------------------------------------------------------------------- published documents

def test_discovery_document(running):
    kc = openid(running, "brobygger-web")
    doc = kc.well_known()
    iss = running.issuer_url
    assert iss == running.url + "/realms/brobygger"
    assert doc["issuer"] == iss
    assert doc["jwks_uri"] == f"{iss}/protocol/openid-connect/certs"
    assert doc["token_endpoint"] == f"{iss}/protocol/openid-connect/token"
    assert {"client_credentials", "password", "refresh_token"} <= set(doc["grant_types_supported"])
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]


def test_jwks_document(running):
    jwks = openid(running, "brobygger-web").certs()
    assert len(jwks["keys"]) == 1
    key = jwks["keys"][0]
    assert {key["kty"], key["alg"], key["use"]} == {"RSA", "RS256", "sig"}
    assert key["kid"] == running.issuer.signing_key.kid
    assert key["n"] and key["e"] and key["x5c"]
    assert "d" not in key and "p" not in key  # public part only
    assert jwt.PyJWK(key).algorithm_name == "RS256"


def test_unknown_realm_is_404(running):
    response = requests.get(f"{running.url}/realms/elsewhere/.well-known/openid-configuration", timeout=5)
    assert response.status_code == 404
    assert response.json()["error"] == "Realm does not exist"


# --------------------------------------------------------------------------- password grant

def test_password_grant_with_python_keycloak(running):
    response = openid(running, "brobygger-web").token("coordinator-mir", "dev")
    assert response["token_type"] == "Bearer"
    assert response["expires_in"] == 300
    assert response["refresh_token"] and response["id_token"]
    header = jwt.get_unverified_header(response["access_token"])
    assert header["alg"] == "RS256" and header["kid"] == running.issuer.signing_key.kid
    claims = verified_claims(running, response["access_token"])
    assert claims["iss"] == running.issuer_url
    assert claims["aud"] == "brobygger-api"
    assert claims["azp"] == "brobygger-web"
    assert claims["typ"] == "Bearer"
    assert claims["sub"] == "769ec61d-ccf6-539c-9a11-0d8944de0cae"  # the id in the realm file
    assert claims["preferred_username"] == "coordinator-mir"
    assert claims["org"] == ["mir"]
    assert "coordinator" in claims["realm_access"]["roles"]
    assert "volunteer" not in claims["realm_access"]["roles"]
    assert claims["exp"] - claims["iat"] == 300
    assert claims["jti"]
    assert set(claims["scope"].split()) >= {"openid", "profile", "email", "brobygger"}


def test_each_person_gets_their_org_and_role(running):
    kc = openid(running, "brobygger-web")
    expected = {
        "coordinator-mira": (["mira"], "coordinator"),
        "coordinator-mkr": (["mkr"], "coordinator"),
        "volunteer-mir": (["mir"], "volunteer"),
        "analyst-imdi": (["imdi"], "analyst"),
    }
    for username, (orgs, role) in expected.items():
        claims = verified_claims(running, kc.token(username, "dev")["access_token"])
        assert claims["org"] == orgs, username
        assert role in claims["realm_access"]["roles"], username


@pytest.mark.parametrize("username,password", [("coordinator-mir", "wrong"), ("nobody", "dev"),
                                               ("service-account-node-mir", "dev")])
def test_wrong_credentials_are_invalid_grant(running, username, password):
    with pytest.raises(KeycloakAuthenticationError) as info:
        openid(running, "brobygger-web").token(username, password)
    assert info.value.response_code == 401
    assert json.loads(info.value.response_body) == {"error": "invalid_grant",
                                                    "error_description": "Invalid user credentials"}


def test_password_grant_needs_direct_access_grants(running):
    response = token_post(running, {"grant_type": "password", "username": "coordinator-mir", "password": "dev",
                                    "client_id": "node-mir", "client_secret": dev_client_secret("node-mir")})
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_refresh_token_grant(running):
    kc = openid(running, "brobygger-web")
    first = kc.token("volunteer-mir", "dev")
    second = kc.refresh_token(first["refresh_token"])
    old, new = (verified_claims(running, t["access_token"]) for t in (first, second))
    assert new["sub"] == old["sub"] and new["jti"] != old["jti"]
    assert new["sid"] == old["sid"]
    with pytest.raises(KeycloakPostError) as info:  # refresh tokens are bound to their client
        openid(running, "node-mir", dev_client_secret("node-mir")).refresh_token(first["refresh_token"])
    assert info.value.response_code == 400


def test_id_token_is_for_the_client(running):
    response = openid(running, "brobygger-web").token("analyst-imdi", "dev")
    claims = verified_claims(running, response["id_token"], audience="brobygger-web")
    assert claims["typ"] == "ID" and claims["org"] == ["imdi"]


def test_userinfo(running):
    kc = openid(running, "brobygger-web")
    info = kc.userinfo(kc.token("coordinator-mkr", "dev")["access_token"])
    assert info["preferred_username"] == "coordinator-mkr" and info["org"] == ["mkr"]


# --------------------------------------------------------------------------- client credentials

def test_client_credentials_for_a_node(running):
    response = openid(running, "node-mir", dev_client_secret("node-mir")).token(grant_type="client_credentials")
    assert "refresh_token" not in response
    claims = verified_claims(running, response["access_token"])
    assert claims["azp"] == "node-mir"
    assert claims["org"] == ["mir"]
    assert "node-service" in claims["realm_access"]["roles"]
    assert claims["preferred_username"] == "service-account-node-mir"
    assert claims["sub"] == "b3e26f49-5060-5224-9a3c-6b47807cf6ab"


def test_client_credentials_with_http_basic(running):
    response = token_post(running, {"grant_type": "client_credentials"},
                          auth=("node-mkr", dev_client_secret("node-mkr")))
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert verified_claims(running, response.json()["access_token"])["org"] == ["mkr"]


def test_hub_token_has_no_org(running):
    hub = openid(running, "brobygger-hub", dev_client_secret("brobygger-hub"))
    response = hub.token(grant_type="client_credentials")
    claims = verified_claims(running, response["access_token"])
    assert "federation-hub" in claims["realm_access"]["roles"]
    assert "node-service" not in claims["realm_access"]["roles"]
    assert "org" not in claims


@pytest.mark.parametrize("data,auth,status,error", [
    ({"client_id": "node-mir", "client_secret": "not-the-secret"}, None, 401, "unauthorized_client"),
    ({}, ("node-mir", "not-the-secret"), 401, "unauthorized_client"),
    ({"client_id": "node-mir"}, None, 401, "unauthorized_client"),
    ({"client_id": "node-nowhere", "client_secret": "x"}, None, 401, "invalid_client"),
    ({"client_id": "brobygger-web"}, None, 401, "unauthorized_client"),   # public: no service account
    ({"client_id": "brobygger-api"}, None, 400, "invalid_client"),        # bearer-only
])
def test_client_credentials_refusals(running, data, auth, status, error):
    response = token_post(running, {"grant_type": "client_credentials", **data}, auth=auth)
    assert (response.status_code, response.json()["error"]) == (status, error)
    assert response.json()["error_description"]


def test_grant_type_errors(running):
    missing = token_post(running, {"client_id": "brobygger-web"})
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    odd = token_post(running, {"grant_type": "urn:example:magic", "client_id": "brobygger-web"})
    assert (odd.status_code, odd.json()["error"]) == (400, "unsupported_grant_type")
    scope = token_post(running, {"grant_type": "password", "client_id": "brobygger-web", "username": "volunteer-mir",
                                 "password": "dev", "scope": "openid admin"})
    assert (scope.status_code, scope.json()["error"]) == (400, "invalid_scope")


# --------------------------------------------------------------------------- realm file handling

def test_secrets_come_from_environment_or_dev_fallback(caplog):
    raw = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    with caplog.at_level(logging.WARNING, logger="services.devissuer"):
        realm = parse_realm(raw, {"BROBYGGER_HUB_SECRET": "hub-secret-from-env"})
    assert realm.clients["brobygger-hub"].secret == "hub-secret-from-env"
    assert realm.clients["node-mir"].secret == "dev-node-mir-secret"
    assert realm.clients["node-mira"].secret == "dev-node-mira-secret"
    assert set(realm.dev_secret_clients) == {"node-mir", "node-mira", "node-mkr"}
    assert "BROBYGGER_NODE_MIR_SECRET" in caplog.text
    assert "hub-secret-from-env" not in caplog.text and "dev-node-mir-secret" not in caplog.text
    assert realm.clients["brobygger-web"].secret is None  # public client


def test_claims_follow_the_mappers_in_the_realm_file(dev_env):
    raw = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    scope = next(s for s in raw["clientScopes"] if s["name"] == "brobygger")
    org_mapper = next(m for m in scope["protocolMappers"] if m["protocolMapper"] == "oidc-usermodel-attribute-mapper")
    org_mapper["config"]["claim.name"] = "organisations"
    scope["protocolMappers"] = [m for m in scope["protocolMappers"] if m["protocolMapper"] != "oidc-audience-mapper"]
    issuer = DevIssuer(parse_realm(raw, {}), base_url="http://127.0.0.1:1")
    claims = jwt.decode(issuer.mint("node-mira"), options={"verify_signature": False})
    assert claims["organisations"] == ["mira"] and "org" not in claims
    assert "aud" not in claims


def test_logs_hold_no_passwords_or_tokens(running, caplog):
    with caplog.at_level(logging.DEBUG):
        good = openid(running, "brobygger-web").token("coordinator-mir", "dev")
        service = openid(running, "node-mir", dev_client_secret("node-mir")).token(grant_type="client_credentials")
        with pytest.raises(KeycloakAuthenticationError):
            openid(running, "brobygger-web").token("coordinator-mir", "Wrong-Password-42")
        token_post(running, {"grant_type": "client_credentials"}, auth=("node-mir", "Guessed-Secret-7"))
    text = caplog.text
    assert "issued tokens" in text  # the issuer does log
    for secret in ("Wrong-Password-42", "Guessed-Secret-7", dev_client_secret("node-mir"), good["access_token"],
                   good["refresh_token"], service["access_token"], good["access_token"].split(".")[2]):
        assert secret not in text


def test_realm_export_shape():
    """What Keycloak 26 needs from the file, checked without a Keycloak."""
    raw = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    assert raw["realm"] == "brobygger" and raw["accessTokenLifespan"] == 300
    roles = {r["name"] for r in raw["roles"]["realm"]}
    assert {"coordinator", "volunteer", "analyst", "node-service", "federation-hub"} <= roles
    scopes = {s["name"]: s for s in raw["clientScopes"]}
    # A realm that declares clientScopes gets none of Keycloak's built-ins: basic (sub) and roles must be here.
    assert {"basic", "roles", "profile", "brobygger"} <= set(scopes)
    kinds = {m["protocolMapper"]: m["config"] for m in scopes["brobygger"]["protocolMappers"]}
    assert kinds["oidc-usermodel-attribute-mapper"]["claim.name"] == "org"
    assert kinds["oidc-usermodel-attribute-mapper"]["multivalued"] == "true"
    assert kinds["oidc-audience-mapper"]["included.client.audience"] == "brobygger-api"
    realm_roles = next(m for m in scopes["roles"]["protocolMappers"]
                       if m["protocolMapper"] == "oidc-usermodel-realm-role-mapper")
    assert realm_roles["config"]["claim.name"] == "realm_access.roles"
    clients = {c["clientId"]: c for c in raw["clients"]}
    assert set(clients) == {"brobygger-web", "brobygger-api", "node-mir", "node-mira", "node-mkr", "brobygger-hub"}
    for client in clients.values():
        assert {"brobygger", "roles", "basic"} <= set(client["defaultClientScopes"]), client["clientId"]
    web = clients["brobygger-web"]
    assert web["publicClient"] and web["standardFlowEnabled"]
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
    api = clients["brobygger-api"]
    assert api["bearerOnly"] and not any(api[f] for f in ("standardFlowEnabled", "directAccessGrantsEnabled",
                                                          "serviceAccountsEnabled", "implicitFlowEnabled"))
    for org in ("mir", "mira", "mkr"):
        assert clients[f"node-{org}"]["secret"] == "${BROBYGGER_NODE_%s_SECRET}" % org.upper()
        assert clients[f"node-{org}"]["serviceAccountsEnabled"]
    assert clients["brobygger-hub"]["secret"] == "${BROBYGGER_HUB_SECRET}"
    users = {u["username"]: u for u in raw["users"]}
    for name in ("coordinator-mir", "coordinator-mira", "coordinator-mkr", "volunteer-mir", "analyst-imdi"):
        user = users[name]
        assert user["credentials"] == [{"type": "password", "value": "dev", "temporary": False}]
        assert user["emailVerified"] and user["email"] and user["firstName"] and user["lastName"]
    for client_id in ("node-mir", "node-mira", "node-mkr", "brobygger-hub"):
        assert users[f"service-account-{client_id}"]["serviceAccountClientId"] == client_id
    for name, user in users.items():  # ids follow the issuer's fallback scheme, so both agree on sub
        assert user["id"] == user_id_for("brobygger", name)
    assert "attributes" not in users["service-account-brobygger-hub"]
    profile = json.loads(raw["components"]["org.keycloak.userprofile.UserProfileProvider"][0]["config"]
                         ["kc.user.profile.config"][0])
    org_attr = next(a for a in profile["attributes"] if a["name"] == "org")
    assert org_attr["multivalued"] is True and org_attr["permissions"]["edit"] == ["admin"]
    assert profile["unmanagedAttributePolicy"] in ("ENABLED", "ADMIN_EDIT", "ADMIN_VIEW")


def test_placeholder_syntax_with_default():
    from services.devissuer.realm import resolve_placeholders

    assert resolve_placeholders("${A}-${B:fallback}-${C}", {"A": "1"}) == ("1-fallback-${C}", ["C"])
    assert resolve_placeholders("${role_default-roles}", {}) == ("${role_default-roles}", [])


def test_basic_auth_decoding_is_form_urlencoded(running):
    # RFC 6749 2.3.1: "+" in a client id would be form-encoded as %2B before base64.
    header = base64.b64encode(f"node-mira:{dev_client_secret('node-mira')}".encode()).decode()
    response = requests.post(f"{running.issuer_url}/protocol/openid-connect/token",
                             data={"grant_type": "client_credentials"},
                             headers={"Authorization": f"Basic {header}"}, timeout=5)
    assert response.status_code == 200
