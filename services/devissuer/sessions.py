"""What the development issuer remembers between requests, in memory (gone when it stops).

* SSO sessions (Keycloak's user sessions): one per login, named in tokens by
  ``sid``; a browser holds a random cookie value that finds its session. A
  session ends at logout, after ``ssoSessionIdleTimeout`` without use, or
  ``ssoSessionMaxLifespan`` after it began. Each client that got tokens in it
  is attached with its nonce; refresh tokens work only while their session
  lives and their client is attached.
* Pending logins: an authorization request waiting for the login form, found
  by the browser's ``AUTH_SESSION_ID`` cookie; its form carries a one-time
  token that changes every time the form is shown.
* Authorization codes: single use, ``accessCodeLifespan`` seconds, bound to
  the client, the redirect URI, the PKCE challenge and the session.

Every time comes from the clock the store is given, so tests can move it.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from typing import Callable


def _random() -> str:
    return secrets.token_urlsafe(32)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass
class ClientSession:
    nonce: str | None
    scope: str


@dataclass
class SsoSession:
    id: str
    user_id: str
    started: float
    last_used: float
    auth_time: int
    cookie_digest: str | None = None
    clients: dict[str, ClientSession] = field(default_factory=dict)


@dataclass(frozen=True)
class AuthorizationRequest:
    """A validated authorization request, as the login form and the code carry it on."""

    client_id: str
    redirect_uri: str
    state: str
    nonce: str | None
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    locale: str
    max_age: int | None = None


@dataclass
class PendingLogin:
    id: str
    request: AuthorizationRequest
    expires: float
    form_token: str | None = None


@dataclass
class AuthorizationCode:
    request: AuthorizationRequest
    session_id: str
    user_id: str
    expires: float
    used: bool = False


class SessionStore:
    """Thread-safe store of SSO sessions, pending logins and authorization codes."""

    def __init__(self, clock: Callable[[], float], *, idle_timeout: int, max_lifespan: int, code_lifespan: int,
                 login_lifespan: int) -> None:
        self.clock = clock
        self.idle_timeout = idle_timeout
        self.max_lifespan = max_lifespan
        self.code_lifespan = code_lifespan
        self.login_lifespan = login_lifespan
        self._lock = threading.Lock()
        self._sessions: dict[str, SsoSession] = {}
        self._by_cookie: dict[str, str] = {}
        self._pending: dict[str, PendingLogin] = {}
        self._codes: dict[str, AuthorizationCode] = {}

    # ------------------------------------------------------------------ SSO sessions
    def _live(self, session: SsoSession | None, now: float) -> bool:
        return (session is not None and now - session.last_used <= self.idle_timeout
                and now - session.started <= self.max_lifespan)

    def _prune(self, now: float) -> None:
        for sid in [s for s, v in self._sessions.items() if not self._live(v, now)]:
            self._drop(sid)
        for pid in [p for p, v in self._pending.items() if v.expires < now]:
            del self._pending[pid]
        # A used or expired code is kept for one more lifespan so that its reuse is recognised.
        for code in [c for c, v in self._codes.items() if v.expires + self.code_lifespan < now]:
            del self._codes[code]

    def _drop(self, sid: str) -> SsoSession | None:
        session = self._sessions.pop(sid, None)
        if session is not None and session.cookie_digest:
            self._by_cookie.pop(session.cookie_digest, None)
        return session

    def create_session(self, user_id: str, *, with_cookie: bool) -> tuple[SsoSession, str | None]:
        """A new session; with_cookie gives it a browser cookie value (returned, stored only as a digest)."""
        now = self.clock()
        cookie = _random() if with_cookie else None
        session = SsoSession(id=str(uuid.uuid4()), user_id=user_id, started=now, last_used=now, auth_time=int(now),
                             cookie_digest=_digest(cookie) if cookie else None)
        with self._lock:
            self._prune(now)
            self._sessions[session.id] = session
            if session.cookie_digest:
                self._by_cookie[session.cookie_digest] = session.id
        return session, cookie

    def reauthenticated(self, sid: str) -> None:
        """The user of a live session logged in again (prompt=login, max_age): a new auth_time."""
        now = self.clock()
        with self._lock:
            session = self._sessions.get(sid)
            if session is not None:
                session.auth_time, session.last_used = int(now), now

    def session(self, sid: str | None, *, touch: bool = False) -> SsoSession | None:
        """The live session with this id, or None; touch counts as use (refresh)."""
        if not sid:
            return None
        now = self.clock()
        with self._lock:
            session = self._sessions.get(sid)
            if not self._live(session, now):
                if session is not None:
                    self._drop(sid)
                return None
            if touch:
                session.last_used = now
            return session

    def session_for_cookie(self, cookie: str | None) -> SsoSession | None:
        if not cookie:
            return None
        with self._lock:
            sid = self._by_cookie.get(_digest(cookie))
        return self.session(sid)

    def session_expires(self, session: SsoSession) -> int:
        """When the session ends if unused from now on (the refresh token's exp)."""
        return int(min(self.clock() + self.idle_timeout, session.started + self.max_lifespan))

    def attach(self, sid: str, client_id: str, client_session: ClientSession) -> None:
        with self._lock:
            session = self._sessions.get(sid)
            if session is not None:
                session.clients[client_id] = client_session

    def detach(self, sid: str, client_id: str) -> None:
        with self._lock:
            session = self._sessions.get(sid)
            if session is not None:
                session.clients.pop(client_id, None)

    def end_session(self, sid: str | None) -> bool:
        """End a session (logout); True if it was live."""
        if not sid:
            return False
        now = self.clock()
        with self._lock:
            session = self._drop(sid)
            return self._live(session, now)

    # ------------------------------------------------------------------ pending logins
    def begin_login(self, request: AuthorizationRequest) -> PendingLogin:
        now = self.clock()
        pending = PendingLogin(id=_random(), request=request, expires=now + self.login_lifespan)
        with self._lock:
            self._prune(now)
            self._pending[pending.id] = pending
        return pending

    def pending(self, pending_id: str | None) -> PendingLogin | None:
        if not pending_id:
            return None
        now = self.clock()
        with self._lock:
            pending = self._pending.get(pending_id)
            if pending is None or pending.expires < now:
                return None
            return pending

    def new_form_token(self, pending: PendingLogin) -> str:
        """A fresh one-time token for the form about to be shown; earlier forms stop working."""
        token = _random()
        with self._lock:
            pending.form_token = _digest(token)
        return token

    def take_form_token(self, pending: PendingLogin, token: str) -> bool:
        """Whether token is the one of the form last shown; it cannot be used again either way."""
        with self._lock:
            expected, pending.form_token = pending.form_token, None
        return expected is not None and secrets.compare_digest(expected, _digest(token or ""))

    def finish_login(self, pending_id: str) -> None:
        with self._lock:
            self._pending.pop(pending_id, None)

    # ------------------------------------------------------------------ authorization codes
    def issue_code(self, request: AuthorizationRequest, session: SsoSession) -> str:
        now = self.clock()
        code = _random()
        with self._lock:
            self._prune(now)
            self._codes[_digest(code)] = AuthorizationCode(request=request, session_id=session.id,
                                                           user_id=session.user_id,
                                                           expires=now + self.code_lifespan)
        return code

    def redeem_code(self, code: str) -> tuple[AuthorizationCode | None, str]:
        """Take a code: (the code, "ok" | "used" | "expired"), or (None, "unknown"). A code is spent by its
        first redemption, whether or not the rest of that token request succeeds."""
        now = self.clock()
        with self._lock:
            entry = self._codes.get(_digest(code or ""))
            if entry is None:
                return None, "unknown"
            if entry.used:
                return entry, "used"
            entry.used = True
            if entry.expires < now:
                return entry, "expired"
            return entry, "ok"
