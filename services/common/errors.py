"""Typed errors raised by the domain and the service layer.

One interceptor (services.common.grpcserver) turns them into google.rpc.Status
with ErrorInfo and BadRequest details (AIP-193); the gateway turns those into
application/problem+json. Messages say what was wrong and how to fix it, and
never carry personal data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ERROR_DOMAIN = "brobygger.no"


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


class DomainError(Exception):
    """``code`` names the gRPC status (google.rpc.Code) the interceptor answers with."""

    code = "UNKNOWN"
    default_reason = "UNKNOWN"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        violations: list[FieldViolation] | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.violations = list(violations or [])
        self.metadata = dict(metadata or {})


class InvalidArgument(DomainError):
    code = "INVALID_ARGUMENT"
    default_reason = "INVALID_ARGUMENT"


class NotFound(DomainError):
    code = "NOT_FOUND"
    default_reason = "NOT_FOUND"


class AlreadyExists(DomainError):
    code = "ALREADY_EXISTS"
    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    code = "FAILED_PRECONDITION"
    default_reason = "FAILED_PRECONDITION"


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"
    default_reason = "PERMISSION_DENIED"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
    default_reason = "UNAUTHENTICATED"


class Unavailable(DomainError):
    code = "UNAVAILABLE"
    default_reason = "UNAVAILABLE"


class ResourceExhausted(DomainError):
    """Too many requests; ``retry_delay_s`` says when to try again (sent as google.rpc.RetryInfo)."""

    code = "RESOURCE_EXHAUSTED"
    default_reason = "RESOURCE_EXHAUSTED"

    def __init__(self, message: str, *, retry_delay_s: float, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_delay_s = retry_delay_s


@dataclass
class Violations:
    """Collects every field problem of a request, then raises them together."""

    items: list[FieldViolation] = field(default_factory=list)

    def add(self, field_path: str, description: str) -> None:
        self.items.append(FieldViolation(field_path, description))

    def check(self, condition: bool, field_path: str, description: str) -> bool:
        if not condition:
            self.add(field_path, description)
        return condition

    def raise_if_any(self, what: str = "request") -> None:
        if self.items:
            fields = ", ".join(v.field for v in self.items)
            raise InvalidArgument(
                f"The {what} has invalid fields: {fields}. See the field violations for how to fix each.",
                reason="INVALID_FIELDS",
                violations=self.items,
            )
