"""application/problem+json (RFC 9457) answers, how gRPC errors become them, and
:func:`json_response`, which writes every JSON answer of the gateway.

Every error the gateway returns has this shape::

    {"type": "https://brobygger.no/problems/person-not-found", "title": "Person not found",
     "status": 404, "detail": "<the service's message>", "reason": "PERSON_NOT_FOUND",
     "errors": [{"field": "person.birth_year", "detail": "..."}], "trace_id": "<32 hex>"}

``reason`` is the service's ``google.rpc.ErrorInfo.reason`` (UPPER_SNAKE) and
``type`` is derived from it, so a client can branch on either. ``errors`` lists
the ``google.rpc.BadRequest`` field violations, with the same field paths the
gateway itself uses for a malformed body.

gRPC status codes map to HTTP statuses as follows:

=====================  =====  =====================================================
INVALID_ARGUMENT       400    the request is wrong; ``errors`` names the fields
OUT_OF_RANGE           400
UNAUTHENTICATED        401    with ``WWW-Authenticate: Bearer error="invalid_token"``
PERMISSION_DENIED      403
NOT_FOUND              404
ALREADY_EXISTS         409
ABORTED                409
FAILED_PRECONDITION    409    the resource is in a state that does not allow the
                              operation (e.g. completing a rejected referral); the
                              request may succeed once that state changes, so this
                              is a conflict with the resource, not a malformed
                              request (422 would suggest fixing the body)
RESOURCE_EXHAUSTED     429    with ``Retry-After`` (e.g. an analyst's queries at the hub
                              beyond their rate limit, reason RATE_LIMITED)
UNAVAILABLE            503    with ``Retry-After``
DEADLINE_EXCEEDED      504
anything else          500    a fixed message and the trace id; never internals
=====================  =====  =====================================================

A service's own message is shown for 4xx answers (the services write those for
the caller and keep personal data out of them). For 5xx answers it is shown only
when the service raised the error deliberately (its ErrorInfo carries the
brobygger.no domain); transport errors from grpcio, which name hosts and ports,
are replaced by a fixed message.

``Retry-After`` (429 and 503) is the service's ``google.rpc.RetryInfo`` delay,
rounded up to whole seconds, when it sent one (the body then says it too, as
``retry_after_seconds``); otherwise a short default.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Iterable, Mapping

import grpc
from flask import Response

from services.common import telemetry
from services.common.errors import ERROR_DOMAIN
from services.common.grpcclient import decode_error

PROBLEM_BASE = "https://brobygger.no/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = "2"

GRPC_TO_HTTP: Mapping[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}

# Titles for the statuses the gateway answers with; the reason refines them.
STATUS_TITLES: Mapping[int, str] = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
    504: "Gateway timeout",
}

_REASON_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None, *, mimetype: str = "application/json"
) -> Response:
    """A JSON answer as the gateway writes every one, a problem or not: UTF-8, non-ASCII kept as it is."""
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype=mimetype, headers=headers)


def www_authenticate(description: str = "") -> str:
    """The RFC 6750 challenge sent with every 401."""
    value = 'Bearer realm="brobygger", error="invalid_token"'
    if description:
        safe = description.replace("\\", "").replace('"', "'")[:200]
        value += f', error_description="{safe}"'
    return value


def type_uri(reason: str) -> str:
    """PERSON_NOT_FOUND -> https://brobygger.no/problems/person-not-found"""
    return PROBLEM_BASE + reason.lower().replace("_", "-")


def title_for(reason: str, status: int) -> str:
    """A short, stable summary of the problem type: PERSON_NOT_FOUND -> 'Person not found'."""
    if reason and _REASON_RE.match(reason):
        return reason.replace("_", " ").capitalize()
    return STATUS_TITLES.get(status, "Error")


