"""The token endpoint of the development issuer: client authentication and the grants it serves.

:data:`GRANTS` holds one function per grant type. Refusals carry Keycloak's
OAuth error codes, descriptions and HTTP statuses.
"""
from __future__ import annotations

import hmac
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any, Callable, Mapping

from services.devissuer.errors import OAuthError
from services.devissuer.realm import SERVICE_ACCOUNT_PREFIX, Client, Realm, User, user_id_for

if TYPE_CHECKING:
    from services.devissuer.issuer import DevIssuer

log = logging.getLogger("services.devissuer")


def token_request(issuer: DevIssuer, form: Mapping[str, str], basic: tuple[str, str] | None = None) -> dict:
    """Handle a token endpoint POST; form is the decoded body, basic the HTTP Basic credentials."""
    grant_type = (form.get("grant_type") or "").strip()
    if not grant_type:
        raise OAuthError(400, "invalid_request", "Missing form parameter: grant_type")
    client_id, client_secret = basic if basic is not None else (form.get("client_id"), form.get("client_secret"))
    client = authenticate_client(issuer.realm, client_id, client_secret)
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise OAuthError(400, "unsupported_grant_type", "Unsupported grant_type")
    return grant(issuer, client, form)


def authenticate_client(realm: Realm, client_id: str | None, client_secret: str | None) -> Client:
    if not client_id:
        raise OAuthError(400, "invalid_client", "Missing client_id parameter")
    client = realm.clients.get(client_id)
    if client is None or not client.enabled:
        raise OAuthError(401, "invalid_client", "Invalid client or Invalid client credentials")
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


def _requested_scopes(client: Client, form: Mapping[str, str]) -> set[str]:
    requested = set((form.get("scope") or "").split())
    allowed = {"openid", *client.default_scopes, *client.optional_scopes}
    if requested - allowed:
        raise OAuthError(400, "invalid_scope", f"Invalid scopes: {' '.join(sorted(requested))}")
    return requested


def _password(issuer: DevIssuer, client: Client, form: Mapping[str, str]) -> dict:
    if not client.direct_access_grants:
        raise OAuthError(400, "unauthorized_client", "Client not allowed for direct access grants")
    username, password = form.get("username") or "", form.get("password") or ""
    user = issuer.realm.user(username) if username else None
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
    requested = _requested_scopes(client, form)
    log.info("issued tokens: grant=password client=%s user=%s", client.client_id, user.username)
    return _response(issuer, client, user, requested, session_id=str(uuid.uuid4()), with_refresh=True,
                     auth_time=int(time.time()))


def _client_credentials(issuer: DevIssuer, client: Client, form: Mapping[str, str]) -> dict:
    if client.public:
        raise OAuthError(401, "unauthorized_client", "Public client not allowed to retrieve service account")
    if not client.service_accounts:
        raise OAuthError(401, "unauthorized_client", "Client not enabled to retrieve service account")
    user = issuer.realm.service_account(client.client_id) or _empty_service_account(issuer.realm, client)
    if not user.enabled:
        raise OAuthError(400, "invalid_grant", "Service account user is disabled")
    requested = _requested_scopes(client, form)
    log.info("issued tokens: grant=client_credentials client=%s", client.client_id)
    return _response(issuer, client, user, requested, session_id=None, with_refresh=False,
                     auth_time=int(time.time()))


def _empty_service_account(realm: Realm, client: Client) -> User:
    log.warning("realm file has no user with serviceAccountClientId=%s; using an empty service account",
                client.client_id)
    username = f"{SERVICE_ACCOUNT_PREFIX}{client.client_id}"
    return User(id=user_id_for(realm.name, username), username=username, enabled=True, email=None,
                email_verified=False, first_name=None, last_name=None, attributes={}, realm_roles=(),
                client_roles={}, password=None, password_temporary=False, required_actions=(),
                service_account_client_id=client.client_id)


def _refresh(issuer: DevIssuer, client: Client, form: Mapping[str, str]) -> dict:
    claims = issuer.read_refresh_token(form.get("refresh_token") or "")
    if claims.get("azp") != client.client_id:
        raise OAuthError(400, "invalid_grant", "Invalid refresh token. Token client and authorized client don't match")
    user = issuer.realm.user_by_id(claims["sub"])
    if user is None or not user.enabled:
        raise OAuthError(400, "invalid_grant", "User disabled or not found")
    requested = set(str(claims.get("scope", "")).split())
    log.info("issued tokens: grant=refresh_token client=%s user=%s", client.client_id, user.username)
    return _response(issuer, client, user, requested, session_id=claims.get("sid"), with_refresh=True,
                     auth_time=int(claims.get("auth_time") or time.time()))


def _response(issuer: DevIssuer, client: Client, user: User, requested: set[str], *, session_id: str | None,
              with_refresh: bool, auth_time: int) -> dict:
    """The token response, its members in Keycloak's order."""
    now = int(time.time())
    lifetime = issuer.realm.access_token_lifespan
    access = issuer.access_token(client, user, requested, session_id=session_id, now=now,
                                 lifetime=lifetime, auth_time=auth_time)
    scope = issuer.scope_string(client, requested)
    response: dict[str, Any] = {"access_token": access, "expires_in": lifetime}
    if with_refresh:
        response.update({"refresh_expires_in": issuer.realm.sso_session_idle_timeout,
                         "refresh_token": issuer.refresh_token(client, user, scope, session_id=session_id, now=now,
                                                               auth_time=auth_time)})
    else:
        response["refresh_expires_in"] = 0
    response["token_type"] = "Bearer"
    if "openid" in requested:
        response["id_token"] = issuer.id_token(client, user, requested, session_id=session_id, now=now,
                                               lifetime=lifetime, auth_time=auth_time)
    response["not-before-policy"] = 0
    if session_id:
        response["session_state"] = session_id
    response["scope"] = scope
    return response


GRANTS: dict[str, Callable[[DevIssuer, Client, Mapping[str, str]], dict]] = {
    "client_credentials": _client_credentials,
    "password": _password,
    "refresh_token": _refresh,
}
