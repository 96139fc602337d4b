"""Client-credentials tokens for a service's own calls (a node calling a peer, the hub reading statistics)."""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Callable

from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError

from services.common.auth.errors import AuthError
from services.common.auth.realm_url import server_base, split_issuer

log = logging.getLogger(__name__)


class ServiceTokenSource:
    """Client-credentials access tokens for this service's own calls. Thread-safe.

    ``token()`` returns a cached token until ``refresh_margin`` seconds (30 by default, at most half the
    lifetime) before it expires, then fetches a new one with python-keycloak. Use it as a gRPC
    ``token_provider``. ``clock`` measures the lifetime (tests pass a fake one); ``server_url`` is where
    to reach the identity server when that differs from the issuer's public address.
    """

    def __init__(self, issuer: str, client_id: str, client_secret: str, *, server_url: str | None = None,
                 refresh_margin: float = 30, http_timeout: float = 5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.refresh_margin = refresh_margin
        self._realm = split_issuer(self.issuer)[1]
        self._server_url = server_base(self.issuer, server_url)
        self._secret = client_secret
        self._http_timeout = http_timeout
        self._clock = clock
        self._keycloak: KeycloakOpenID | None = None
        self._lock = threading.Lock()
        self._token: str | None = None
        self._valid_until = 0.0

    def __repr__(self) -> str:  # never shows the secret or the token
        return f"ServiceTokenSource(issuer={self.issuer!r}, client_id={self.client_id!r})"

    def token(self) -> str:
        with self._lock:
            if self._token is not None and self._clock() < self._valid_until:
                return self._token
            if self._keycloak is None:
                self._keycloak = KeycloakOpenID(server_url=self._server_url, realm_name=self._realm,
                                                client_id=self.client_id, client_secret_key=self._secret,
                                                timeout=self._http_timeout)
            started = self._clock()
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
