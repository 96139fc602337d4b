"""What runs around every request: the server span, the access log and the
security headers.

Spans and log lines carry the method, the route template
(``/api/v1/persons/{person_id}``), the status and the duration; never a query
string, an id from the path, a body, the client's address or its user agent.

The server span is made here rather than by opentelemetry-instrumentation-flask:
that instrumentation records the raw target or path and query (``http.target``,
``http.url``, ``url.path``, ``url.query``) and the client's address on every
span from its start, with no setting to leave them out and its request hook
running before it sets them again, so it cannot keep this rule.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, g, request
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from gateway.openapi import openapi_path
from services.common import telemetry

access_log = logging.getLogger("gateway.access")

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})


def route_template() -> str | None:
    """The matched route in OpenAPI form (/api/v1/persons/{person_id}); None when nothing matched."""
    rule = request.url_rule
    return openapi_path(rule.rule) if rule is not None else None


def method_label() -> str:
    """The request's method as spans and logs record it: a standard method, else _OTHER."""
    return request.method if request.method in HTTP_METHODS else "_OTHER"


def request_label() -> str:
    """'GET /api/v1/persons/{person_id}': what logs may say about the request being served."""
    return f"{method_label()} {route_template() or '(no route)'}"


def install(app: Flask) -> None:
    """Open a server span per request (continuing the caller's traceparent), log
    each answer, and set the security headers."""
    tracer = telemetry.tracer("gateway")

    @app.before_request
    def start_span() -> None:
        g.started = time.perf_counter()
        method = method_label()
        route = route_template()
        attributes: dict[str, Any] = {"http.request.method": method, "url.scheme": request.scheme}
        if route:
            attributes["http.route"] = route
        parent = telemetry.context_from_traceparent(request.headers.get("traceparent"))
        span = tracer.start_span(f"{method} {route}" if route else method, context=parent,
                                 kind=trace.SpanKind.SERVER, attributes=attributes)
        g.span = span
        g.otel_token = otel_context.attach(trace.set_span_in_context(span, parent))

    @app.after_request
    def finish(response: Response) -> Response:
        span = g.get("span")
        if span is not None:
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
        started = g.get("started")
        elapsed_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        access_log.info("%s %d %.1fms", request_label(), response.status_code, elapsed_ms)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.path.startswith("/api/") or request.path == "/healthz":  # data and live state
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_request
    def end_span(_exc: BaseException | None) -> None:
        span = g.pop("span", None)
        token = g.pop("otel_token", None)
        if span is not None:
            span.end()
        if token is not None:
            try:
                otel_context.detach(token)
            except Exception:  # a context detached in another order must not fail the request
                pass