class Problem(Exception):
    """An error answer. Raise it anywhere inside a request; the app renders it."""

    def __init__(
        self,
        status: int,
        reason: str,
        detail: str,
        *,
        errors: Iterable[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
        title: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.extensions = dict(extensions or {})  # further members of the body (RFC 9457 extensions)
        self.status = status
        self.reason = reason if _REASON_RE.match(reason or "") else "ERROR"
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.title = title or title_for(self.reason, status)

    def body(self) -> dict:
        data: dict = {
            "type": type_uri(self.reason),
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "reason": self.reason,
        }
        if self.errors:
            data["errors"] = [{"field": f, "detail": d} for f, d in self.errors]
        data.update({k: v for k, v in self.extensions.items() if k not in data})
        trace_id = telemetry.current_trace_id()
        if trace_id:
            data["trace_id"] = trace_id
        return data

    def response(self) -> Response:
        return json_response(self.body(), self.status, self.headers, mimetype=PROBLEM_MEDIA_TYPE)


def invalid_fields(errors: list[tuple[str, str]], what: str = "request") -> Problem:
    fields = ", ".join(dict.fromkeys(f for f, _ in errors))
    return Problem(
        400, "INVALID_FIELDS",
        f"The {what} has invalid fields: {fields}. See errors for how to fix each.",
        errors=errors,
    )


def internal(detail: str | None = None) -> Problem:
    ref = telemetry.current_trace_id()
    return Problem(
        500, "INTERNAL",
        detail or f"Something went wrong on our side; the operator can find it by trace id {ref or 'unknown'}.",
    )


# The longest wait a Retry-After may ask for; a larger or malformed RetryInfo falls back to the default.
MAX_RETRY_AFTER_SECONDS = 3600


def retry_after_seconds(delay_s: float | None) -> int | None:
    """A RetryInfo delay as Retry-After's whole seconds (rounded up, at least 1); None when there is none."""
    if delay_s is None or not math.isfinite(delay_s) or delay_s < 0 or delay_s > MAX_RETRY_AFTER_SECONDS:
        return None
    return max(1, math.ceil(delay_s))


def from_rpc_error(
    error: grpc.RpcError, service: str, *, field_aliases: Mapping[str, str] | None = None
) -> Problem:
    """Turn a failed gRPC call to ``service`` (e.g. 'membership') into a Problem."""
    try:
        rpc = decode_error(error)
    except Exception:  # a malformed status detail must not turn into a crash
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        return internal() if GRPC_TO_HTTP.get(code, 500) == 500 else Problem(
            GRPC_TO_HTTP[code], code.name, f"The {service} service refused the request.")
    status = GRPC_TO_HTTP.get(rpc.code, 500)
    ours = rpc.domain == ERROR_DOMAIN
    aliases = field_aliases or {}
    errors = [(aliases.get(f, f), d) for f, d in rpc.violations]
    headers: dict[str, str] = {}
    extensions: dict[str, Any] = {}
    if status == 401:
        headers["WWW-Authenticate"] = www_authenticate(rpc.message if ours else "")
    if status in (429, 503):
        headers["Retry-After"] = RETRY_AFTER_SECONDS
        wait = retry_after_seconds(rpc.retry_delay_s)
        if wait is not None:
            headers["Retry-After"] = str(wait)
            extensions["retry_after_seconds"] = wait
    if status == 500:
        return internal()
    if status < 500:
        reason = rpc.reason or rpc.code.name
        detail = rpc.message or f"The {service} service refused the request ({rpc.code.name})."
        return Problem(status, reason, detail, errors=errors, headers=headers, extensions=extensions)
    if ours and rpc.message:
        return Problem(status, rpc.reason or rpc.code.name, rpc.message, errors=errors, headers=headers,
                       extensions=extensions)
    if status == 503:
        return Problem(
            503, "SERVICE_UNAVAILABLE",
            f"The {service} service cannot be reached right now; try again shortly.", headers=headers,
        )
    return Problem(
        504, "DEADLINE_EXCEEDED",
        f"The {service} service did not answer in time; try again shortly.", headers=headers,
    )
