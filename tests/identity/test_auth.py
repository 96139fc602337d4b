"""services.common.auth against the development issuer: real tokens, real signatures, real HTTP."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time

import jwt
import pytest
from keycloak import KeycloakOpenID

from services.common.auth import (
    AuthError,
    Principal,
    ServiceTokenSource,
    TokenVerifier,
    bearer_from_header,
    dev_client_secret,
    split_issuer,
)
from services.devissuer import SigningKey, start
from tests.conftest import REALM_FILE


@pytest.fixture()
def verifier(running) -> TokenVerifier:
    return TokenVerifier(running.issuer_url)


def user_tokens(running, username: str, password: str = "dev") -> dict:
    kc = KeycloakOpenID(server_url=running.url + "/", realm_name="brobygger", client_id="brobygger-web")
    return kc.token(username, password)


def service_token(running, client_id: str) -> str:
    return ServiceTokenSource(running.issuer_url, client_id, dev_client_secret(client_id)).token()


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def reason(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(AuthError) as info:
        verifier.verify(token)
    return info.value.reason


# --------------------------------------------------------------------------- accepted tokens

def test_user_token_gives_principal(running, verifier):
    principal = verifier.verify(user_tokens(running, "coordinator-mir")["access_token"])
    assert principal.subject == "769ec61d-ccf6-539c-9a11-0d8944de0cae"
    assert principal.username == "coordinator-mir"
    assert principal.client_id == "brobygger-web"
    assert principal.orgs == frozenset({"mir"})
    assert principal.has_role("coordinator") and not principal.has_role("volunteer")
    assert principal.belongs_to("mir") and not principal.belongs_to("mira") and not principal.belongs_to(None)
    assert not principal.is_service and not principal.is_hub


def test_node_service_token(running, verifier):
    principal = verifier.verify(service_token(running, "node-mira"))
    assert principal.is_service and not principal.is_hub
    assert principal.orgs == frozenset({"mira"})
    assert principal.client_id == "node-mira" and principal.username == "service-account-node-mira"


def test_hub_token(running, verifier):
    principal = verifier.verify(service_token(running, "brobygger-hub"))
    assert principal.is_hub and not principal.is_service
    assert principal.orgs == frozenset()
    assert not principal.belongs_to("mir")


def test_principal_is_frozen_and_hashable():
    p = Principal("s", "u", "c", frozenset({"mir"}), frozenset({"volunteer"}))
    with pytest.raises(AttributeError):
        p.orgs = frozenset({"mkr"})  # type: ignore[misc]
    assert {p: 1}[Principal("s", "u", "c", frozenset({"mir"}), frozenset({"volunteer"}))] == 1


def test_audience_may_be_a_list(running, verifier):
    base = claims_of(service_token(running, "node-mir"))
    assert verifier.verify(running.issuer.sign({**base, "aud": ["account", "brobygger-api"]})).is_service


def test_expiry_leeway(running, verifier):
    recently_expired = running.issuer.mint("node-mir", now=int(time.time()) - 310, lifetime=300)
    assert verifier.verify(recently_expired).orgs == frozenset({"mir"})  # 10 s late, within 30 s leeway


# --------------------------------------------------------------------------- refused tokens

def test_tampered_signature(running, verifier):
    token = service_token(running, "node-mir")
    head, body, sig = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[10] ^= 0x01
    assert reason(verifier, f"{head}.{body}.{b64(bytes(raw))}") == "TOKEN_INVALID"


def test_tampered_payload(running, verifier):
    token = service_token(running, "node-mir")
    head, _, sig = token.split(".")
    forged = {**claims_of(token), "org": ["mira", "mkr"]}
    assert reason(verifier, f"{head}.{b64(json.dumps(forged).encode())}.{sig}") == "TOKEN_INVALID"


def test_signed_by_a_key_the_issuer_does_not_publish(running, verifier):
    stranger = SigningKey.generate()
    claims = claims_of(service_token(running, "node-mir"))
    forged = jwt.encode(claims, stranger.private_key, algorithm="RS256",
                        headers={"kid": running.issuer.signing_key.kid})  # claims the real kid
    assert reason(verifier, forged) == "TOKEN_INVALID"


def test_wrong_issuer(running, verifier):
    claims = claims_of(service_token(running, "node-mir"))
    token = running.issuer.sign({**claims, "iss": "http://localhost:8180/realms/brobygger"})
    with pytest.raises(AuthError) as info:
        verifier.verify(token)
    assert info.value.reason == "WRONG_ISSUER"
    assert f"{running.issuer_url}/protocol/openid-connect/token" in info.value.message
    other = TokenVerifier(running.url + "/realms/other")
    assert reason(other, service_token(running, "node-mir")) == "WRONG_ISSUER"


def test_wrong_audience(running, verifier):
    claims = claims_of(service_token(running, "node-mir"))
    assert reason(verifier, running.issuer.sign({**claims, "aud": "some-other-api"})) == "WRONG_AUDIENCE"
    no_aud = {k: v for k, v in claims.items() if k != "aud"}
    assert reason(verifier, running.issuer.sign(no_aud)) == "WRONG_AUDIENCE"
    assert reason(TokenVerifier(running.issuer_url, audience="reporting-api"),
                  service_token(running, "node-mir")) == "WRONG_AUDIENCE"


def test_azp_is_no_audience(running, verifier):
    """A token whose azp names the API but whose aud does not (or that has no aud) is for someone else."""
    claims = claims_of(service_token(running, "node-mir"))
    no_aud = {k: v for k, v in claims.items() if k != "aud"}
    for forged in ({**no_aud, "azp": "brobygger-api"}, {**claims, "aud": "account", "azp": "brobygger-api"},
                   {**claims, "aud": [], "azp": "brobygger-api"}, {**claims, "aud": None, "azp": "brobygger-api"}):
        with pytest.raises(AuthError) as info:
            verifier.verify(running.issuer.sign(forged))
        assert info.value.reason == "WRONG_AUDIENCE" and info.value.status == 401
    with pytest.raises(AuthError) as info:
        verifier.verify(running.issuer.sign({**no_aud, "azp": "brobygger-api"}))
    assert "has no audience (aud), not 'brobygger-api'" in info.value.message


def test_expired(running, verifier):
    token = running.issuer.mint("node-mkr", now=int(time.time()) - 400, lifetime=300)
    with pytest.raises(AuthError) as info:
        verifier.verify(token)
    assert info.value.reason == "TOKEN_EXPIRED" and info.value.status == 401
    assert "/protocol/openid-connect/token" in str(info.value)


def test_id_and_refresh_tokens_are_not_access_tokens(running, verifier):
    tokens = user_tokens(running, "volunteer-mir")
    id_claims = claims_of(tokens["id_token"])
    assert reason(verifier, tokens["id_token"]) == "WRONG_TOKEN_TYPE"
    # Even with the API audience an ID token is refused for its type.
    assert reason(verifier, running.issuer.sign({**id_claims, "aud": "brobygger-api"})) == "WRONG_TOKEN_TYPE"
    assert reason(verifier, tokens["refresh_token"]) == "TOKEN_INVALID"  # HS512, not an accepted algorithm


def test_alg_none(running, verifier):
    claims = claims_of(service_token(running, "node-mir"))
    header = {"alg": "none", "typ": "JWT", "kid": running.issuer.signing_key.kid}
    unsigned = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}."
    assert reason(verifier, unsigned) == "TOKEN_INVALID"


def test_hs256_signed_with_the_public_key(running, verifier):
    """The classic confusion: HMAC keyed with the published RSA public key."""
    claims = claims_of(service_token(running, "node-mir"))
    public_pem = running.issuer.signing_key.public_pem().encode()
    header = {"alg": "HS256", "typ": "JWT", "kid": running.issuer.signing_key.kid}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    for secret in (public_pem, public_pem.strip()):
        sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        assert reason(verifier, f"{signing_input}.{b64(sig)}") == "TOKEN_INVALID"


@pytest.mark.parametrize("token", ["", "   ", "not-a-jwt", "a.b.c", "e30.e30."])
def test_garbage(verifier, token):
    assert reason(verifier, token) in ("TOKEN_MISSING", "TOKEN_INVALID")


def test_verifier_refuses_symmetric_algorithms():
    with pytest.raises(ValueError):
        TokenVerifier("http://127.0.0.1:1/realms/brobygger", algorithms=("RS256", "HS256"))
    with pytest.raises(ValueError):
        TokenVerifier("http://127.0.0.1:1/realms/brobygger", algorithms=("none",))


# --------------------------------------------------------------------------- fetching and caching

def test_no_io_before_first_verify_and_discovery_once(running):
    before = (running.issuer.count("discovery"), running.issuer.count("certs"))
    verifier = TokenVerifier(running.issuer_url)
    assert (running.issuer.count("discovery"), running.issuer.count("certs")) == before
    token = service_token(running, "node-mir")
    for _ in range(5):
        verifier.verify(token)
    assert running.issuer.count("discovery") == before[0] + 1
    assert running.issuer.count("certs") == before[1] + 1


def test_encryption_keys_are_not_signing_keys(running, monkeypatch):
    """Keycloak also publishes an RSA-OAEP key with use "enc"; a token signed with it is refused."""
    enc = SigningKey.generate()
    jwk = {k: v for k, v in enc.public_jwk().items() if k not in ("alg", "use")}
    enc_keys = [{**jwk, "use": "enc", "alg": "RSA-OAEP"}, {**jwk, "kid": f"{enc.kid}-no-alg", "use": "enc"}]
    published = running.issuer.jwks
    monkeypatch.setattr(running.issuer, "jwks", lambda: {"keys": [*published()["keys"], *enc_keys]})
    verifier = TokenVerifier(running.issuer_url)
    claims = claims_of(service_token(running, "node-mir"))
    assert verifier.verify(running.issuer.sign(claims)).belongs_to("mir")
    for key in enc_keys:
        assert reason(verifier, running.issuer.sign(claims, key=enc, headers={"kid": key["kid"]})) == "TOKEN_INVALID"


def test_unreachable_issuer(running):
    with socket_closed_port() as port:
        verifier = TokenVerifier(f"http://127.0.0.1:{port}/realms/brobygger", http_timeout=1)
        claims = claims_of(service_token(running, "node-mir"))
        token = running.issuer.sign({**claims, "iss": f"http://127.0.0.1:{port}/realms/brobygger"})
        with pytest.raises(AuthError) as info:
            verifier.verify(token)
        assert info.value.reason == "ISSUER_UNAVAILABLE" and info.value.status == 503


class socket_closed_port:
    """A port nothing listens on."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def __exit__(self, *_exc) -> None:
        pass


