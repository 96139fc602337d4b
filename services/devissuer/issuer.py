"""The development issuer's identity and tokens, independent of the HTTP layer.

Tokens are shaped the way Keycloak 26 shapes them: the claims come from the
protocol mappers of the client and of its client scopes in the realm file
(see services.devissuer.mappers), not from a hard-coded list. The token
endpoint's rules are in services.devissuer.grants.
"""
from __future__ import annotations

import collections
import hashlib
import logging
import threading
import time
import uuid
from typing import AbstractSet, Any, Callable, Mapping

import jwt

from services.devissuer.errors import OAuthError, require_development
from services.devissuer import grants
from services.devissuer.keys import SigningKey, b64url
from services.devissuer.mappers import mapped_claims, unsupported
from services.devissuer.realm import Client, Realm, User
from services.devissuer.sessions import SessionStore

log = logging.getLogger("services.devissuer")

REFRESH_ALG = "HS512"


class DevIssuer:
    """Issues and checks tokens for one realm; thread-safe.

    clock gives the time (seconds since the epoch) for tokens, codes and sessions; tests pass their own.
    """

    def __init__(self, realm: Realm, key: SigningKey | None = None, base_url: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        require_development()
        self.realm = realm
        self.clock = clock
        self.sessions = SessionStore(clock, idle_timeout=realm.sso_session_idle_timeout,
                                     max_lifespan=realm.sso_session_max_lifespan,
                                     code_lifespan=realm.access_code_lifespan,
                                     login_lifespan=realm.access_code_lifespan_login)
        self._lock = threading.Lock()
        self._keys: list[SigningKey] = [key or SigningKey.generate()]
        self._base_url = base_url.rstrip("/") if base_url else None
        self._hits: collections.Counter[str] = collections.Counter()
        for mapper in unsupported(realm):
            log.warning("protocol mapper %r (%s) is not supported by the development issuer; its claim will be "
                        "missing from tokens", mapper.name, mapper.kind)

    # ------------------------------------------------------------------ identity of the issuer
    @property
    def base_url(self) -> str | None:
        return self._base_url

    @base_url.setter
    def base_url(self, value: str | None) -> None:
        self._base_url = value.rstrip("/") if value else None

    @property
    def issuer(self) -> str:
        if not self._base_url:
            raise RuntimeError("the issuer's public URL is not known yet")
        return f"{self._base_url}/realms/{self.realm.name}"

    @property
    def signing_key(self) -> SigningKey:
        with self._lock:
            return self._keys[0]

    def rotate_key(self, new_key: SigningKey | None = None, *, keep_previous: bool = True) -> SigningKey:
        """Make a new key active. The previous key stays published (like Keycloak's passive
        keys) unless keep_previous is false, so tokens already issued remain verifiable."""
        new_key = new_key or SigningKey.generate()
        with self._lock:
            self._keys = [new_key] + (self._keys[:1] if keep_previous else [])
        log.info("signing key rotated: active kid %s", new_key.kid)
        return new_key

    def now(self) -> int:
        return int(self.clock())

    def count(self, endpoint: str) -> int:
        """How many requests an endpoint ('discovery', 'certs', 'token', 'userinfo', 'auth', 'logout')
        has served."""
        with self._lock:
            return self._hits[endpoint]

    def hit(self, endpoint: str) -> None:
        with self._lock:
            self._hits[endpoint] += 1

    # ------------------------------------------------------------------ published documents
    def jwks(self) -> dict:
        with self._lock:
            keys = list(self._keys)
        return {"keys": [k.public_jwk(self.realm.name) for k in keys]}

    def discovery(self) -> dict:
        iss = self.issuer
        oidc = f"{iss}/protocol/openid-connect"
        return {
            "issuer": iss,
            "authorization_endpoint": f"{oidc}/auth",
            "token_endpoint": f"{oidc}/token",
            "userinfo_endpoint": f"{oidc}/userinfo",
            "end_session_endpoint": f"{oidc}/logout",
            "jwks_uri": f"{oidc}/certs",
            "grant_types_supported": list(grants.GRANTS),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "prompt_values_supported": ["none", "login"],
            "ui_locales_supported": ["nb", "en"],
            "authorization_response_iss_parameter_supported": True,
            "frontchannel_logout_supported": False,
            "backchannel_logout_supported": False,
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["none"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", *sorted(self.realm.scopes)],
            "claims_supported": ["aud", "sub", "iss", "exp", "iat", "jti", "typ", "azp", "org", "sid", "nonce",
                                 "at_hash", "auth_time", "preferred_username", "realm_access", "scope", "email",
                                 "name"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
        }

    def realm_info(self) -> dict:
        """What Keycloak serves at /realms/<realm> (python-keycloak's public_key() reads it)."""
        pem = self.signing_key.public_pem()
        body = "".join(line for line in pem.splitlines() if "-----" not in line)
        return {
            "realm": self.realm.name,
            "public_key": body,
            "token-service": f"{self.issuer}/protocol/openid-connect",
            "account-service": f"{self.issuer}/account",
            "tokens-not-before": 0,
        }

    # ------------------------------------------------------------------ signing
    def sign(self, claims: Mapping[str, Any], *, headers: Mapping[str, Any] | None = None,
             key: SigningKey | None = None) -> str:
        """RS256-sign arbitrary claims with the active key (header carries its kid)."""
        key = key or self.signing_key
        header = {"kid": key.kid, "typ": "JWT", **(headers or {})}
        return jwt.encode(dict(claims), key.private_key, algorithm="RS256", headers=header)

    def refresh_token(self, client: Client, user: User, scope: str, *, session_id: str | None, now: int,
                      auth_time: int, expires: int | None = None) -> str:
        """An HS512 refresh token (as Keycloak signs them), bound to its client and session."""
        claims = {
            "exp": expires if expires is not None else now + self.realm.sso_session_idle_timeout, "iat": now, "jti": str(uuid.uuid4()),
            "iss": self.issuer, "aud": self.issuer, "sub": user.id, "typ": "Refresh", "azp": client.client_id,
            "sid": session_id, "scope": scope, "auth_time": auth_time,
        }
        key = self.signing_key
        return jwt.encode(claims, key.hmac_secret(), algorithm=REFRESH_ALG,
                          headers={"kid": f"hmac-{key.kid[:16]}", "typ": "JWT"})

    def read_refresh_token(self, token: str) -> dict:
        """The claims of a refresh token this issuer signed with a published key; OAuthError otherwise."""
        if not token:
            raise OAuthError(400, "invalid_request", "Missing form parameter: refresh_token")
        with self._lock:
            secrets = [k.hmac_secret() for k in self._keys]
        for secret in secrets:
            try:
                claims = jwt.decode(token, secret, algorithms=[REFRESH_ALG], issuer=self.issuer,
                                    audience=self.issuer, options={"require": ["exp", "sub", "azp"],
                                                                   "verify_exp": False, "verify_iat": False})
            except jwt.ExpiredSignatureError:
                raise OAuthError(400, "invalid_grant", "Token is not active") from None
            except jwt.InvalidTokenError:
                continue
            if claims.get("typ") != "Refresh":
                break
            if int(claims["exp"]) < self.now():
                raise OAuthError(400, "invalid_grant", "Token is not active")
            return claims
        raise OAuthError(400, "invalid_grant", "Invalid refresh token")

    def read_id_token_hint(self, token: str) -> dict | None:
        """The claims of an ID token this issuer signed with a published key (expired ones too, as Keycloak
        accepts them as logout hints); None if it is not one."""
        with self._lock:
            keys = {k.kid: k for k in self._keys}
        try:
            key = keys[jwt.get_unverified_header(token).get("kid")]
            claims = jwt.decode(token, key.private_key.public_key(), algorithms=["RS256"], issuer=self.issuer,
                                options={"verify_aud": False, "verify_exp": False, "verify_iat": False,
                                         "require": ["sub", "azp"]})
        except (jwt.InvalidTokenError, KeyError):
            return None
        return claims if claims.get("typ") == "ID" else None

    # ------------------------------------------------------------------ token building
    def token_request(self, form: Mapping[str, str], basic: tuple[str, str] | None = None) -> dict:
        """Handle a token endpoint POST (see services.devissuer.grants)."""
        return grants.token_request(self, form, basic)

    def scope_string(self, client: Client, requested: AbstractSet[str]) -> str:
        """The token's ``scope``: openid if requested, then the client scopes that name themselves in tokens."""
        names = ["openid"] if "openid" in requested else []
        names += [s.name for s in self.realm.scopes_for(client, set(requested))
                  if s.include_in_token_scope and s.name not in names]
        return " ".join(names)

    def access_token(self, client: Client, user: User, requested: AbstractSet[str] = frozenset(), *,
                     session_id: str | None = None, now: int | None = None, lifetime: int | None = None,
                     auth_time: int | None = None) -> str:
        now = self.now() if now is None else int(now)
        lifetime = self.realm.access_token_lifespan if lifetime is None else int(lifetime)
        mapped, audiences = mapped_claims("access", self.realm, client, user, requested, auth_time or now)
        claims: dict[str, Any] = {"exp": now + lifetime, "iat": now, "jti": str(uuid.uuid4()), "iss": self.issuer}
        if audiences:
            claims["aud"] = audiences[0] if len(audiences) == 1 else audiences
        if "sub" in mapped:
            claims["sub"] = mapped.pop("sub")
        claims["typ"] = "Bearer"
        claims["azp"] = client.client_id
        if session_id:
            claims["sid"] = session_id
        claims.update(mapped)
        claims["scope"] = self.scope_string(client, requested)
        return self.sign(claims)

    def id_token(self, client: Client, user: User, requested: set[str], *, session_id: str | None, now: int,
                 lifetime: int, auth_time: int, nonce: str | None = None, access_token: str | None = None) -> str:
        """The ID token; with the nonce of the authorization request and at_hash of the access token
        issued with it (OpenID Connect Core 3.1.3.6), as Keycloak adds them."""
        mapped, audiences = mapped_claims("id", self.realm, client, user, requested, auth_time)
        aud = [client.client_id] + [a for a in audiences if a != client.client_id]
        claims: dict[str, Any] = {
            "exp": now + lifetime, "iat": now, "jti": str(uuid.uuid4()), "iss": self.issuer,
            "aud": aud[0] if len(aud) == 1 else aud, "sub": user.id, "typ": "ID", "azp": client.client_id,
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            digest = hashlib.sha256(access_token.encode("ascii")).digest()
            claims["at_hash"] = b64url(digest[: len(digest) // 2])
        if session_id:
            claims["sid"] = session_id
        mapped.pop("sub", None)
        claims.update(mapped)
        return self.sign(claims)

    def mint(self, client_id: str, username: str | None = None, *, lifetime: int | None = None,
             now: int | None = None, scope: str = "") -> str:
        """An access token without a token request, e.g. one that is already expired (tests, tools).

        username None means the client's service account."""
        client = self.realm.clients.get(client_id)
        if client is None:
            raise KeyError(f"no client {client_id!r} in realm {self.realm.name}")
        user = self.realm.service_account(client_id) if username is None else self.realm.user(username)
        if user is None:
            raise KeyError(f"no user {username or 'service account'!r} for client {client_id!r}")
        return self.access_token(client, user, set(scope.split()), now=now, lifetime=lifetime)

    # ------------------------------------------------------------------ userinfo
    def userinfo(self, access_token: str) -> dict:
        with self._lock:
            keys = {k.kid: k for k in self._keys}
        try:
            kid = jwt.get_unverified_header(access_token).get("kid")
            key = keys[kid]
            claims = jwt.decode(access_token, key.private_key.public_key(), algorithms=["RS256"],
                                issuer=self.issuer, options={"verify_aud": False, "verify_exp": False, "verify_iat": False,
                                         "require": ["exp", "sub"]})
        except (jwt.InvalidTokenError, KeyError):
            raise OAuthError(401, "invalid_token", "Token verification failed") from None
        if claims.get("typ") != "Bearer" or int(claims["exp"]) < self.now():
            raise OAuthError(401, "invalid_token", "Token verification failed")
        if claims.get("sid"):
            session = self.sessions.session(claims["sid"])
            if session is None or claims.get("azp") not in session.clients:
                raise OAuthError(401, "invalid_token", "User session not found or doesn't have client attached on it")
        client = self.realm.clients.get(claims.get("azp", ""))
        user = self.realm.user_by_id(claims["sub"])
        if client is None or user is None:
            raise OAuthError(401, "invalid_token", "User or client no longer exists")
        requested = set(str(claims.get("scope", "")).split())
        mapped, _ = mapped_claims("userinfo", self.realm, client, user, requested, int(claims.get("iat", 0)))
        mapped.pop("sub", None)
        return {"sub": user.id, **mapped}
