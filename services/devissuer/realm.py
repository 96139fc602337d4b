"""Reads a Keycloak realm export into the small model the development issuer needs.

Only what the issuer uses is modelled: clients, users with plain-text
development passwords, realm roles with their composites, client scopes with
their protocol mappers, and the token lifetimes.

``${VAR}`` and ``${VAR:default}`` placeholders are resolved from the
environment the same way Keycloak resolves them at ``--import-realm``: an
unset variable without a default stays as written (Keycloak's own
localisation keys such as ``${role_default-roles}`` look the same and must
survive). Client secrets are the exception: when their variable is unset the
development fallback (services.common.auth.devsecrets) is used and logged.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from services.common.auth.devsecrets import dev_client_secret

log = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.]*)(?::([^}]*))?\}")
SERVICE_ACCOUNT_PREFIX = "service-account-"


def user_id_for(realm: str, username: str) -> str:
    """Stable id for a user the realm file gives no id (uuid5 of realm and username)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:brobygger:realm:{realm}:user:{username}"))


class RealmFileError(ValueError):
    """The realm file cannot be used; the message says what to change."""


def resolve_placeholders(value: str, environ: Mapping[str, str]) -> tuple[str, list[str]]:
    """Substitute ``${VAR}`` / ``${VAR:default}``; returns the text and the names left unresolved."""
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        missing.append(name)
        return match.group(0)

    return PLACEHOLDER.sub(substitute, value), missing