def test_unknown_kid_refreshes_jwks_at_most_once_per_interval(running, clock):
    verifier = TokenVerifier(running.issuer_url, clock=clock)
    before_rotation = service_token(running, "node-mir")
    verifier.verify(before_rotation)
    certs = running.issuer.count("certs")

    new_key = running.issuer.rotate_key()
    after_rotation = service_token(running, "node-mkr")
    assert jwt.get_unverified_header(after_rotation)["kid"] == new_key.kid
    assert verifier.verify(after_rotation).orgs == frozenset({"mkr"})  # unknown kid -> refetch
    assert running.issuer.count("certs") == certs + 1
    assert verifier.verify(before_rotation).is_service  # previous key is still published

    # Made-up kids: refused, and within the interval they cause no further fetches.
    claims = claims_of(after_rotation)
    for i in range(5):
        sprayed = running.issuer.sign(claims, headers={"kid": f"sprayed-{i}"})
        assert reason(verifier, sprayed) == "TOKEN_INVALID"
    assert running.issuer.count("certs") == certs + 1
    # It is the interval that holds them back: once it has passed, a made-up kid costs a fetch again.
    clock.advance(TokenVerifier.UNKNOWN_KID_REFRESH_INTERVAL - 0.5)
    assert reason(verifier, sprayed) == "TOKEN_INVALID"
    assert running.issuer.count("certs") == certs + 1
    clock.advance(0.5)
    assert reason(verifier, sprayed) == "TOKEN_INVALID"
    assert running.issuer.count("certs") == certs + 2


