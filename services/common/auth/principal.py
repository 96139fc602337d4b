"""The verified caller (Principal), built from access-token claims, and the bearer token of a request.

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

from dataclasses import dataclass
from typing import Any, Mapping

from services.common.auth.errors import AuthError

ROLE_COORDINATOR = "coordinator"
ROLE_VOLUNTEER = "volunteer"
ROLE_ANALYST = "analyst"
ROLE_NODE_SERVICE = "node-service"
ROLE_FEDERATION_HUB = "federation-hub"


@dataclass(frozen=True)
class Principal:
    """The verified caller."""

    subject: str
    username: str
    client_id: str
    orgs: frozenset[str]
    roles: frozenset[str]
    # The user a service of this node acts for (gRPC metadata x-brobygger-on-behalf-of). Set by the
    # gRPC server only for a service account of the node's own organisation, never from a user's token.
    on_behalf_of: str = ""

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
        realm_access = claims.get("realm_access")
        return cls(
            subject=subject,
            username=_string(claims.get("preferred_username")),
            client_id=_string(claims.get("azp") or claims.get("client_id")),
            orgs=frozenset(_string_list(claims.get("org"), "org")),
            roles=frozenset(_string_list(realm_access.get("roles") if isinstance(realm_access, Mapping) else None,
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
