"""gRPC server bootstrap shared by every service.

- standard grpc.health.v1 per service and server reflection, both open to
  callers without a token (probes and tooling);
- an allow-list: besides health and reflection, only unary methods of the
  registered services are served; any other method (a streaming one) is
  refused with UNIMPLEMENTED and never reaches the servicer;
- one interceptor that authenticates every unary call with a verified JWT,
  checks the caller may use the method at this node, and turns typed errors
  into google.rpc.Status with ErrorInfo and BadRequest (unknown errors become
  INTERNAL, internals kept in);
- SIGTERM/SIGINT -> NOT_SERVING -> background workers stop -> server.stop(grace).

Tracing: the server span comes from opentelemetry-instrumentation-grpc, which
runs outside our interceptor, continues the caller's traceparent (W3C trace
context from the call metadata) and records only rpc.system, rpc.service,
rpc.method, rpc.grpc.status_code, rpc.user_agent and the peer's network
address; it records neither request nor response messages. It does not see
statuses sent with abort_with_status, so our interceptor sets the span's
status and rpc.grpc.status_code itself (the status code name only, never the
message). Health and reflection calls are not traced.
"""
from __future__ import annotations

import contextvars
import dataclasses
import logging
import signal
import threading
import traceback
from concurrent import futures
from dataclasses import dataclass, field
from typing import Callable, Iterable

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status
from opentelemetry import trace
from opentelemetry.instrumentation.grpc import server_interceptor as otel_server_interceptor
from opentelemetry.trace import Status, StatusCode

from services.common import telemetry
from services.common.audit import ON_BEHALF_OF_HEADER, decode_on_behalf_of
from services.common.errors import ERROR_DOMAIN, DomainError, Unavailable

log = logging.getLogger(__name__)

_PRINCIPAL: contextvars.ContextVar = contextvars.ContextVar("principal")

# Served to anyone, without a token: the health service and server reflection (v1alpha is what
# grpcio-reflection registers; the v1 name is listed for when it serves that too).
UNAUTHENTICATED_METHODS = frozenset({
    "/grpc.health.v1.Health/Check",
    "/grpc.health.v1.Health/Watch",
    "/grpc.health.v1.Health/List",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
})


def current_principal():
    """The verified caller of the RPC being served."""
    return _PRINCIPAL.get()


@dataclass(frozen=True)
class Access:
    """Who may call a method at a node.

    roles: a caller of this node's own organisation needs one of these roles.
    hub: the federation hub's service account may call it.
    federation_nodes: another node's service account may call it.
    """

    roles: frozenset[str] = frozenset({"coordinator", "node-service"})
    hub: bool = False
    federation_nodes: bool = False


DEFAULT_ACCESS = Access()


def status_for(code: grpc.StatusCode, reason: str, message: str, *, violations=(), metadata=None,
               retry_delay_s: float | None = None) -> grpc.Status:
    details = []
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=metadata or {}))
    details.append(info)
    if violations:
        bad = any_pb2.Any()
        bad.Pack(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                    for v in violations
                ]
            )
        )
        details.append(bad)
    if retry_delay_s is not None:  # google.rpc.RetryInfo: when the caller may try again
        retry = any_pb2.Any()
        delay = error_details_pb2.RetryInfo()
        delay.retry_delay.FromNanoseconds(int(retry_delay_s * 1e9))
        retry.Pack(delay)
        details.append(retry)
    return rpc_status.to_status(status_pb2.Status(code=code.value[0], message=message, details=details))


