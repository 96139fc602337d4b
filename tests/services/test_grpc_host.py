"""The gRPC host's allow-list on a real server: health and reflection are open,
unary methods need a valid token, and any other method (a streaming one) is
refused for every caller without reaching the servicer."""
from __future__ import annotations

import threading

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.common.auth import TokenVerifier
from services.common.grpcclient import decode_error
from services.common.grpcserver import Registration, ServerInterceptor, ServiceHost
from tests.conftest import bearer

SERVICE = "brobygger.test.v1.ProbeService"


class ProbeServicer:
    """A service with one unary method and one method of every streaming kind; it notes each call it gets."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def _note(self, name: str) -> None:
        with self._lock:
            self.calls.append(name)

    def Echo(self, request: bytes, context) -> bytes:
        self._note("Echo")
        return request

    def Follow(self, request: bytes, context):
        self._note("Follow")
        yield request
        yield request

    def Upload(self, requests, context) -> bytes:
        self._note("Upload")
        return b"".join(requests)

    def Chat(self, requests, context):
        self._note("Chat")
        yield from requests

    def add_to_server(self, servicer: "ProbeServicer", server: grpc.Server) -> None:
        handlers = {
            "Echo": grpc.unary_unary_rpc_method_handler(servicer.Echo),
            "Follow": grpc.unary_stream_rpc_method_handler(servicer.Follow),
            "Upload": grpc.stream_unary_rpc_method_handler(servicer.Upload),
            "Chat": grpc.stream_stream_rpc_method_handler(servicer.Chat),
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))


@pytest.fixture(scope="module")
def probe(issuer):
    servicer = ProbeServicer()
    interceptor = ServerInterceptor(org="mir", verifier=TokenVerifier(issuer.url), policy={})
    host = ServiceHost("127.0.0.1:0", [Registration(servicer.add_to_server, servicer, SERVICE)], interceptor)
    port = host.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            yield servicer, ch
    finally:
        host.stop(0.5)


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


def _call(ch: grpc.Channel, method: str, metadata):
    path = f"/{SERVICE}/{method}"
    if method == "Echo":
        return ch.unary_unary(path)(b"hello", metadata=metadata, timeout=10)
    if method == "Follow":
        return list(ch.unary_stream(path)(b"hello", metadata=metadata, timeout=10))
    if method == "Upload":
        return ch.stream_unary(path)(iter([b"he", b"llo"]), metadata=metadata, timeout=10)
    return list(ch.stream_stream(path)(iter([b"he", b"llo"]), metadata=metadata, timeout=10))


@pytest.mark.parametrize("method", ["Follow", "Upload", "Chat"])
@pytest.mark.parametrize("with_token", [False, True], ids=["no-token", "valid-token"])
def test_a_streaming_method_is_refused_and_never_reaches_the_servicer(probe, issuer, method, with_token):
    servicer, ch = probe
    metadata = bearer(issuer.token("coordinator-mir")) if with_token else None
    with pytest.raises(grpc.RpcError) as err:
        _call(ch, method, metadata)
    problem = decode_error(err.value)
    assert problem.code == grpc.StatusCode.UNIMPLEMENTED
    assert problem.reason == "METHOD_NOT_SERVED" and problem.domain == "brobygger.no"
    assert problem.metadata == {"method": f"/{SERVICE}/{method}"}
    assert f"{method} is a streaming method" in problem.message and "call one of its unary methods" in problem.message
    assert method not in servicer.calls


def test_a_refused_call_is_an_error_in_its_server_span(probe, spans):
    _servicer, ch = probe
    with pytest.raises(grpc.RpcError):
        _call(ch, "Chat", None)
    (span,) = [s for s in spans.get_finished_spans() if s.kind == trace.SpanKind.SERVER]
    assert span.name == f"/{SERVICE}/Chat"
    assert span.status.status_code == trace.StatusCode.ERROR and span.status.description == "UNIMPLEMENTED"
    assert span.attributes["rpc.grpc.status_code"] == grpc.StatusCode.UNIMPLEMENTED.value[0]


def test_a_unary_method_needs_a_valid_token(probe, issuer):
    servicer, ch = probe
    with pytest.raises(grpc.RpcError) as err:
        _call(ch, "Echo", None)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert decode_error(err.value).reason
    assert "Echo" not in servicer.calls
    with pytest.raises(grpc.RpcError) as err:
        _call(ch, "Echo", bearer("not-a-token"))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "Echo" not in servicer.calls
    assert _call(ch, "Echo", bearer(issuer.token("coordinator-mir"))) == b"hello"
    assert servicer.calls.count("Echo") == 1


def test_an_unknown_method_is_unimplemented(probe):
    _servicer, ch = probe
    with pytest.raises(grpc.RpcError) as err:
        ch.unary_unary(f"/{SERVICE}/Missing")(b"", timeout=10)
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_health_check_and_watch_need_no_token(probe):
    _servicer, ch = probe
    stub = health_pb2_grpc.HealthStub(ch)
    serving = health_pb2.HealthCheckResponse.SERVING
    for name in ("", SERVICE):
        assert stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=10).status == serving
    watch = stub.Watch(health_pb2.HealthCheckRequest(service=SERVICE), timeout=10)
    assert next(watch).status == serving
    watch.cancel()


def test_reflection_needs_no_token(probe):
    _servicer, ch = probe
    stub = reflection_pb2_grpc.ServerReflectionStub(ch)
    answers = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                        timeout=10)
    (answer,) = list(answers)
    names = {s.name for s in answer.list_services_response.service}
    assert {SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names