def test_jwks_ttl_refetches(running, clock):
    verifier = TokenVerifier(running.issuer_url, jwks_ttl=0.2, clock=clock)
    token = service_token(running, "node-mir")
    verifier.verify(token)
    certs = running.issuer.count("certs")
    clock.advance(0.3)
    verifier.verify(token)
    assert running.issuer.count("certs") == certs + 1
    verifier.verify(token)
    assert running.issuer.count("certs") == certs + 1


def test_keys_outlive_an_issuer_that_became_unreachable(dev_env, clock):
    issuer = start(REALM_FILE, "127.0.0.1", 0)
    try:
        verifier = TokenVerifier(issuer.issuer_url, http_timeout=1, clock=clock)
        token = issuer.issuer.mint("node-mir")
        assert verifier.verify(token).belongs_to("mir")
    finally:
        issuer.stop()
    clock.advance(verifier.jwks_ttl + 1)  # the keys are due for a refresh, which fails
    assert verifier.verify(token).belongs_to("mir")  # so the cached keys stay in use
    newcomer = TokenVerifier(issuer.issuer_url, http_timeout=1, clock=clock)
    assert reason(newcomer, token) == "ISSUER_UNAVAILABLE"  # no keys to fall back on
    with pytest.raises(AuthError) as info:  # and the next attempt waits a moment
        newcomer.verify(token)
    assert info.value.status == 503 and "moments ago" in info.value.message


