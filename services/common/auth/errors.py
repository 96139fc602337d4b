"""AuthError: why a caller is not authenticated, and how to fix it."""
from __future__ import annotations

from typing import Any

# Reasons whose cause is on our side or the identity provider's, not in the caller's token.
UNAVAILABLE_REASONS = frozenset({"ISSUER_UNAVAILABLE", "SERVICE_TOKEN_UNAVAILABLE"})


class AuthError(Exception):
    """Authentication failed. ``reason`` is machine-readable (UPPER_SNAKE), ``message`` says how to fix it.

    Reasons: TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, WRONG_AUDIENCE, WRONG_ISSUER,
    WRONG_TOKEN_TYPE (401 for all of these), ISSUER_UNAVAILABLE and SERVICE_TOKEN_UNAVAILABLE
    (503: the identity provider could not be reached; the caller's token may be fine).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def status(self) -> int:
        """Suggested HTTP status: 503 when the identity provider is unreachable, else 401."""
        return 503 if self.reason in UNAVAILABLE_REASONS else 401

    def to_dict(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message}

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"AuthError({self.reason!r}, {self.message!r})"


def shown(value: Any) -> str:
    """A value from an untrusted token or document, cut short for an error message or log line."""
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
