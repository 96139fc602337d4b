"""The token endpoint of the development issuer: client authentication and the grants it serves.

:data:`GRANTS` holds one function per grant type. Refusals carry Keycloak's
OAuth error codes, descriptions and HTTP statuses.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import unquote_plus

from services.devissuer.errors import OAuthError
from services.devissuer.realm import SERVICE_ACCOUNT_PREFIX, Client, Realm, User, user_id_for
from services.devissuer.sessions import ClientSession, SsoSession

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


def check_user_password(realm: Realm, username: str, password: str) -> tuple[User | None, str | None]:
    """(the user, None) when they may log in, else (None, why: "invalid", "disabled" or "not_set_up").
    A wrong password and an unknown user give the same answer, in about the same time; that an account
    is disabled is told only with its right password."""
    user = realm.user(username) if username else None
    stored = user.password if user is not None and user.service_account_client_id is None else None
    ok = hmac.compare_digest((stored or "\x00unusable").encode("utf-8"), password.encode("utf-8"))
    if user is None or stored is None or not ok:
        return None, "invalid"
    if not user.enabled:
        return None, "disabled"
    if user.password_temporary or user.required_actions:
        return None, "not_set_up"
    return user, None


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """client_secret_basic: both halves are form-urlencoded before base64 (RFC 6749 2.3.1)."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(400, "invalid_request", "Malformed Basic authorization header") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError(400, "invalid_request", "Malformed Basic authorization header")
    return unquote_plus(client_id), unquote_plus(secret)


def _password(issuer: DevIssuer, client: Client, form: Mapping[str, str]) -> dict:
    if not client.direct_access_grants:
        raise OAuthError(400, "unauthorized_client", "Client not allowed for direct access grants")
    user, problem = check_user_password(issuer.realm, form.get("username") or "", form.get("password") or "")
    if problem == "invalid":
        log.info("password grant refused for client %s: invalid user credentials", client.client_id)
        raise OAuthError(401, "invalid_grant", "Invalid user credentials")
    if problem == "disabled":
        raise OAuthError(400, "invalid_grant", "Account disabled")
    if problem is not None or user is None:
        raise OAuthError(400, "invalid_grant", "Account is not fully set up")
    requested = _requested_scopes(client, form)
    session, _ = issuer.sessions.create_session(user.id, with_cookie=False)
    issuer.sessions.attach(session.id, client.client_id, ClientSession(nonce=None, scope=" ".join(sorted(requested))))
    log.info("issued tokens: grant=password client=%s user=%s", client.client_id, user.username)
    return _response(issuer, client, user, requested, session=session)


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
    return _response(issuer, client, user, requested, session=None)


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
    session = issuer.sessions.session(claims.get("sid"), touch=True)
    if session is None or session.user_id != claims["sub"]:
        raise OAuthError(400, "invalid_grant", "Session not active")
    client_session = session.clients.get(client.client_id)
    if client_session is None:
        raise OAuthError(400, "invalid_grant", "Session doesn't have required client")
    user = issuer.realm.user_by_id(claims["sub"])
    if user is None or not user.enabled:
        raise OAuthError(400, "invalid_grant", "User disabled or not found")
    requested = set(str(claims.get("scope", "")).split())
    log.info("issued tokens: grant=refresh_token client=%s user=%s", client.client_id, user.username)
    return _response(issuer, client, user, requested, session=session, nonce=client_session.nonce)


