"""gRPC client channels: a bearer token, the caller's traceparent and a
deadline on every call; rich error details decoded for callers.

The client span comes from opentelemetry-instrumentation-grpc, the outermost
interceptor: it injects the W3C trace context into the call metadata and
records rpc.system, rpc.service, rpc.method and rpc.grpc.status_code. No
request or response hook is given, so no message is recorded. On a failed
call it records the error (its status and the server's message); those
messages never carry personal data (services.common.errors).
"""
from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Callable

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from opentelemetry.instrumentation.grpc import client_interceptor as otel_client_interceptor
from opentelemetry.instrumentation.grpc.grpcext import intercept_channel as otel_intercept_channel

DEFAULT_TIMEOUT = 5.0


class _Details(
    collections.namedtuple("_Details", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
    grpc.ClientCallDetails,
):
    pass


class _Interceptor(grpc.UnaryUnaryClientInterceptor):
    """The bearer token and a default deadline; runs inside the client span."""

    def __init__(self, token_provider: Callable[[], str] | None, timeout: float) -> None:
        self.token_provider = token_provider
        self.timeout = timeout

    def intercept_unary_unary(self, continuation, details, request):
        metadata = [(k, v) for k, v in (details.metadata or []) if k != "authorization"]
        if self.token_provider is not None:
            metadata.append(("authorization", f"Bearer {self.token_provider()}"))
        new = _Details(
            details.method,
            details.timeout if details.timeout is not None else self.timeout,
            metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )
        return continuation(new, request)


def channel(address: str, token_provider: Callable[[], str] | None = None, timeout: float = DEFAULT_TIMEOUT) -> grpc.Channel:
    """An insecure channel for the node's internal network, or TLS when the
    address starts with 'tls://'."""
    # Reconnect within seconds after a peer comes back (gRPC's default backoff grows to two minutes).
    options = [("grpc.initial_reconnect_backoff_ms", 500), ("grpc.max_reconnect_backoff_ms", 5000)]
    if address.startswith("tls://"):
        raw = grpc.secure_channel(address[len("tls://"):], grpc.ssl_channel_credentials(), options=options)
    else:
        raw = grpc.insecure_channel(address, options=options)
    authenticated = grpc.intercept_channel(raw, _Interceptor(token_provider, timeout))
    return otel_intercept_channel(authenticated, otel_client_interceptor())


@dataclass
class RpcProblem:
    code: grpc.StatusCode
    message: str
    reason: str = ""
    domain: str = ""
    violations: list[tuple[str, str]] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    retry_delay_s: float | None = None  # google.rpc.RetryInfo: when to try again, when the server said


def decode_error(error: grpc.RpcError) -> RpcProblem:
    problem = RpcProblem(code=error.code(), message=error.details() or "")
    status = rpc_status.from_call(error)
    if status is None:
        return problem
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            problem.reason, problem.domain, problem.metadata = info.reason, info.domain, dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            problem.violations = [(v.field, v.description) for v in bad.field_violations]
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            detail.Unpack(retry)
            problem.retry_delay_s = retry.retry_delay.ToNanoseconds() / 1e9
    return problem
