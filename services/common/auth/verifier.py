"""Verification of the bearer tokens every service and the gateway receive."""
from __future__ import annotations

import time
from typing import Callable, Iterable
from urllib.parse import urlsplit

import jwt

from services.common.auth.discovery import find_jwks_uri
from services.common.auth.errors import AuthError, shown
from services.common.auth.jwks import IssuerKeys
from services.common.auth.principal import Principal
from services.common.auth.realm_url import split_issuer

DEFAULT_AUDIENCE = "brobygger-api"


class TokenVerifier:
    """Verifies RS256 access tokens of one issuer for one audience. Thread-safe.

    Discovery is fetched once, lazily, on the first verify(); the JWKS from its ``jwks_uri`` is cached
    for ``jwks_ttl`` seconds (see :mod:`services.common.auth.jwks`). A token whose kid is not in the
    cache (a rotated key) makes the verifier refetch the JWKS, at most once per
    ``UNKNOWN_KID_REFRESH_INTERVAL`` seconds so tokens with made-up kids cannot hammer the identity
    provider. If a refresh fails the cached keys stay in use, and the next attempt waits
    ``FAILURE_RETRY_INTERVAL`` seconds. ``clock`` measures these intervals (tests pass a fake one).

    ``server_url`` is where to reach the identity server when that differs from the issuer's public
    address (e.g. ``http://keycloak:8080/`` inside a compose network while tokens name
    ``http://localhost:8180/realms/brobygger``).
    """

    UNKNOWN_KID_REFRESH_INTERVAL = 10.0
    FAILURE_RETRY_INTERVAL = 2.0
    MAX_TOKEN_LENGTH = 16 * 1024

    def __init__(self, issuer: str, audience: str = DEFAULT_AUDIENCE, algorithms: Iterable[str] = ("RS256",),
                 leeway: float = 30, jwks_ttl: float = 300, http_timeout: float = 5, *,
                 server_url: str | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.issuer = issuer.rstrip("/")
        if urlsplit(self.issuer).scheme not in ("http", "https"):
            raise ValueError(f"the issuer {self.issuer!r} must be an http(s) URL such as "
                             "https://id.example.org/realms/brobygger")
        self.audience = audience
        self.algorithms = tuple(algorithms)
        if not self.algorithms or any(a.lower() == "none" or a.upper().startswith("HS") for a in self.algorithms):
            raise ValueError("algorithms must be asymmetric signature algorithms such as RS256")
        if jwks_ttl <= 0:
            raise ValueError("jwks_ttl must be a positive number of seconds")
        self.leeway = leeway
        self.jwks_ttl = jwks_ttl
        self.http_timeout = http_timeout
        if server_url is not None:
            split_issuer(self.issuer)  # server_url only makes sense for a Keycloak realm issuer
            server_url = server_url.rstrip("/") + "/"
        self.server_url = server_url
        self._keys = IssuerKeys(
            self.issuer, lambda: find_jwks_uri(self.issuer, server_url=self.server_url, timeout=http_timeout),
            algorithms=self.algorithms, lifespan=jwks_ttl, timeout=http_timeout, clock=clock,
            unknown_kid_interval=self.UNKNOWN_KID_REFRESH_INTERVAL,
            failure_retry_interval=self.FAILURE_RETRY_INTERVAL)

    @property
    def token_endpoint_hint(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    def verify(self, token: str) -> Principal:
        """Check signature, issuer, audience, expiry and type; return the caller. Raises AuthError."""
        fresh = f"Get a token from {self.token_endpoint_hint}."
        if not isinstance(token, str) or not token.strip():
            raise AuthError("TOKEN_MISSING", f"No access token. {fresh}")
        token = token.strip()
        if len(token) > self.MAX_TOKEN_LENGTH:
            raise AuthError("TOKEN_INVALID",
                            f"The bearer token is longer than {self.MAX_TOKEN_LENGTH} characters. {fresh}")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            raise AuthError("TOKEN_INVALID", f"The bearer token is not a well-formed JWT. {fresh}") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self.algorithms:
            raise AuthError("TOKEN_INVALID", f"The token is signed with {shown(alg)}; only "
                                             f"{', '.join(self.algorithms)} is accepted. {fresh}")
        if not isinstance(kid, str) or not kid:
            raise AuthError("TOKEN_INVALID", f"The token header has no key id (kid). {fresh}")
        if unverified.get("iss") != self.issuer:
            # Checked before any key fetch so tokens of other issuers cost no round trip.
            raise AuthError("WRONG_ISSUER", f"The token was issued by {shown(unverified.get('iss'))}, but this "
                                            f"service trusts {self.issuer}. {fresh}")
        jwk = self._keys.key(kid)
        if jwk is None:
            raise AuthError("TOKEN_INVALID", f"The token is signed with key {shown(kid)}, which {self.issuer} "
                                             f"does not publish. {fresh}")
        if jwk.algorithm_name != alg:
            raise AuthError("TOKEN_INVALID", f"The token's algorithm {shown(alg)} does not match its key. {fresh}")
        claims = self._decode(token, jwk, alg, fresh)
        if claims.get("typ") != "Bearer":
            raise AuthError("WRONG_TOKEN_TYPE", f"This is a {shown(claims.get('typ'))} token; send the "
                                                f"access_token from the token response. {fresh}")
        # The audience must be named in aud; azp (the client the token was issued to) is no audience.
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud] if isinstance(aud, str) else []
        if self.audience not in audiences:
            said = "has no audience (aud)" if not audiences else f"is for {shown(aud)}"
            raise AuthError("WRONG_AUDIENCE", f"The token {said}, not {self.audience!r}. Request it "
                                              f"through a client that has the 'brobygger' client scope, "
                                              f"which adds the {self.audience} audience. {fresh}")
        return Principal.from_claims(claims)

    def verify_id_token(self, token: str, client_id: str, nonce: str) -> dict:
        """Check an ID token from a login (OpenID Connect Core 3.1.3.7): signature, issuer, times, typ "ID",
        audience the client, and the nonce the login sent. Returns its claims; raises AuthError."""
        fresh = "Log in again."
        if not isinstance(token, str) or not token.strip() or len(token) > self.MAX_TOKEN_LENGTH:
            raise AuthError("TOKEN_INVALID", f"The login answered without a usable ID token. {fresh}")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise AuthError("TOKEN_INVALID", f"The ID token is not a well-formed JWT. {fresh}") from None
        alg, kid = header.get("alg"), header.get("kid")
        jwk = self._keys.key(kid) if alg in self.algorithms and isinstance(kid, str) and kid else None
        if jwk is None or jwk.algorithm_name != alg:
            raise AuthError("TOKEN_INVALID", f"The ID token is not signed with a key of {self.issuer}. {fresh}")
        claims = self._decode(token, jwk, alg, fresh)
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud] if isinstance(aud, str) else []
        if claims.get("typ") != "ID" or client_id not in audiences:
            raise AuthError("TOKEN_INVALID", f"This is not an ID token for {client_id!r}. {fresh}")
        if not nonce or claims.get("nonce") != nonce:
            raise AuthError("TOKEN_INVALID", f"The ID token's nonce does not match this login. {fresh}")
        return claims

    def _decode(self, token: str, jwk: jwt.PyJWK, alg: str, fresh: str) -> dict:
        """Signature, issuer and times; PyJWT's errors turned into AuthError."""
        try:
            return jwt.decode(token, key=jwk.key, algorithms=[alg], issuer=self.issuer, leeway=self.leeway,
                              options={"require": ["exp", "iat", "iss"], "verify_aud": False})
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
