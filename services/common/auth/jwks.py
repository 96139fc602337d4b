"""The signing keys of one issuer, fetched and cached by PyJWT's ``PyJWKClient``.

``PyJWKClient`` fetches the JWKS (http and https only, no redirects, with a timeout), parses it, skipping
keys it cannot use (such as Keycloak's RSA-OAEP encryption key), keeps the keys with ``use`` "sig" and a
kid, and caches the set for ``lifespan`` seconds. :class:`IssuerKeys` is a thin wrapper for what it lacks:

* Unknown-kid refetches limited on their own. PyJWKClient's cooldown starts at every successful fetch,
  so a key rotated soon after the last fetch would be refused for the whole cooldown. Here the first
  unknown kid always refetches, and further ones wait ``unknown_kid_interval`` after it, so tokens with
  made-up kids cannot hammer the identity provider.
* Stale keys kept when a refresh fails. PyJWKClient's cache stops handing out an expired set, so an
  outage of the identity provider would refuse every token. Here the last set stays in use, and the
  next attempt waits ``failure_retry_interval`` so an outage does not cost every request a timeout.
* One refresh at a time: while one thread refreshes an expired set, the others go on with the cached
  keys instead of each fetching.
* The lifespan measured on an injectable clock (PyJWKClient's cache reads ``time.monotonic``), so tests
  move time instead of sleeping.
* Only keys of the accepted algorithms, and AuthError(ISSUER_UNAVAILABLE) when no keys can be had.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Iterable

from jwt import PyJWK, PyJWKClient, PyJWKSet, PyJWTError
from jwt.jwk_set_cache import JWKSetCache

from services.common.auth.errors import AuthError

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class _ClockedCache(JWKSetCache):
    """PyJWKClient's JWKS cache, timed by ``clock``; ``last()`` still hands out a set that has expired."""

    def __init__(self, lifespan: float, clock: Clock) -> None:
        super().__init__(lifespan)
        self._clock = clock
        self._stored_at = float("-inf")

    def put(self, jwk_set: PyJWKSet | dict[str, Any] | None) -> None:
        super().put(jwk_set)
        self._stored_at = self._clock()

    def is_expired(self) -> bool:
        return self.jwk_set_with_timestamp is not None and self._clock() - self._stored_at >= self.lifespan

    def last(self) -> PyJWKSet | None:
        entry = self.jwk_set_with_timestamp
        return None if entry is None else entry.get_jwk_set()


class IssuerKeys:
    """The signing keys of one issuer. Thread-safe; no I/O before the first :meth:`key` call.

    ``locate`` returns the JWKS URL (from discovery); it is called on the first fetch only.
    """

    def __init__(self, issuer: str, locate: Callable[[], str], *, algorithms: Iterable[str], lifespan: float,
                 timeout: float, clock: Clock, unknown_kid_interval: float, failure_retry_interval: float) -> None:
        self.issuer = issuer
        self.unknown_kid_interval = unknown_kid_interval
        self.failure_retry_interval = failure_retry_interval
        self._locate = locate
        self._algorithms = tuple(algorithms)
        self._timeout = timeout
        self._clock = clock
        self._cache = _ClockedCache(lifespan, clock)
        self._client: PyJWKClient | None = None
        self._fetch_lock = threading.Lock()  # one fetch at a time; guards the fields below
        self._retry_after = float("-inf")
        self._last_unknown_kid_fetch = float("-inf")

    def key(self, kid: str) -> PyJWK | None:
        """The signing key with this kid, or None when the issuer does not publish it.

        Raises AuthError(ISSUER_UNAVAILABLE) when no keys could be fetched at all.
        """
        cached = self._cached(kid)
        if cached is not None and not self._refresh_due():
            return cached
        # A refresh is due or the kid is unknown. Holding a usable key, do not wait for another thread's fetch.
        if self._fetch_lock.acquire(blocking=cached is None):
            try:
                self._refresh_for(kid)
            finally:
                self._fetch_lock.release()
        return self._cached(kid)

    def _cached(self, kid: str) -> PyJWK | None:
        jwk_set = self._cache.last()
        return next((k for k in jwk_set.keys if k.key_id == kid and k.public_key_use in ("sig", None)
                     and k.algorithm_name in self._algorithms), None) if jwk_set is not None else None

    def _refresh_due(self) -> bool:
        return self._cache.is_expired() and self._clock() >= self._retry_after

    def _refresh_for(self, kid: str) -> None:
        """Fetch the keys if this kid warrants it; the caller holds _fetch_lock."""
        have_keys = self._cache.last() is not None
        now = self._clock()
        if have_keys and not self._refresh_due():
            if self._cached(kid) is not None:  # another thread's fetch brought it
                return
            if now - self._last_unknown_kid_fetch < self.unknown_kid_interval:
                return
            self._last_unknown_kid_fetch = now
        elif not have_keys and now < self._retry_after:
            raise AuthError("ISSUER_UNAVAILABLE", f"The identity provider {self.issuer} was unreachable moments "
                                                  "ago; retry shortly.")
        self._fetch(keep_stale=have_keys)

    def _fetch(self, *, keep_stale: bool) -> None:
        try:
            if self._client is None:
                client = PyJWKClient(self._locate(), lifespan=self._cache.lifespan, timeout=self._timeout)
                client.jwk_set_cache = self._cache
                self._client = client
            jwk_set = self._client.get_jwk_set(refresh=True)
        except (PyJWTError, OSError, ValueError) as exc:
            self._retry_after = self._clock() + self.failure_retry_interval
            log.warning("could not fetch the signing keys of %s: %s", self.issuer, type(exc).__name__)
            if keep_stale:
                return
            raise AuthError("ISSUER_UNAVAILABLE",
                            f"Cannot reach the identity provider {self.issuer} to get its signing keys; "
                            "check that it is running and reachable from this service.") from None
        log.info("fetched %d key(s) of %s", len(jwk_set.keys), self.issuer)
