"""Who is calling: verification of Keycloak access tokens, and tokens for our own calls.

Every service and the gateway verify bearer tokens with :class:`TokenVerifier`
and act on the resulting :class:`Principal`. Services that call other
services (a node calling a peer node, the hub reading statistics) get their
own token with :class:`ServiceTokenSource`.

The issuer is a Keycloak realm URL, e.g. ``https://id.example.org/realms/brobygger``
(in development the stand-in from ``services.devissuer``). Nothing here does
I/O at import or construction: discovery and keys are fetched on first use.

Token contract (claims the realm's mappers put in every access token)::

    iss                 the realm URL, compared exactly
    aud                 contains "brobygger-api" (the audience mapper)
    typ                 "Bearer" (ID and refresh tokens are refused)
    exp / iat           checked with a small leeway
    sub                 user id (the "basic" client scope's sub mapper)
    azp                 client that obtained the token
    preferred_username  user name; service-account-<client> for services
    realm_access.roles  realm roles (coordinator, volunteer, analyst, node-service, federation-hub)
    org                 list of organisation ids (mir, mira, mkr, imdi); absent for the hub
"""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

import jwt
from jwt.exceptions import PyJWKError
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError, raise_error_from_response

log = logging.getLogger(__name__)

DEFAULT_AUDIENCE = "brobygger-api"

ROLE_COORDINATOR = "coordinator"
ROLE_VOLUNTEER = "volunteer"
ROLE_ANALYST = "analyst"
ROLE_NODE_SERVICE = "node-service"
ROLE_FEDERATION_HUB = "federation-hub"

# Reasons whose cause is on our side or the identity provider's, not in the caller's token.
_UNAVAILABLE = {"ISSUER_UNAVAILABLE", "SERVICE_TOKEN_UNAVAILABLE"}


class AuthError(Exception):
    """Authentication failed. ``reason`` is machine-readable (UPPER_SNAKE), ``message`` says how to fix it.

    Reasons: TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, WRONG_AUDIENCE, WRONG_ISSUER,
    WRONG_TOKEN_TYPE (401 for all of these), ISSUER_UNAVAILABLE and SERVICE_TOKEN_UNAVAILABLE
    (503: the identity provider could not be reached; the caller's token may be fine).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def status(self) -> int:
        """Suggested HTTP status: 503 when the identity provider is unreachable, else 401."""
        return 503 if self.reason in _UNAVAILABLE else 401

    def to_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message}

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"AuthError({self.reason!r}, {self.message!r})"


@dataclass(frozen=True)
class Principal:
    """The verified caller."""

    subject: str
    username: str
    client_id: str
    orgs: frozenset[str]
    roles: frozenset[str]

    @property
    def is_service(self) -> bool:
        """A node's service account (role node-service). A property: ``if p.is_service:``."""
        return ROLE_NODE_SERVICE in self.roles

    @property
    def is_hub(self) -> bool:
        """The federation hub's service account (role federation-hub). A property."""
        return ROLE_FEDERATION_HUB in self.roles

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def belongs_to(self, org: str | None) -> bool:
        return bool(org) and org in self.orgs

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> "Principal":
        """Build from already verified claims; raises AuthError(TOKEN_INVALID) on malformed ones."""
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise AuthError("TOKEN_INVALID", "The token has no 'sub' claim. In Keycloak 25+ the 'basic' client "
                                             "scope adds it: assign that scope to the client.")
        return cls(
            subject=subject,
            username=_string(claims.get("preferred_username")),
            client_id=_string(claims.get("azp") or claims.get("client_id")),
            orgs=frozenset(_string_list(claims.get("org"), "org")),
            roles=frozenset(_string_list((claims.get("realm_access") or {}).get("roles")
                                         if isinstance(claims.get("realm_access"), Mapping) else None,
                                         "realm_access.roles")),
        )


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _string_list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise AuthError("TOKEN_INVALID", f"The token's '{name}' claim must be a list of strings.")


