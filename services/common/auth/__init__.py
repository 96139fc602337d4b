"""Who is calling: verification of Keycloak access tokens, and tokens for our own calls.

Every service and the gateway verify bearer tokens with :class:`TokenVerifier` and act on the resulting
:class:`Principal`. Services that call other services (a node calling a peer node, the hub reading
statistics) get their own token with :class:`ServiceTokenSource`.

The issuer is a Keycloak realm URL, e.g. ``https://id.example.org/realms/brobygger`` (in development the
stand-in from ``services.devissuer``). Nothing here does I/O at import or construction: discovery and keys
are fetched on first use.

Modules: ``errors`` (AuthError), ``principal`` (Principal, the token contract, bearer_from_header),
``verifier`` (TokenVerifier) with ``discovery`` and ``jwks`` (the issuer's signing keys),
``service_tokens`` (ServiceTokenSource), ``realm_url`` (issuer and server addresses), ``devsecrets``
(the development client secret).
"""
from services.common.auth.devsecrets import dev_client_secret
from services.common.auth.errors import AuthError
from services.common.auth.principal import (
    ROLE_ANALYST,
    ROLE_COORDINATOR,
    ROLE_FEDERATION_HUB,
    ROLE_NODE_SERVICE,
    ROLE_VOLUNTEER,
    Principal,
    bearer_from_header,
)
from services.common.auth.realm_url import split_issuer
from services.common.auth.service_tokens import ServiceTokenSource
from services.common.auth.verifier import DEFAULT_AUDIENCE, TokenVerifier

__all__ = [
    "DEFAULT_AUDIENCE",
    "ROLE_ANALYST",
    "ROLE_COORDINATOR",
    "ROLE_FEDERATION_HUB",
    "ROLE_NODE_SERVICE",
    "ROLE_VOLUNTEER",
    "AuthError",
    "Principal",
    "ServiceTokenSource",
    "TokenVerifier",
    "bearer_from_header",
    "dev_client_secret",
    "split_issuer",
]