def _resolve_tree(node: Any, environ: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return resolve_placeholders(node, environ)[0] if "${" in node else node
    if isinstance(node, list):
        return [_resolve_tree(item, environ) for item in node]
    if isinstance(node, dict):
        return {key: _resolve_tree(value, environ) for key, value in node.items()}
    return node


@dataclass(frozen=True)
class ProtocolMapper:
    name: str
    kind: str
    config: Mapping[str, str]

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.config.get(key)
        if value is None:
            return default
        return str(value).strip().lower() == "true"


@dataclass(frozen=True)
class ClientScope:
    name: str
    include_in_token_scope: bool
    mappers: tuple[ProtocolMapper, ...]


@dataclass(frozen=True)
class Client:
    client_id: str
    enabled: bool
    public: bool
    bearer_only: bool
    secret: str | None
    standard_flow: bool
    direct_access_grants: bool
    service_accounts: bool
    full_scope_allowed: bool
    redirect_uris: tuple[str, ...]
    web_origins: tuple[str, ...]
    default_scopes: tuple[str, ...]
    optional_scopes: tuple[str, ...]
    mappers: tuple[ProtocolMapper, ...]
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def confidential(self) -> bool:
        return not self.public and not self.bearer_only

    @property
    def pkce_method(self) -> str | None:
        """The PKCE method the client demands (attribute ``pkce.code.challenge.method``), or None."""
        return self.attributes.get("pkce.code.challenge.method") or None

    @property
    def post_logout_redirect_uris(self) -> tuple[str, ...]:
        """Attribute ``post.logout.redirect.uris`` ("##" between entries); "+" stands for the redirect URIs."""
        uris: list[str] = []
        for entry in (self.attributes.get("post.logout.redirect.uris") or "").split("##"):
            entry = entry.strip()
            if entry == "+":
                uris += [u for u in self.redirect_uris if u not in uris]
            elif entry and entry not in uris:
                uris.append(entry)
        return tuple(uris)


@dataclass(frozen=True)
class User:
    id: str
    username: str
    enabled: bool
    email: str | None
    email_verified: bool
    first_name: str | None
    last_name: str | None
    attributes: Mapping[str, tuple[str, ...]]
    realm_roles: tuple[str, ...]
    client_roles: Mapping[str, tuple[str, ...]]
    password: str | None
    password_temporary: bool
    required_actions: tuple[str, ...]
    service_account_client_id: str | None

    def property_value(self, name: str) -> Any:
        """A user attribute as Keycloak's mappers see it: built-in properties first."""
        builtin = {
            "username": self.username,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "emailVerified": self.email_verified,
            "enabled": self.enabled,
            "id": self.id,
        }
        if name in builtin:
            return builtin[name]
        values = self.attributes.get(name)
        return list(values) if values else None


@dataclass
class Realm:
    name: str
    enabled: bool
    access_token_lifespan: int
    sso_session_idle_timeout: int
    clients: dict[str, Client]
    users: dict[str, User]
    scopes: dict[str, ClientScope]
    role_composites: dict[str, tuple[str, ...]]
    default_scopes: tuple[str, ...]
    optional_scopes: tuple[str, ...]
    dev_secret_clients: tuple[str, ...] = field(default=())
    sso_session_max_lifespan: int = 36000
    access_code_lifespan: int = 60
    access_code_lifespan_login: int = 1800

    def user(self, username_or_email: str) -> User | None:
        needle = username_or_email.strip().lower()
        found = self.users.get(needle)
        if found is None and "@" in needle:
            found = next((u for u in self.users.values() if (u.email or "").lower() == needle), None)
        return found

    def user_by_id(self, user_id: str) -> User | None:
        return next((u for u in self.users.values() if u.id == user_id), None)

    def service_account(self, client_id: str) -> User | None:
        for candidate in self.users.values():
            if candidate.service_account_client_id == client_id:
                return candidate
        return None

    def effective_realm_roles(self, user: User) -> list[str]:
        """The user's realm roles with composite roles expanded, like Keycloak's role mapper."""
        seen: set[str] = set()
        stack = list(user.realm_roles)
        while stack:
            role = stack.pop()
            if role in seen:
                continue
            seen.add(role)
            stack.extend(self.role_composites.get(role, ()))
        return sorted(seen)

    def scopes_for(self, client: Client, requested: set[str]) -> list[ClientScope]:
        """The client scopes a token request gets: all default scopes, plus requested optional ones."""
        names = list(client.default_scopes)
        names += [n for n in client.optional_scopes if n in requested and n not in names]
        return [self.scopes[n] for n in names if n in self.scopes]


def _mappers(items: Any) -> tuple[ProtocolMapper, ...]:
    result = []
    for item in items or ():
        if item.get("protocol", "openid-connect") != "openid-connect":
            continue
        config = {str(k): str(v) for k, v in (item.get("config") or {}).items()}
        result.append(ProtocolMapper(name=item.get("name", ""), kind=item.get("protocolMapper", ""), config=config))
    return tuple(result)


def _password(credentials: Any, username: str) -> tuple[str | None, bool]:
    for cred in credentials or ():
        if cred.get("type") != "password":
            continue
        if "value" in cred:
            return str(cred["value"]), bool(cred.get("temporary", False))
        log.warning("user %s has a hashed password in the realm file; the development issuer "
                    "only understands plain 'value' credentials, so this user cannot log in", username)
    return None, False


def parse_realm(raw: Mapping[str, Any], environ: Mapping[str, str]) -> Realm:
    """Build the model from a parsed realm export (placeholders not yet resolved)."""
    clients_raw = raw.get("clients") or []
    # Client secrets first, on the unresolved text, so an unset variable can fall back.
    secrets: dict[str, str | None] = {}
    dev_fallbacks: list[str] = []
    for item in clients_raw:
        client_id = item.get("clientId")
        secret = item.get("secret")
        if not client_id or secret is None:
            continue
        resolved, missing = resolve_placeholders(str(secret), environ)
        if missing:
            resolved = dev_client_secret(client_id)
            dev_fallbacks.append(client_id)
            log.warning("%s is not set: client %s uses the development fallback secret "
                        "(services.common.auth.devsecrets); set the variable to give it another",
                        ", ".join(missing), client_id)
        secrets[client_id] = resolved

    data = _resolve_tree(dict(raw), environ)
    name = data.get("realm")
    if not name:
        raise RealmFileError("the realm file has no 'realm' name")

    scopes = {}
    for item in data.get("clientScopes") or []:
        if item.get("protocol", "openid-connect") != "openid-connect":
            continue
        attrs = item.get("attributes") or {}
        scopes[item["name"]] = ClientScope(
            name=item["name"],
            include_in_token_scope=str(attrs.get("include.in.token.scope", "true")).lower() == "true",
            mappers=_mappers(item.get("protocolMappers")),
        )

    realm_default_scopes = tuple(data.get("defaultDefaultClientScopes") or ())
    realm_optional_scopes = tuple(data.get("defaultOptionalClientScopes") or ())

    clients = {}
    for item in data.get("clients") or []:
        client_id = item.get("clientId")
        if not client_id:
            continue
        default_scopes = item.get("defaultClientScopes")
        optional_scopes = item.get("optionalClientScopes")
        if not item.get("fullScopeAllowed", True):
            log.warning("client %s has fullScopeAllowed=false; the development issuer ignores "
                        "role scope mappings and maps every role of the user", client_id)
        clients[client_id] = Client(
            client_id=client_id,
            enabled=bool(item.get("enabled", True)),
            public=bool(item.get("publicClient", False)),
            bearer_only=bool(item.get("bearerOnly", False)),
            secret=secrets.get(client_id),
            standard_flow=bool(item.get("standardFlowEnabled", True)),
            direct_access_grants=bool(item.get("directAccessGrantsEnabled", False)),
            service_accounts=bool(item.get("serviceAccountsEnabled", False)),
            full_scope_allowed=bool(item.get("fullScopeAllowed", True)),
            redirect_uris=tuple(item.get("redirectUris") or ()),
            web_origins=tuple(item.get("webOrigins") or ()),
            default_scopes=tuple(default_scopes if default_scopes is not None else realm_default_scopes),
            optional_scopes=tuple(optional_scopes if optional_scopes is not None else realm_optional_scopes),
            mappers=_mappers(item.get("protocolMappers")),
            attributes={str(k): str(v) for k, v in (item.get("attributes") or {}).items()},
        )
        for scope_name in clients[client_id].default_scopes + clients[client_id].optional_scopes:
            if scope_name not in scopes:
                log.debug("client %s refers to client scope %s, which the realm file does not define",
                          client_id, scope_name)

    composites: dict[str, tuple[str, ...]] = {}
    for role in (data.get("roles") or {}).get("realm") or []:
        nested = ((role.get("composites") or {}).get("realm")) or []
        composites[role["name"]] = tuple(nested)

    users = {}
    for item in data.get("users") or []:
        username = str(item.get("username", "")).lower()
        if not username:
            continue
        password, temporary = _password(item.get("credentials"), username)
        attributes = {
            str(k): tuple(str(v) for v in (vals if isinstance(vals, list) else [vals]))
            for k, vals in (item.get("attributes") or {}).items()
        }
        users[username] = User(
            id=item.get("id") or user_id_for(name, username),
            username=username,
            enabled=bool(item.get("enabled", True)),
            email=item.get("email"),
            email_verified=bool(item.get("emailVerified", False)),
            first_name=item.get("firstName"),
            last_name=item.get("lastName"),
            attributes=attributes,
            realm_roles=tuple(item.get("realmRoles") or ()),
            client_roles={k: tuple(v) for k, v in (item.get("clientRoles") or {}).items()},
            password=password,
            password_temporary=temporary,
            required_actions=tuple(item.get("requiredActions") or ()),
            service_account_client_id=item.get("serviceAccountClientId"),
        )

    return Realm(
        name=name,
        enabled=bool(data.get("enabled", True)),
        access_token_lifespan=int(data.get("accessTokenLifespan") or 300),
        sso_session_idle_timeout=int(data.get("ssoSessionIdleTimeout") or 1800),
        clients=clients,
        users=users,
        scopes=scopes,
        role_composites=composites,
        default_scopes=realm_default_scopes,
        optional_scopes=realm_optional_scopes,
        dev_secret_clients=tuple(dev_fallbacks),
        sso_session_max_lifespan=int(data.get("ssoSessionMaxLifespan") or 36000),
        access_code_lifespan=int(data.get("accessCodeLifespan") or 60),
        access_code_lifespan_login=int(data.get("accessCodeLifespanLogin") or 1800),
    )


def with_redirect_uris(realm: Realm, uris: Iterable[str]) -> Realm:
    """The realm with extra redirect URIs for every client that may use the browser flow
    (standardFlowEnabled): development only, for gateways on ports chosen at start."""
    extra = tuple(uris)
    if not extra:
        return realm
    clients = {
        client_id: (dataclasses.replace(client, redirect_uris=client.redirect_uris + tuple(
            u for u in extra if u not in client.redirect_uris)) if client.standard_flow else client)
        for client_id, client in realm.clients.items()
    }
    return dataclasses.replace(realm, clients=clients)


def load_realm(path: str | Path, environ: Mapping[str, str]) -> Realm:
    """Read a realm export file; raises RealmFileError with a readable message."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RealmFileError(f"realm file {path} does not exist; pass --realm-file "
                             "deploy/keycloak/brobygger-realm.json") from None
    except json.JSONDecodeError as exc:
        raise RealmFileError(f"realm file {path} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise RealmFileError(f"realm file {path} must hold one realm object")
    return parse_realm(raw, environ)