def bearer_from_header(value: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value; AuthError(TOKEN_MISSING) otherwise."""
    how = ("Send the header 'Authorization: Bearer <access token>'; get a token from the identity "
           "provider's <issuer>/protocol/openid-connect/token endpoint.")
    if value is None or not value.strip():
        raise AuthError("TOKEN_MISSING", f"No access token. {how}")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise AuthError("TOKEN_MISSING", f"The Authorization header uses the {scheme[:20]!r} scheme, not Bearer. {how}")
    token = token.strip()
    if not token or " " in token:
        raise AuthError("TOKEN_MISSING", f"The Authorization header holds no single bearer token. {how}")
    return token


def split_issuer(issuer: str) -> tuple[str, str]:
    """``https://host/prefix/realms/<realm>`` -> (``https://host/prefix/``, ``<realm>``)."""
    base, sep, realm = issuer.rstrip("/").rpartition("/realms/")
    parts = urlsplit(issuer)
    if not sep or not realm or "/" in realm or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{issuer!r} is not a Keycloak realm URL such as https://id.example.org/realms/brobygger")
    return base + "/", realm


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


class TokenVerifier:
    """Verifies RS256 access tokens of one issuer for one audience. Thread-safe.

    Discovery is fetched once, lazily, on the first verify(); the JWKS from its
    ``jwks_uri`` is cached per kid for ``jwks_ttl`` seconds. A token whose kid is
    not in the cache (a rotated key) makes the verifier refetch the JWKS, at
    most once per ``UNKNOWN_KID_REFRESH_INTERVAL`` seconds so tokens with made-up
    kids cannot hammer the identity provider. If a TTL refresh fails the cached
    keys stay in use.

    ``server_url`` is where to reach the identity server when that differs from
    the issuer's public address (e.g. ``http://keycloak:8080/`` inside a compose
    network while tokens name ``http://localhost:8180/realms/brobygger``).
    """

    UNKNOWN_KID_REFRESH_INTERVAL = 10.0
    FAILURE_RETRY_INTERVAL = 2.0
    MAX_TOKEN_LENGTH = 16 * 1024

    def __init__(self, issuer: str, audience: str = DEFAULT_AUDIENCE, algorithms: Iterable[str] = ("RS256",),
                 leeway: float = 30, jwks_ttl: float = 300, http_timeout: float = 5, *,
                 server_url: str | None = None) -> None:
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.algorithms = tuple(algorithms)
        if not self.algorithms or any(a.lower() == "none" or a.upper().startswith("HS") for a in self.algorithms):
            raise ValueError("algorithms must be asymmetric signature algorithms such as RS256")
        self.leeway = leeway
        self.jwks_ttl = jwks_ttl
        self.http_timeout = http_timeout
        if server_url is not None:
            split_issuer(self.issuer)  # server_url only makes sense for a Keycloak realm issuer
            server_url = server_url.rstrip("/") + "/"
        self.server_url = server_url
        self._lock = threading.Lock()        # guards the fields below
        self._fetch_lock = threading.Lock()  # one network fetch at a time
        self._keycloak: KeycloakOpenID | None = None
        self._jwks_uri: str | None = None
        self._keys: dict[str, jwt.PyJWK] | None = None
        self._fetched_at = 0.0
        self._last_unknown_kid_refresh = float("-inf")
        self._retry_after = float("-inf")

    @property
    def token_endpoint_hint(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    # ------------------------------------------------------------------ fetching
    def _client(self) -> KeycloakOpenID | None:
        if self._keycloak is None:
            try:
                server, realm = split_issuer(self.issuer)
            except ValueError:
                return None
            self._keycloak = KeycloakOpenID(server_url=self.server_url or server, realm_name=realm,
                                            client_id=self.audience, timeout=self.http_timeout)
        return self._keycloak

    def _get_json(self, url: str | None) -> dict:
        """GET discovery (url None) or a document by absolute URL, through python-keycloak when the
        issuer is a Keycloak realm, else with urllib."""
        kc = self._client()
        if kc is not None:
            data = kc.well_known() if url is None else raise_error_from_response(
                kc.connection.raw_get(url), KeycloakError)
        else:
            target = url or f"{self.issuer}/.well-known/openid-configuration"
            with urllib.request.urlopen(target, timeout=self.http_timeout) as response:  # noqa: S310 - https/http only
                data = json.loads(response.read())
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data

    def _internal(self, url: str) -> str:
        """Rewrite a public URL from discovery to server_url, when one is configured."""
        if not self.server_url:
            return url
        public_base, _ = split_issuer(self.issuer)
        if url.startswith(public_base):
            return self.server_url.rstrip("/") + "/" + url[len(public_base):]
        return url

    def _fetch_keys(self) -> None:
        """Fetch discovery (first time) and the JWKS; caller holds _fetch_lock."""
        if self._jwks_uri is None:
            doc = self._get_json(None)
            if doc.get("issuer") != self.issuer:
                log.warning("discovery at %s names issuer %s, this verifier expects %s; tokens will "
                            "be refused with WRONG_ISSUER unless they carry the expected one",
                            self.server_url or self.issuer, _short(doc.get("issuer")), self.issuer)
            uri = doc.get("jwks_uri")
            if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
                raise ValueError("discovery document has no usable jwks_uri")
            self._jwks_uri = self._internal(uri)
        keys: dict[str, jwt.PyJWK] = {}
        for item in self._get_json(self._jwks_uri).get("keys") or []:
            if not isinstance(item, dict) or item.get("use", "sig") != "sig" or not item.get("kid"):
                continue
            try:
                jwk = jwt.PyJWK(item)
            except (PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
                continue  # e.g. Keycloak's RSA-OAEP encryption key
            if jwk.algorithm_name in self.algorithms:
                keys[str(item["kid"])] = jwk
        with self._lock:
            self._keys = keys
            self._fetched_at = time.monotonic()
        log.info("fetched %d signing key(s) of %s", len(keys), self.issuer)

    def _refresh(self, *, keep_old_on_failure: bool) -> None:
        """Fetch keys; on failure either keep the cache (returns) or raise ISSUER_UNAVAILABLE."""
        try:
            self._fetch_keys()
            return
        except (KeycloakError, OSError, ValueError, TypeError, urllib.error.URLError) as exc:
            with self._lock:
                self._retry_after = time.monotonic() + self.FAILURE_RETRY_INTERVAL
                have_keys = self._keys is not None
            log.warning("could not fetch the signing keys of %s: %s", self.issuer, type(exc).__name__)
            if keep_old_on_failure and have_keys:
                return
            raise AuthError("ISSUER_UNAVAILABLE",
                            f"Cannot reach the identity provider {self.issuer} to get its signing keys; "
                            "check that it is running and reachable from this service.") from None

    def _key_for(self, kid: str) -> jwt.PyJWK:
        now = time.monotonic()
        with self._lock:
            keys, fetched_at, retry_after = self._keys, self._fetched_at, self._retry_after
        if keys is not None and kid in keys:
            if now - fetched_at < self.jwks_ttl or now < retry_after:
                return keys[kid]
            # Stale: one thread refreshes, the others keep verifying with the cached key.
            if self._fetch_lock.acquire(blocking=False):
                try:
                    self._refresh(keep_old_on_failure=True)
                finally:
                    self._fetch_lock.release()
            with self._lock:
                current = self._keys or {}
            if kid in current:
                return current[kid]
            raise self._unknown_kid(kid)
        with self._fetch_lock:
            with self._lock:
                keys, retry_after = self._keys, self._retry_after
                if keys is not None and kid in keys:  # another thread fetched while we waited
                    return keys[kid]
                now = time.monotonic()
                if keys is not None:
                    if now - self._last_unknown_kid_refresh < self.UNKNOWN_KID_REFRESH_INTERVAL:
                        raise self._unknown_kid(kid)
                    self._last_unknown_kid_refresh = now
                elif now < retry_after:
                    raise AuthError("ISSUER_UNAVAILABLE",
                                    f"The identity provider {self.issuer} was unreachable moments ago; "
                                    "retry shortly.")
            self._refresh(keep_old_on_failure=keys is not None)
            with self._lock:
                current = self._keys or {}
            if kid in current:
                return current[kid]
            raise self._unknown_kid(kid)

    def _unknown_kid(self, kid: str) -> AuthError:
        return AuthError("TOKEN_INVALID",
                         f"The token is signed with key {_short(kid)}, which {self.issuer} does not publish. "
                         f"Get a fresh token from {self.token_endpoint_hint}.")

    # ------------------------------------------------------------------ verification
    def verify(self, token: str) -> Principal:
        """Check signature, issuer, audience, expiry and type; return the caller. Raises AuthError."""
        fresh = f"Get a token from {self.token_endpoint_hint}."
        if not isinstance(token, str) or not token.strip():
            raise AuthError("TOKEN_MISSING", f"No access token. {fresh}")
        token = token.strip()
        if len(token) > self.MAX_TOKEN_LENGTH:
            raise AuthError("TOKEN_INVALID", f"The bearer token is longer than {self.MAX_TOKEN_LENGTH} characters. {fresh}")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            raise AuthError("TOKEN_INVALID", f"The bearer token is not a well-formed JWT. {fresh}") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self.algorithms:
            raise AuthError("TOKEN_INVALID", f"The token is signed with {_short(alg)}; only "
                                             f"{', '.join(self.algorithms)} is accepted. {fresh}")
        if not isinstance(kid, str) or not kid:
            raise AuthError("TOKEN_INVALID", f"The token header has no key id (kid). {fresh}")
        if unverified.get("iss") != self.issuer:
            # Checked before any key fetch so tokens of other issuers cost no round trip.
            raise AuthError("WRONG_ISSUER", f"The token was issued by {_short(unverified.get('iss'))}, but this "
                                            f"service trusts {self.issuer}. {fresh}")
        jwk = self._key_for(kid)
        if jwk.algorithm_name != alg:
            raise AuthError("TOKEN_INVALID", f"The token's algorithm {_short(alg)} does not match its key. {fresh}")
        try:
            claims = jwt.decode(
                token, key=jwk.key, algorithms=[alg], issuer=self.issuer, leeway=self.leeway,
                options={"require": ["exp", "iat", "iss"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("TOKEN_EXPIRED", f"The access token has expired. {fresh} "
                                             "(or use your refresh token).") from None
        except jwt.InvalidIssuerError:
            raise AuthError("WRONG_ISSUER", f"The token was not issued by {self.issuer}. {fresh}") from None
        except jwt.ImmatureSignatureError:
            raise AuthError("TOKEN_INVALID", "The token is not valid yet; check the clocks of this host and "
                                             "the identity provider.") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError("TOKEN_INVALID", f"The token lacks the '{exc.claim}' claim. {fresh}") from None
        except jwt.InvalidTokenError:
            raise AuthError("TOKEN_INVALID", f"The token's signature does not verify. {fresh}") from None
        if claims.get("typ") != "Bearer":
            raise AuthError("WRONG_TOKEN_TYPE", f"This is a {_short(claims.get('typ'))} token; send the "
                                                f"access_token from the token response. {fresh}")
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud] if isinstance(aud, str) else []
        if self.audience not in audiences and claims.get("azp") != self.audience:
            raise AuthError("WRONG_AUDIENCE", f"The token is for {_short(aud)}, not {self.audience!r}. Request it "
                                              f"through a client that has the 'brobygger' client scope, "
                                              f"which adds the {self.audience} audience. {fresh}")
        return Principal.from_claims(claims)


class ServiceTokenSource:
    """Client-credentials access tokens for this service's own calls. Thread-safe.

    ``token()`` returns a cached token until ``refresh_margin`` seconds (30 by
    default, at most half the lifetime) before it expires, then fetches a new
    one with python-keycloak. Use it as a gRPC ``token_provider``.
    """

    def __init__(self, issuer: str, client_id: str, client_secret: str, *, server_url: str | None = None,
                 refresh_margin: float = 30, http_timeout: float = 5) -> None:
        self.issuer = issuer.rstrip("/")
        server, realm = split_issuer(self.issuer)
        self.client_id = client_id
        self.refresh_margin = refresh_margin
        self._server_url = server_url.rstrip("/") + "/" if server_url else server
        self._realm = realm
        self._secret = client_secret
        self._http_timeout = http_timeout
        self._keycloak: KeycloakOpenID | None = None
        self._lock = threading.Lock()
        self._token: str | None = None
        self._valid_until = 0.0

    def __repr__(self) -> str:  # never shows the secret or the token
        return f"ServiceTokenSource(issuer={self.issuer!r}, client_id={self.client_id!r})"

    def token(self) -> str:
        with self._lock:
            if self._token is not None and time.monotonic() < self._valid_until:
                return self._token
            if self._keycloak is None:
                self._keycloak = KeycloakOpenID(server_url=self._server_url, realm_name=self._realm,
                                                client_id=self.client_id, client_secret_key=self._secret,
                                                timeout=self._http_timeout)
            started = time.monotonic()
            try:
                response = self._keycloak.token(grant_type="client_credentials")
            except KeycloakError as exc:
                raise AuthError("SERVICE_TOKEN_UNAVAILABLE", self._explain(exc)) from None
            except (OSError, ValueError, TypeError) as exc:
                raise AuthError("SERVICE_TOKEN_UNAVAILABLE",
                                f"Could not get a service token from {self.issuer}: {type(exc).__name__}.") from None
            token = response.get("access_token")
            if not isinstance(token, str) or not token:
                raise AuthError("SERVICE_TOKEN_UNAVAILABLE", f"{self.issuer} answered without an access_token.")
            lifetime = float(response.get("expires_in") or 60)
            self._token = token
            self._valid_until = started + lifetime - min(self.refresh_margin, lifetime / 2)
            log.debug("service token for %s obtained, valid %ds", self.client_id, int(lifetime))
            return token

    def _explain(self, exc: KeycloakError) -> str:
        code = getattr(exc, "response_code", None)
        detail = ""
        body = getattr(exc, "response_body", None)
        if isinstance(body, (bytes, str)):
            try:
                parsed = json.loads(body)
                detail = f" ({parsed.get('error')}: {parsed.get('error_description')})"
            except (ValueError, AttributeError):
                detail = ""
        if code in (400, 401):
            return (f"{self.issuer} refused client {self.client_id!r}{detail}: check the client id and its "
                    f"secret (BROBYGGER_SERVICE_CLIENT_SECRET) and that the client has service accounts enabled.")
        if code:
            return f"{self.issuer} answered HTTP {code}{detail} to the service token request."
        return f"Cannot reach {self.issuer} to get a service token; check that it is running and reachable."

    def invalidate(self) -> None:
        """Forget the cached token, e.g. after a peer answered 401."""
        with self._lock:
            self._token = None
            self._valid_until = 0.0

    def authorization_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}