# PKCE (RFC 7636 4.1): 43 to 128 characters of the unreserved set, for the verifier and an S256 challenge.
PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def _authorization_code(issuer: DevIssuer, client: Client, form: Mapping[str, str]) -> dict:
    if not client.standard_flow:
        raise OAuthError(400, "unauthorized_client", "Client not allowed to exchange code")
    code = form.get("code") or ""
    if not code:
        raise OAuthError(400, "invalid_request", "Missing parameter: code")
    entry, outcome = issuer.sessions.redeem_code(code)
    if entry is None:
        raise OAuthError(400, "invalid_grant", "Code not valid")
    request = entry.request
    if outcome == "used":
        # RFC 6749 4.1.2: a code used twice may have been stolen; what it gave stops working.
        issuer.sessions.detach(entry.session_id, request.client_id)
        log.warning("authorization code used twice for client %s; the tokens it gave are revoked",
                    request.client_id)
        raise OAuthError(400, "invalid_grant", "Code not valid")
    if outcome == "expired":
        raise OAuthError(400, "invalid_grant", "Code is expired")
    if request.client_id != client.client_id:
        raise OAuthError(400, "invalid_grant", "Auth error")
    if (form.get("redirect_uri") or "") != request.redirect_uri:
        raise OAuthError(400, "invalid_grant", "Incorrect redirect_uri")
    _check_pkce(request.code_challenge, request.code_challenge_method, form.get("code_verifier"))
    session = issuer.sessions.session(entry.session_id, touch=True)
    if session is None or session.user_id != entry.user_id:
        raise OAuthError(400, "invalid_grant", "Session not active")
    user = issuer.realm.user_by_id(entry.user_id)
    if user is None or not user.enabled:
        raise OAuthError(400, "invalid_grant", "User disabled or not found")
    requested = set(request.scope.split())
    issuer.sessions.attach(session.id, client.client_id, ClientSession(nonce=request.nonce, scope=request.scope))
    log.info("issued tokens: grant=authorization_code client=%s user=%s", client.client_id, user.username)
    return _response(issuer, client, user, requested, session=session, nonce=request.nonce)


def _check_pkce(challenge: str | None, method: str | None, verifier: str | None) -> None:
    if challenge is None:
        if verifier:
            raise OAuthError(400, "invalid_grant", "PKCE code verifier specified but challenge not present in "
                                                   "authorization")
        return
    if not verifier:
        raise OAuthError(400, "invalid_grant", "PKCE code verifier not specified")
    if not PKCE_VALUE.fullmatch(verifier):
        raise OAuthError(400, "invalid_grant", "PKCE invalid code verifier")
    if method != "S256" or not hmac.compare_digest(s256(verifier), challenge):
        raise OAuthError(400, "invalid_grant", "PKCE verification failed: Code mismatch")


def _response(issuer: DevIssuer, client: Client, user: User, requested: set[str], *, session: SsoSession | None,
              nonce: str | None = None) -> dict:
    """The token response, its members in Keycloak's order. A session gives a refresh token tied to it."""
    now = issuer.now()
    session_id = session.id if session is not None else None
    auth_time = session.auth_time if session is not None else now
    lifetime = issuer.realm.access_token_lifespan
    access = issuer.access_token(client, user, requested, session_id=session_id, now=now,
                                 lifetime=lifetime, auth_time=auth_time)
    scope = issuer.scope_string(client, requested)
    response: dict[str, Any] = {"access_token": access, "expires_in": lifetime}
    if session is not None:
        expires = issuer.sessions.session_expires(session)
        response.update({"refresh_expires_in": expires - now,
                         "refresh_token": issuer.refresh_token(client, user, scope, session_id=session_id, now=now,
                                                               auth_time=auth_time, expires=expires)})
    else:
        response["refresh_expires_in"] = 0
    response["token_type"] = "Bearer"
    if "openid" in requested:
        response["id_token"] = issuer.id_token(client, user, requested, session_id=session_id, now=now,
                                               lifetime=lifetime, auth_time=auth_time, nonce=nonce,
                                               access_token=access)
    response["not-before-policy"] = 0
    if session_id:
        response["session_state"] = session_id
    response["scope"] = scope
    return response


GRANTS: dict[str, Callable[[DevIssuer, Client, Mapping[str, str]], dict]] = {
    "authorization_code": _authorization_code,
    "client_credentials": _client_credentials,
    "password": _password,
    "refresh_token": _refresh,
}