def test_verifier_is_thread_safe(running):
    verifier = TokenVerifier(running.issuer_url)
    tokens = [service_token(running, c) for c in ("node-mir", "node-mira", "node-mkr", "brobygger-hub")]
    before = (running.issuer.count("discovery"), running.issuer.count("certs"))
    results, errors = [], []

    def work(token):
        try:
            for _ in range(10):
                results.append(verifier.verify(token).client_id)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(tokens[i % 4],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 80
    assert (running.issuer.count("discovery"), running.issuer.count("certs")) == (before[0] + 1, before[1] + 1)


# --------------------------------------------------------------------------- service tokens

def test_service_token_source_caches(running):
    secret = dev_client_secret("node-mir")
    source = ServiceTokenSource(running.issuer_url, "node-mir", secret)
    hits = running.issuer.count("token")
    first = source.token()
    assert source.token() == first
    assert running.issuer.count("token") == hits + 1
    source.invalidate()
    assert source.token() != first
    assert running.issuer.count("token") == hits + 2
    assert source.authorization_header() == {"Authorization": f"Bearer {source.token()}"}
    assert secret not in repr(source)


def test_service_token_source_renews_before_expiry(running, clock):
    source = ServiceTokenSource(running.issuer_url, "node-mir", dev_client_secret("node-mir"), clock=clock)
    hits = running.issuer.count("token")
    first = source.token()
    clock.advance(300 - 30 - 1)  # the realm's 300 s lifetime, less the 30 s refresh margin
    assert source.token() == first
    assert running.issuer.count("token") == hits + 1
    clock.advance(1)
    assert source.token() != first
    assert running.issuer.count("token") == hits + 2


def test_service_token_source_single_fetch_under_concurrency(running):
    source = ServiceTokenSource(running.issuer_url, "node-mkr", dev_client_secret("node-mkr"))
    hits = running.issuer.count("token")
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(source.token())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 1 and len(seen) == 8
    assert running.issuer.count("token") == hits + 1


def test_service_token_verifies(running, verifier):
    source = ServiceTokenSource(running.issuer_url, "node-mkr", dev_client_secret("node-mkr"))
    assert verifier.verify(bearer_from_header(f"Bearer {source.token()}")).belongs_to("mkr")


def test_service_token_source_errors(running):
    wrong = ServiceTokenSource(running.issuer_url, "node-mir", "Not-The-Secret-99")
    with pytest.raises(AuthError) as info:
        wrong.token()
    assert info.value.reason == "SERVICE_TOKEN_UNAVAILABLE"
    assert "node-mir" in info.value.message and "Not-The-Secret-99" not in info.value.message
    with socket_closed_port() as port:
        down = ServiceTokenSource(f"http://127.0.0.1:{port}/realms/brobygger", "node-mir", "x", http_timeout=1)
        with pytest.raises(AuthError) as info:
            down.token()
        assert info.value.reason == "SERVICE_TOKEN_UNAVAILABLE" and info.value.status == 503


# --------------------------------------------------------------------------- small parts

@pytest.mark.parametrize("value", [None, "", "   ", "Basic dXNlcjpwdw==", "Bearer", "Bearer    ", "Bearer a b"])
def test_bearer_from_header_refuses(value):
    with pytest.raises(AuthError) as info:
        bearer_from_header(value)
    assert info.value.reason == "TOKEN_MISSING"
    assert "Authorization: Bearer" in info.value.message


def test_bearer_from_header_accepts():
    assert bearer_from_header("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_from_header("  bearer   abc.def.ghi  ") == "abc.def.ghi"


def test_split_issuer():
    assert split_issuer("https://id.example.org/realms/brobygger") == ("https://id.example.org/", "brobygger")
    assert split_issuer("http://h:8080/auth/realms/x/") == ("http://h:8080/auth/", "x")
    for bad in ("https://id.example.org/", "ftp://h/realms/x", "https://h/realms/a/b"):
        with pytest.raises(ValueError):
            split_issuer(bad)


def test_server_url_reaches_an_issuer_named_otherwise(running):
    """Tokens name the public issuer; the service reaches the identity server by an internal address."""
    public = "http://brobygger-id.invalid:8180"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BROBYGGER_ENV", "development")
        internal = start(REALM_FILE, "127.0.0.1", 0, public_url=public)
    try:
        issuer_url = f"{public}/realms/brobygger"
        source = ServiceTokenSource(issuer_url, "node-mir", dev_client_secret("node-mir"), server_url=internal.url)
        token = source.token()
        assert claims_of(token)["iss"] == issuer_url
        verifier = TokenVerifier(issuer_url, server_url=internal.url + "/")
        assert verifier.verify(token).belongs_to("mir")
        assert internal.issuer.count("certs") == 1
    finally:
        internal.stop()
