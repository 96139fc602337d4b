"""OpenTelemetry and logging set-up, and W3C trace context helpers.

Spans and log lines carry ids, methods and counts; never names, contact
details or any other field of a person.
"""
from __future__ import annotations

import logging
import sys

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured = False


class _TraceIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = f"{ctx.trace_id:032x}" if ctx.is_valid else "-"
        record.span_id = f"{ctx.span_id:016x}" if ctx.is_valid else "-"
        return True


def setup(service_name: str, *, org: str = "", otel_endpoint: str = "", log_level: str = "INFO") -> None:
    """Configure tracing and logging once per process."""
    global _configured
    if _configured:
        return
    _configured = True
    attributes = {"service.name": service_name, "service.namespace": "brobygger"}
    if org:
        attributes["brobygger.organization"] = org
    provider = TracerProvider(resource=Resource.create(attributes))
    if otel_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otel_endpoint)))
    trace.set_tracer_provider(provider)

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_TraceIdFilter())
    handler.setFormatter(
        logging.Formatter(
            f"%(asctime)s %(levelname)s {service_name}{'@' + org if org else ''} %(name)s "
            "trace=%(trace_id)s span=%(span_id)s %(message)s"
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(log_level)
    logging.getLogger("kafka").setLevel(logging.WARNING)


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def current_traceparent() -> str:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent", "")


def context_from_traceparent(traceparent: str | None) -> otel_context.Context:
    if not traceparent:
        return otel_context.Context()
    return propagate.extract({"traceparent": traceparent})


def current_trace_id() -> str:
    ctx = trace.get_current_span().get_span_context()
    return f"{ctx.trace_id:032x}" if ctx.is_valid else ""