class ServerInterceptor(grpc.ServerInterceptor):
    def __init__(self, *, org: str | None, verifier, policy: dict[str, Access], hub_mode: bool = False) -> None:
        self.org = org
        self.verifier = verifier
        self.policy = policy
        self.hub_mode = hub_mode

    def authorize(self, principal, method: str) -> None:
        from services.common.errors import PermissionDenied

        short = method.rsplit("/", 1)[-1]
        access = self.policy.get(short, DEFAULT_ACCESS)
        if self.hub_mode:
            # Analysts only, as at the hub's REST API: the hub's own service account asks the nodes, never the hub.
            if principal.has_role("analyst"):
                return
            raise PermissionDenied(
                "Only federation analysts may query the hub; ask your administrator for the analyst role.",
                reason="ROLE_REQUIRED",
            )
        if principal.is_hub:
            if access.hub:
                return
            raise PermissionDenied("The federation hub may read statistics and its analysts' privacy budgets only.",
                                   reason="HUB_NOT_ALLOWED")
        if principal.belongs_to(self.org):
            if any(principal.has_role(r) for r in access.roles):
                return
            if not access.roles:
                raise PermissionDenied(f"{short} is for the federation hub only.", reason="HUB_ONLY")
            raise PermissionDenied(
                f"Calling {short} needs one of the roles {', '.join(sorted(access.roles))}.",
                reason="ROLE_REQUIRED",
            )
        if access.federation_nodes and principal.is_service and principal.orgs:
            return
        raise PermissionDenied(
            f"This node serves organisation {self.org!r} only; your token is for "
            f"{', '.join(sorted(principal.orgs)) or 'no organisation'}.",
            reason="WRONG_ORGANIZATION",
        )

    def acting_for(self, principal, value: str | None):
        """The principal, acting for the user the x-brobygger-on-behalf-of metadata names. Only a service
        account of this node's own organisation may name one; anyone else sending it is refused."""
        from services.common.errors import PermissionDenied

        if value is None:
            return principal
        if not (principal.is_service and self.org and principal.belongs_to(self.org)):
            raise PermissionDenied(
                f"Only this node's own services may send {ON_BEHALF_OF_HEADER}; a user's token already names "
                "its user. Leave the metadata out.",
                reason="ON_BEHALF_OF_NOT_ALLOWED",
            )
        return dataclasses.replace(principal, on_behalf_of=decode_on_behalf_of(value))

    def intercept_service(self, continuation, handler_call_details):
        method = handler_call_details.method
        handler = continuation(handler_call_details)
        if handler is None or method in UNAUTHENTICATED_METHODS:
            return handler  # no handler: gRPC answers UNIMPLEMENTED itself
        if handler.request_streaming or handler.response_streaming:
            return _refusal(handler, method)
        inner = handler.unary_unary
        short = method.rsplit("/", 1)[-1]

        def behavior(request, context):
            from services.common.auth import AuthError, bearer_from_header

            try:
                md = dict(context.invocation_metadata())
                principal = self.verifier.verify(bearer_from_header(md.get("authorization")))
                self.authorize(principal, method)
                principal = self.acting_for(principal, md.get(ON_BEHALF_OF_HEADER))
                token = _PRINCIPAL.set(principal)
                try:
                    return inner(request, context)
                except AuthError as exc:  # the handler's own outgoing call, not the caller's token
                    raise Unavailable(str(exc), reason=exc.reason) from None
                finally:
                    _PRINCIPAL.reset(token)
            except AuthError as exc:
                code = grpc.StatusCode.UNAVAILABLE if exc.status == 503 else grpc.StatusCode.UNAUTHENTICATED
                status = status_for(code, exc.reason, str(exc))
            except DomainError as exc:
                status = status_for(grpc.StatusCode[exc.code], exc.reason, exc.message, violations=exc.violations,
                                    metadata=exc.metadata, retry_delay_s=getattr(exc, "retry_delay_s", None))
            except Exception as exc:  # never leak internals (messages may hold data)
                frames = "".join(traceback.format_tb(exc.__traceback__))
                log.error("unhandled %s in %s\n%s", type(exc).__name__, short, frames)
                ref = telemetry.current_trace_id()
                status = status_for(grpc.StatusCode.INTERNAL, "INTERNAL",
                                    f"Internal error; the operator can find it by trace id {ref}.")
            _abort(context, status)

        return grpc.unary_unary_rpc_method_handler(
            behavior,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _abort(context, status: grpc.Status) -> None:
    """End the call with status, marking the current (server) span as failed with the code's name."""
    span = trace.get_current_span()
    span.set_status(Status(StatusCode.ERROR, status.code.name))
    span.set_attribute("rpc.grpc.status_code", status.code.value[0])
    context.abort_with_status(status)


_HANDLER_FACTORIES = {
    (False, True): grpc.unary_stream_rpc_method_handler,
    (True, False): grpc.stream_unary_rpc_method_handler,
    (True, True): grpc.stream_stream_rpc_method_handler,
}


def _refusal(handler, method: str):
    """A handler for a method off the allow-list: it ends the call at once, without reading the
    request or calling the servicer, whoever the caller is."""
    service, _, short = method.strip("/").partition("/")
    status = status_for(
        grpc.StatusCode.UNIMPLEMENTED, "METHOD_NOT_SERVED",
        f"{short} is a streaming method, and this node serves only the unary methods of {service} "
        "(and the health and reflection services); call one of its unary methods instead.",
        metadata={"method": method},
    )

    def behavior(_request_or_iterator, context):
        _abort(context, status)

    # No deserializer: the request of a refused method is never parsed.
    return _HANDLER_FACTORIES[(handler.request_streaming, handler.response_streaming)](behavior)


def _traced(handler_call_details) -> bool:
    return handler_call_details.method not in UNAUTHENTICATED_METHODS


@dataclass
class Registration:
    add_to_server: Callable
    servicer: object
    full_name: str  # e.g. brobygger.membership.v1.MembershipService


@dataclass
class Worker:
    name: str
    target: Callable[[threading.Event], None]


@dataclass
class ServiceHost:
    """A running gRPC server plus its background workers (relay, consumer)."""

    address: str
    registrations: list[Registration]
    interceptor: ServerInterceptor | None
    workers: list[Worker] = field(default_factory=list)
    max_workers: int = 16
    grace: float = 5.0

    def __post_init__(self) -> None:
        self.stop_event = threading.Event()
        self._signalled = threading.Event()
        self._handling_signals = False
        self._threads: list[threading.Thread] = []
        self.server: grpc.Server | None = None
        self.health = health.HealthServicer(experimental_non_blocking=True)
        self.port = 0

    def start(self) -> int:
        # The tracing interceptor comes first, so that the server span is current in ours.
        interceptors = [otel_server_interceptor(filter_=_traced)]
        if self.interceptor:
            interceptors.append(self.interceptor)
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="grpc"),
            interceptors=interceptors,
            options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 4 * 1024 * 1024)],
        )
        names = [reflection.SERVICE_NAME, health.SERVICE_NAME]
        for reg in self.registrations:
            reg.add_to_server(reg.servicer, self.server)
            names.append(reg.full_name)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(names, self.server)
        self.port = self.server.add_insecure_port(self.address)
        if self.port == 0:
            raise SystemExit(f"cannot listen on {self.address}: the port is taken or the address is not local")
        self.server.start()
        for w in self.workers:
            t = threading.Thread(target=w.target, args=(self.stop_event,), name=w.name, daemon=True)
            t.start()
            self._threads.append(t)
        self._set_health(health_pb2.HealthCheckResponse.SERVING)
        return self.port

    def _set_health(self, state) -> None:
        self.health.set("", state)
        for reg in self.registrations:
            self.health.set(reg.full_name, state)

    def stop(self, grace: float | None = None) -> None:
        self._set_health(health_pb2.HealthCheckResponse.NOT_SERVING)
        self.stop_event.set()
        if self.server is not None:
            self.server.stop(self.grace if grace is None else grace).wait()
        for t in self._threads:
            t.join(timeout=10)

    def handle_signals(self) -> None:
        """Take SIGTERM and SIGINT from now on (call it before start(), so that a signal that comes
        as soon as the port opens drains the server instead of killing it)."""
        def _on_signal(signum, _frame):
            log.info("received %s; draining", signal.Signals(signum).name)
            self._signalled.set()

        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
        self._handling_signals = True

    def run_until_signalled(self) -> None:
        if not self._handling_signals:
            self.handle_signals()
        self._signalled.wait()
        self.stop()
        log.info("stopped")


def run_workers_until_signalled(workers: Iterable[Worker]) -> None:
    """For the relay-only and consume-only entry points."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [threading.Thread(target=w.target, args=(stop,), name=w.name, daemon=True) for w in workers]
    for t in threads:
        t.start()
    stop.wait()
    for t in threads:
        t.join(timeout=10)


__all__ = [
    "Access", "Registration", "ServerInterceptor", "ServiceHost", "Worker", "current_principal",
    "run_workers_until_signalled", "status_for", "code_pb2",
]
