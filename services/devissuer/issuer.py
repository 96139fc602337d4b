"""Token issuance of the development issuer, independent of the HTTP layer.

Tokens are shaped the way Keycloak 26 shapes them: the claims come from the
protocol mappers of the client and of its client scopes in the realm file,
not from a hard-coded list. Errors carry Keycloak's OAuth error codes,
descriptions and HTTP statuses.
"""
from __future__ import annotations

import collections
import hmac
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from typing import AbstractSet, Any, Mapping
from urllib.parse import urlsplit

import jwt

from services.devissuer.keys import SigningKey
from services.devissuer.realm import (
    SERVICE_ACCOUNT_PREFIX,
    Client,
    ClientScope,
    ProtocolMapper,
    Realm,
    User,
    user_id_for,
)

log = logging.getLogger("services.devissuer")

ENV_VAR = "BROBYGGER_ENV"
REFRESH_ALG = "HS512"
GRANT_TYPES = ("client_credentials", "password", "refresh_token")
# Mapper kinds that act on access tokens even when their config has no access.token.claim flag.
_ACCESS_BY_DEFAULT = {"oidc-audience-resolve-mapper", "oidc-allowed-origins-mapper"}
_CLAIM_FLAGS = {"access": "access.token.claim", "id": "id.token.claim", "userinfo": "userinfo.token.claim"}


class DevelopmentOnlyError(RuntimeError):
    """Raised when the development issuer is used outside development."""


def require_development(environ: Mapping[str, str] | None = None) -> None:
    value = (os.environ if environ is None else environ).get(ENV_VAR)
    if value != "development":
        shown = "not set" if value is None else f"{value!r}"
        raise DevelopmentOnlyError(
            f"the development issuer refuses to run: {ENV_VAR} is {shown}, not 'development'. "
            f"It signs tokens for every user in the realm file with known passwords, so it must never "
            f"serve a real deployment; use Keycloak there. For local work set {ENV_VAR}=development."
        )


@dataclass
class OAuthError(Exception):
    status: int
    error: str
    description: str

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _invalid_client() -> OAuthError:
    return OAuthError(401, "invalid_client", "Invalid client or Invalid client credentials")


def _split_claim_name(name: str) -> list[str]:
    """Keycloak's nested claim names: dots separate levels, a backslash escapes a dot."""
    parts, current, escaped = [], [], False
    for char in name:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p]


def _set_claim(claims: dict, name: str, value: Any) -> None:
    path = _split_claim_name(name)
    if not path:
        return
    node = claims
    for part in path[:-1]:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            node[part] = nxt
        node = nxt
    node[path[-1]] = value


def _convert(value: Any, json_type: str | None) -> Any:
    kind = (json_type or "String").lower()
    try:
        if kind in ("long", "int"):
            return int(value)
        if kind == "boolean":
            return value if isinstance(value, bool) else str(value).lower() == "true"
        if kind == "json":
            return json.loads(value) if isinstance(value, str) else value
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, (str, bool, int)) else str(value)


def _origin(uri: str) -> str | None:
    parts = urlsplit(uri)
    if not parts.scheme or not parts.netloc or "*" in parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


