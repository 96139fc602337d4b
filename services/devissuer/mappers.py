"""The protocol mappers the realm file uses, applied the way Keycloak 26 applies them.

:data:`MAPPERS` holds one small function per Keycloak mapper type that
deploy/keycloak/brobygger-realm.json uses, and only those. Each reads one
mapper's config and adds to the claims (or the audiences) of the token being
built. A mapper of another type is reported once when the issuer starts
(:func:`unsupported`) and then skipped, so a token would lack its claim.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import AbstractSet, Any, Callable
from urllib.parse import urlsplit

from services.devissuer.realm import Client, ProtocolMapper, Realm, User

# Which config flag puts a mapper's claim into which kind of token.
CLAIM_FLAGS = {"access": "access.token.claim", "id": "id.token.claim", "userinfo": "userinfo.token.claim"}


@dataclass
class Draft:
    """What the mappers see and write while one token is built."""

    realm: Realm
    client: Client
    user: User
    auth_time: int
    claims: dict[str, Any] = field(default_factory=dict)
    audiences: list[str] = field(default_factory=list)

    def set(self, name: str, value: Any) -> None:
        """Set a claim by Keycloak's dotted name: ``realm_access.roles`` nests ``roles`` in ``realm_access``."""
        *parents, leaf = name.split(".")
        node = self.claims
        for part in parents:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[leaf] = value


def _convert(value: Any, json_type: str | None) -> Any:
    """A value as the mapper's ``jsonType.label`` (String, long or boolean) types it; None if it cannot."""
    kind = (json_type or "String").lower()
    try:
        if kind in ("long", "int"):
            return int(value)
    except (TypeError, ValueError):
        return None
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    return value if isinstance(value, (str, bool, int)) else str(value)


def _user_attribute(draft: Draft, mapper: ProtocolMapper) -> None:
    """oidc-usermodel-attribute-mapper and oidc-usermodel-property-mapper: a user attribute as a claim."""
    value = draft.user.property_value(mapper.config.get("user.attribute", ""))
    claim_name = mapper.config.get("claim.name", "")
    if value is None or value == [] or not claim_name:
        return
    json_type = mapper.config.get("jsonType.label")
    multivalued = mapper.flag("multivalued")
    if isinstance(value, list):
        converted = [v for v in (_convert(v, json_type) for v in value) if v is not None]
        value = converted if multivalued else (converted[0] if converted else None)
    else:
        value = _convert(value, json_type)
        value = [value] if multivalued else value
    if value is not None:
        draft.set(claim_name, value)


def _full_name(draft: Draft, mapper: ProtocolMapper) -> None:
    name = " ".join(p for p in (draft.user.first_name, draft.user.last_name) if p)
    if name:
        draft.claims["name"] = name


def _sub(draft: Draft, mapper: ProtocolMapper) -> None:
    draft.claims["sub"] = draft.user.id


def _session_note(draft: Draft, mapper: ProtocolMapper) -> None:
    """oidc-usersessionmodel-note-mapper; the one session note the realm maps is AUTH_TIME."""
    claim_name = mapper.config.get("claim.name")
    if mapper.config.get("user.session.note") == "AUTH_TIME" and claim_name:
        draft.set(claim_name, _convert(str(draft.auth_time), mapper.config.get("jsonType.label")))


def _realm_roles(draft: Draft, mapper: ProtocolMapper) -> None:
    roles = draft.realm.effective_realm_roles(draft.user)
    if roles and mapper.config.get("claim.name"):
        draft.set(mapper.config["claim.name"], roles)


def _client_roles(draft: Draft, mapper: ProtocolMapper) -> None:
    claim_name = mapper.config.get("claim.name", "")
    for role_client, roles in draft.user.client_roles.items():
        if roles and claim_name:
            draft.set(claim_name.replace("${client_id}", role_client), sorted(roles))


def _add_audience(draft: Draft, audience: str | None) -> None:
    if audience and audience not in draft.audiences:
        draft.audiences.append(audience)


def _audience(draft: Draft, mapper: ProtocolMapper) -> None:
    _add_audience(draft, mapper.config.get("included.client.audience"))


def _audience_resolve(draft: Draft, mapper: ProtocolMapper) -> None:
    """Every other client the user has roles of becomes an audience."""
    for role_client, roles in draft.user.client_roles.items():
        if roles and role_client != draft.client.client_id:
            _add_audience(draft, role_client)


def _origin(uri: str) -> str | None:
    parts = urlsplit(uri)
    if not parts.scheme or not parts.netloc or "*" in parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _allowed_origins(draft: Draft, mapper: ProtocolMapper) -> None:
    """The client's web origins; "+" stands for the origins of its redirect URIs."""
    origins = []
    for origin in draft.client.web_origins:
        if origin == "+":
            origins += [o for o in (_origin(u) for u in draft.client.redirect_uris) if o]
        elif origin:
            origins.append(origin)
    if origins:
        draft.claims["allowed-origins"] = sorted(set(origins))


def _acr(draft: Draft, mapper: ProtocolMapper) -> None:
    draft.claims["acr"] = "1"


MAPPERS: dict[str, Callable[[Draft, ProtocolMapper], None]] = {
    "oidc-sub-mapper": _sub,
    "oidc-usersessionmodel-note-mapper": _session_note,
    "oidc-usermodel-realm-role-mapper": _realm_roles,
    "oidc-usermodel-client-role-mapper": _client_roles,
    "oidc-audience-resolve-mapper": _audience_resolve,
    "oidc-usermodel-attribute-mapper": _user_attribute,
    "oidc-usermodel-property-mapper": _user_attribute,
    "oidc-full-name-mapper": _full_name,
    "oidc-allowed-origins-mapper": _allowed_origins,
    "oidc-acr-mapper": _acr,
    "oidc-audience-mapper": _audience,
}


def mapped_claims(kind: str, realm: Realm, client: Client, user: User, requested: AbstractSet[str],
                  auth_time: int) -> tuple[dict[str, Any], list[str]]:
    """Apply the mappers of the client, then of the client scopes this request gets, that put claims into
    one kind of token (access, id, userinfo); returns the claims and the audiences."""
    draft = Draft(realm, client, user, auth_time)
    flag = CLAIM_FLAGS[kind]
    scopes = realm.scopes_for(client, set(requested))
    for mapper in [*client.mappers, *(m for s in scopes for m in s.mappers)]:
        apply = MAPPERS.get(mapper.kind)
        if apply is not None and mapper.flag(flag):
            apply(draft, mapper)
    return draft.claims, draft.audiences


def unsupported(realm: Realm) -> list[ProtocolMapper]:
    """The realm's mappers this issuer does not apply (their claims will be missing from its tokens)."""
    every = [m for c in realm.clients.values() for m in c.mappers] + \
            [m for s in realm.scopes.values() for m in s.mappers]
    return [m for m in every if m.kind not in MAPPERS]