class DevIssuer:
    """Issues and checks tokens for one realm; thread-safe."""

    def __init__(self, realm: Realm, key: SigningKey | None = None, base_url: str | None = None) -> None:
        require_development()
        self.realm = realm
        self._lock = threading.Lock()
        self._keys: list[SigningKey] = [key or SigningKey.generate()]
        self._base_url = base_url.rstrip("/") if base_url else None
        self._hits: collections.Counter[str] = collections.Counter()
        self._warned_mappers: set[str] = set()

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

    def count(self, endpoint: str) -> int:
        """How many requests an endpoint ('discovery', 'certs', 'token', 'userinfo') has served."""
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
            "jwks_uri": f"{oidc}/certs",
            "grant_types_supported": list(GRANT_TYPES),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["none"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", *sorted(self.realm.scopes)],
            "claims_supported": ["aud", "sub", "iss", "exp", "iat", "jti", "typ", "azp", "org",
                                 "preferred_username", "realm_access", "scope", "email", "name"],
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

    def _sign_refresh(self, claims: Mapping[str, Any]) -> str:
        key = self.signing_key
        return jwt.encode(dict(claims), key.hmac_secret(), algorithm=REFRESH_ALG,
                          headers={"kid": f"hmac-{key.kid[:16]}", "typ": "JWT"})

    # ------------------------------------------------------------------ token endpoint
    def authenticate_client(self, client_id: str | None, client_secret: str | None) -> Client:
        if not client_id:
            raise OAuthError(400, "invalid_client", "Missing client_id parameter")
        client = self.realm.clients.get(client_id)
        if client is None or not client.enabled:
            raise _invalid_client()
        if client.bearer_only:
            raise OAuthError(400, "invalid_client", "Bearer-only not allowed")
        if client.public:
            return client
        if not client_secret:
            raise OAuthError(401, "unauthorized_client", "Client secret not provided in request")
        expected = (client.secret or "").encode("utf-8")
        if not client.secret or not hmac.compare_digest(expected, client_secret.encode("utf-8")):
            raise OAuthError(401, "unauthorized_client", "Invalid client or Invalid client credentials")
        return client

    def token_request(self, form: Mapping[str, str], basic: tuple[str, str] | None = None) -> dict:
        """Handle a token endpoint POST; form is the decoded body, basic the HTTP Basic credentials."""
        grant_type = (form.get("grant_type") or "").strip()
        if not grant_type:
            raise OAuthError(400, "invalid_request", "Missing form parameter: grant_type")
        if basic is not None:
            client_id, client_secret = basic
        else:
            client_id, client_secret = form.get("client_id"), form.get("client_secret")
        client = self.authenticate_client(client_id, client_secret)
        requested = set((form.get("scope") or "").split())
        if grant_type == "password":
            return self._password_grant(client, form.get("username") or "", form.get("password") or "", requested)
        if grant_type == "client_credentials":
            return self._client_credentials_grant(client, requested)
        if grant_type == "refresh_token":
            return self._refresh_grant(client, form.get("refresh_token") or "")
        raise OAuthError(400, "unsupported_grant_type", "Unsupported grant_type")

    def _password_grant(self, client: Client, username: str, password: str, requested: set[str]) -> dict:
        if not client.direct_access_grants:
            raise OAuthError(400, "unauthorized_client", "Client not allowed for direct access grants")
        user = self.realm.user(username) if username else None
        stored = user.password if user is not None and user.service_account_client_id is None else None
        # Compare even for unknown users so timing does not tell which usernames exist.
        ok = hmac.compare_digest((stored or "\x00unusable").encode("utf-8"), password.encode("utf-8"))
        if user is None or stored is None or not ok:
            log.info("password grant refused for client %s: invalid user credentials", client.client_id)
            raise OAuthError(401, "invalid_grant", "Invalid user credentials")
        if not user.enabled:
            raise OAuthError(400, "invalid_grant", "Account disabled")
        if user.password_temporary or user.required_actions:
            raise OAuthError(400, "invalid_grant", "Account is not fully set up")
        self._check_scopes(client, requested)
        log.info("issued tokens: grant=password client=%s user=%s", client.client_id, user.username)
        return self._token_response(client, user, requested, session_id=str(uuid.uuid4()),
                                    with_refresh=True, auth_time=int(time.time()))

    def _client_credentials_grant(self, client: Client, requested: set[str]) -> dict:
        if client.public:
            raise OAuthError(401, "unauthorized_client", "Public client not allowed to retrieve service account")
        if not client.service_accounts:
            raise OAuthError(401, "unauthorized_client", "Client not enabled to retrieve service account")
        user = self.realm.service_account(client.client_id)
        if user is None:
            log.warning("realm file has no user with serviceAccountClientId=%s; using an empty service account",
                        client.client_id)
            username = f"{SERVICE_ACCOUNT_PREFIX}{client.client_id}"
            user = User(id=user_id_for(self.realm.name, username), username=username, enabled=True, email=None,
                        email_verified=False, first_name=None, last_name=None, attributes={}, realm_roles=(),
                        client_roles={}, password=None, password_temporary=False, required_actions=(),
                        service_account_client_id=client.client_id)
        if not user.enabled:
            raise OAuthError(400, "invalid_grant", "Service account user is disabled")
        self._check_scopes(client, requested)
        log.info("issued tokens: grant=client_credentials client=%s", client.client_id)
        return self._token_response(client, user, requested, session_id=None, with_refresh=False,
                                    auth_time=int(time.time()))

    def _refresh_grant(self, client: Client, refresh_token: str) -> dict:
        if not refresh_token:
            raise OAuthError(400, "invalid_request", "Missing form parameter: refresh_token")
        with self._lock:
            secrets = [k.hmac_secret() for k in self._keys]
        claims = None
        for secret in secrets:
            try:
                claims = jwt.decode(refresh_token, secret, algorithms=[REFRESH_ALG], issuer=self.issuer,
                                    audience=self.issuer, options={"require": ["exp", "sub", "azp"]})
                break
            except jwt.ExpiredSignatureError:
                raise OAuthError(400, "invalid_grant", "Token is not active") from None
            except jwt.InvalidTokenError:
                continue
        if claims is None or claims.get("typ") != "Refresh":
            raise OAuthError(400, "invalid_grant", "Invalid refresh token")
        if claims.get("azp") != client.client_id:
            raise OAuthError(400, "invalid_grant", "Invalid refresh token. Token client and authorized client don't match")
        user = next((u for u in self.realm.users.values() if u.id == claims["sub"]), None)
        if user is None or not user.enabled:
            raise OAuthError(400, "invalid_grant", "User disabled or not found")
        requested = set(str(claims.get("scope", "")).split())
        log.info("issued tokens: grant=refresh_token client=%s user=%s", client.client_id, user.username)
        return self._token_response(client, user, requested, session_id=claims.get("sid"), with_refresh=True,
                                    auth_time=int(claims.get("auth_time") or time.time()))

    def _check_scopes(self, client: Client, requested: set[str]) -> None:
        allowed = {"openid", *client.default_scopes, *client.optional_scopes}
        if requested - allowed:
            raise OAuthError(400, "invalid_scope", f"Invalid scopes: {' '.join(sorted(requested))}")

    # ------------------------------------------------------------------ token building
    def _scope_string(self, requested: set[str], scopes: list[ClientScope]) -> str:
        names = ["openid"] if "openid" in requested else []
        names += [s.name for s in scopes if s.include_in_token_scope and s.name not in names]
        return " ".join(names)

    def _token_response(self, client: Client, user: User, requested: set[str], *, session_id: str | None,
                        with_refresh: bool, auth_time: int) -> dict:
        now = int(time.time())
        lifetime = self.realm.access_token_lifespan
        access = self.access_token(client, user, requested, session_id=session_id, now=now,
                                   lifetime=lifetime, auth_time=auth_time)
        scopes = self.realm.scopes_for(client, requested)
        scope_str = self._scope_string(requested, scopes)
        response: dict[str, Any] = {"access_token": access, "expires_in": lifetime}
        if with_refresh:
            refresh_lifetime = self.realm.sso_session_idle_timeout
            refresh_claims = {
                "exp": now + refresh_lifetime, "iat": now, "jti": str(uuid.uuid4()), "iss": self.issuer,
                "aud": self.issuer, "sub": user.id, "typ": "Refresh", "azp": client.client_id,
                "sid": session_id, "scope": scope_str, "auth_time": auth_time,
            }
            response.update({"refresh_expires_in": refresh_lifetime,
                             "refresh_token": self._sign_refresh(refresh_claims)})
        else:
            response["refresh_expires_in"] = 0
        response["token_type"] = "Bearer"
        if "openid" in requested:
            response["id_token"] = self.id_token(client, user, requested, session_id=session_id, now=now,
                                                 lifetime=lifetime, auth_time=auth_time)
        response["not-before-policy"] = 0
        if session_id:
            response["session_state"] = session_id
        response["scope"] = scope_str
        return response

    def _session_notes(self, client: Client, user: User, auth_time: int) -> dict[str, str]:
        notes = {"AUTH_TIME": str(auth_time)}
        if user.service_account_client_id:
            notes.update({"clientId": client.client_id, "client_id": client.client_id})
        return notes

    def _mapped_claims(self, kind: str, client: Client, user: User, scopes: list[ClientScope],
                       auth_time: int) -> tuple[dict, list[str]]:
        """Apply every protocol mapper of the client and its scopes for one token kind."""
        flag_key = _CLAIM_FLAGS[kind]
        claims: dict[str, Any] = {}
        audiences: list[str] = []
        notes = self._session_notes(client, user, auth_time)
        mappers: list[ProtocolMapper] = list(client.mappers) + [m for s in scopes for m in s.mappers]
        for mapper in mappers:
            if not mapper.flag(flag_key, default=(kind == "access" and mapper.kind in _ACCESS_BY_DEFAULT)):
                continue
            self._apply(mapper, kind, claims, audiences, client, user, notes)
        return claims, audiences

    def _apply(self, mapper: ProtocolMapper, kind: str, claims: dict, audiences: list[str], client: Client,
               user: User, notes: Mapping[str, str]) -> None:
        cfg = mapper.config
        claim_name = cfg.get("claim.name", "")
        kinds = mapper.kind
        if kinds in ("oidc-usermodel-attribute-mapper", "oidc-usermodel-property-mapper"):
            value = user.property_value(cfg.get("user.attribute", ""))
            if value is None or value == []:
                return
            json_type = cfg.get("jsonType.label")
            if isinstance(value, list):
                converted = [v for v in (_convert(v, json_type) for v in value) if v is not None]
                value = converted if mapper.flag("multivalued") else (converted[0] if converted else None)
            else:
                value = _convert(value, json_type)
                if mapper.flag("multivalued"):
                    value = [value]
            if value is not None and claim_name:
                _set_claim(claims, claim_name, value)
        elif kinds == "oidc-full-name-mapper":
            name = " ".join(p for p in (user.first_name, user.last_name) if p)
            if name:
                claims["name"] = name
        elif kinds == "oidc-hardcoded-claim-mapper":
            value = _convert(cfg.get("claim.value"), cfg.get("jsonType.label"))
            if value is not None and claim_name:
                _set_claim(claims, claim_name, value)
        elif kinds == "oidc-sub-mapper":
            claims["sub"] = user.id
        elif kinds == "oidc-usersessionmodel-note-mapper":
            note = notes.get(cfg.get("user.session.note", ""))
            value = _convert(note, cfg.get("jsonType.label")) if note is not None else None
            if value is not None and claim_name:
                _set_claim(claims, claim_name, value)
        elif kinds == "oidc-usermodel-realm-role-mapper":
            prefix = cfg.get("usermodel.realmRoleMapping.rolePrefix", "")
            roles = [prefix + r for r in self.realm.effective_realm_roles(user)]
            if roles and claim_name:
                _set_claim(claims, claim_name, roles)
        elif kinds == "oidc-usermodel-client-role-mapper":
            only = cfg.get("usermodel.clientRoleMapping.clientId")
            for role_client, roles in user.client_roles.items():
                if (only and role_client != only) or not roles or not claim_name:
                    continue
                _set_claim(claims, claim_name.replace("${client_id}", role_client), sorted(roles))
        elif kinds == "oidc-audience-mapper":
            audience = cfg.get("included.client.audience") or cfg.get("included.custom.audience")
            if audience and audience not in audiences:
                audiences.append(audience)
        elif kinds == "oidc-audience-resolve-mapper":
            for role_client, roles in user.client_roles.items():
                if roles and role_client != client.client_id and role_client not in audiences:
                    audiences.append(role_client)
        elif kinds == "oidc-allowed-origins-mapper":
            origins = []
            for origin in client.web_origins:
                if origin == "+":
                    origins += [o for o in (_origin(u) for u in client.redirect_uris) if o]
                elif origin:
                    origins.append(origin)
            if origins:
                claims["allowed-origins"] = sorted(set(origins))
        elif kinds == "oidc-acr-mapper":
            claims["acr"] = "1"
        elif mapper.kind not in self._warned_mappers:
            self._warned_mappers.add(mapper.kind)
            log.info("protocol mapper %r (%s) is not supported by the development issuer; skipped",
                     mapper.name, mapper.kind)

    def access_token(self, client: Client, user: User, requested: AbstractSet[str] = frozenset(), *,
                     session_id: str | None = None, now: int | None = None, lifetime: int | None = None,
                     auth_time: int | None = None) -> str:
        now = int(time.time()) if now is None else int(now)
        lifetime = self.realm.access_token_lifespan if lifetime is None else int(lifetime)
        scopes = self.realm.scopes_for(client, set(requested))
        mapped, audiences = self._mapped_claims("access", client, user, scopes, auth_time or now)
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
        claims["scope"] = self._scope_string(set(requested), scopes)
        return self.sign(claims)

    def id_token(self, client: Client, user: User, requested: set[str], *, session_id: str | None, now: int,
                 lifetime: int, auth_time: int) -> str:
        scopes = self.realm.scopes_for(client, set(requested))
        mapped, audiences = self._mapped_claims("id", client, user, scopes, auth_time)
        aud = [client.client_id] + [a for a in audiences if a != client.client_id]
        claims: dict[str, Any] = {
            "exp": now + lifetime, "iat": now, "jti": str(uuid.uuid4()), "iss": self.issuer,
            "aud": aud[0] if len(aud) == 1 else aud, "sub": user.id, "typ": "ID", "azp": client.client_id,
        }
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
                                issuer=self.issuer, options={"verify_aud": False, "require": ["exp", "sub"]})
        except (jwt.InvalidTokenError, KeyError):
            raise OAuthError(401, "invalid_token", "Token verification failed") from None
        if claims.get("typ") != "Bearer":
            raise OAuthError(401, "invalid_token", "Token verification failed")
        client = self.realm.clients.get(claims.get("azp", ""))
        user = next((u for u in self.realm.users.values() if u.id == claims["sub"]), None)
        if client is None or user is None:
            raise OAuthError(401, "invalid_token", "User or client no longer exists")
        scopes = self.realm.scopes_for(client, set(str(claims.get("scope", "")).split()))
        mapped, _ = self._mapped_claims("userinfo", client, user, scopes, int(claims.get("iat", 0)))
        mapped.pop("sub", None)
        return {"sub": user.id, **mapped}
