"""The gateway's composition root: :func:`create_app` builds the Flask app.

Nothing here does I/O at import. ``create_app`` builds the gRPC channels once
(lazily connecting, with a deadline on every call and the caller's bearer token
and traceparent forwarded) and the token verifier (which fetches the issuer's
keys on first use); tests may pass their own of either.

Node mode serves one organisation's REST API (gateway.rest); hub mode serves
the federation's statistics API (gateway.hub). Both serve ``/healthz``,
``/openapi.json`` and a small home page without authentication.
"""
from __future__ import annotations

import html
import logging
import time
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable, Mapping

import grpc
from flask import Flask, Response, g, has_request_context, request
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from gateway import hub, openapi, rest
from gateway.api import Api, IdConverter, json_response
from gateway.problems import Problem, internal
from services.common import grpcclient, telemetry
from services.common.settings import Settings

log = logging.getLogger("gateway")
access_log = logging.getLogger("gateway.access")

CALL_TIMEOUT = grpcclient.DEFAULT_TIMEOUT
HEALTH_TIMEOUT = 1.0
MAX_BODY_BYTES = 1024 * 1024
EXTENSION = "brobygger_gateway"
HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}


@dataclass
class Upstream:
    name: str
    address: str
    service: str  # full gRPC service name checked by /healthz
    channel: grpc.Channel
    health: Any = None


@dataclass
class Gateway:
    """What create_app built; kept in ``app.extensions['brobygger_gateway']``."""

    settings: Settings
    verifier: Any
    api: Api
    upstreams: list[Upstream]
    openapi: dict
    owned_channels: list[grpc.Channel] = field(default_factory=list)

    def close(self) -> None:
        """Close the channels create_app opened (not those passed in)."""
        for ch in self.owned_channels:
            ch.close()
        self.owned_channels.clear()


def current_token() -> str:
    """The bearer token of the request being served: forwarded to the services."""
    if has_request_context():
        return g.get("bearer_token", "")
    return ""


def _version() -> str:
    try:
        return metadata.version("brobygger")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def member_of(org: str) -> Callable[[Any], None]:
    def authorize(principal) -> None:
        if not principal.belongs_to(org):
            theirs = ", ".join(sorted(principal.orgs)) or "no organisation"
            raise Problem(
                403, "WRONG_ORGANIZATION",
                f"This node serves organisation {org!r} only; your token is for {theirs}. "
                "Use your own organisation's node.")

    return authorize


def analyst(principal) -> None:
    if not principal.has_role(hub.ANALYST_ROLE):
        raise Problem(
            403, "ROLE_REQUIRED",
            "Only federation analysts may query the hub; ask your administrator for the analyst role.")


def create_app(
    settings: Settings,
    *,
    verifier: Any = None,
    channels: Mapping[str, grpc.Channel] | None = None,
) -> Flask:
    """Build the gateway for ``settings.gateway_mode`` ('node' or 'hub').

    verifier: has ``verify(token) -> Principal`` and raises AuthError; default a
        TokenVerifier for settings.oidc_issuer and settings.oidc_audience.
    channels: gRPC channels by upstream name ('membership', 'events', 'referral',
        'reporting' in node mode; 'hub' in hub mode); those not given are opened
        to the addresses in settings, forwarding the current request's token.
    """
    mode = settings.gateway_mode
    if mode not in ("node", "hub"):
        raise ValueError(f"gateway_mode must be node or hub, not {mode!r}")
    if mode == "node" and not settings.org:
        raise ValueError("a node gateway needs the organisation it serves (BROBYGGER_ORG)")
    if verifier is None:
        from services.common.auth import TokenVerifier

        verifier = TokenVerifier(settings.oidc_issuer, settings.oidc_audience)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.url_map.converters["id"] = IdConverter

    addresses = {
        "membership": settings.membership_address,
        "events": settings.events_address,
        "referral": settings.referral_address,
        "reporting": settings.reporting_address,
        "hub": settings.hub_address,
    }
    wanted = rest.SERVICES if mode == "node" else hub.SERVICES
    given = dict(channels or {})
    owned: list[grpc.Channel] = []
    upstreams: list[Upstream] = []
    for name, full_name in wanted.items():
        ch = given.get(name)
        if ch is None:
            ch = grpcclient.channel(addresses[name], current_token, CALL_TIMEOUT)
            owned.append(ch)
            given[name] = ch
        upstreams.append(Upstream(name, addresses[name], full_name, ch, health_pb2_grpc.HealthStub(ch)))

    if mode == "node":
        api = Api(app, verifier, member_of(settings.org), timeout=CALL_TIMEOUT)
        rest.register(api, given, settings.org)
    else:
        api = Api(app, verifier, analyst, timeout=CALL_TIMEOUT)
        hub.register(api, given)

    document = openapi.build(api.operations, mode=mode, org=settings.org, oidc_issuer=settings.oidc_issuer,
                             audience=settings.oidc_audience, version=_version())
    gw = Gateway(settings=settings, verifier=verifier, api=api, upstreams=upstreams, openapi=document,
                 owned_channels=owned)
    app.extensions[EXTENSION] = gw
    _install_telemetry(app)
    _install_error_handlers(app)
    _install_pages(app, gw)
    return app


# ---------------------------------------------------------------------- telemetry and access log

def route_template() -> str | None:
    """The matched route in OpenAPI form (/api/v1/persons/{person_id}); None when nothing matched."""
    rule = request.url_rule
    return openapi.openapi_path(rule.rule) if rule is not None else None


def _install_telemetry(app: Flask) -> None:
    tracer = telemetry.tracer("gateway")

    @app.before_request
    def start_span() -> None:
        g.started = time.perf_counter()
        method = request.method if request.method in HTTP_METHODS else "_OTHER"
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
        # Method, route template, status and duration only: never query strings, ids or bodies.
        access_log.info("%s %s %d %.1fms", request.method[:10], route_template() or "(no route)",
                        response.status_code, elapsed_ms)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.path.startswith("/api/") or request.path == "/healthz":
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


# ---------------------------------------------------------------------- errors

def _install_error_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def on_problem(problem: Problem) -> Response:
        return problem.response()

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Response:
        if isinstance(exc, MethodNotAllowed):
            allowed = sorted(m for m in (exc.valid_methods or []) if m != "OPTIONS")
            problem = Problem(405, "METHOD_NOT_ALLOWED",
                              f"{request.method[:10]} is not allowed on this route; use {', '.join(allowed)}.",
                              headers={"Allow": ", ".join(allowed)})
        elif isinstance(exc, NotFound):
            problem = Problem(404, "ROUTE_NOT_FOUND",
                              "There is no such route. The API is described at /openapi.json.")
        elif isinstance(exc, RequestEntityTooLarge):
            problem = Problem(413, "CONTENT_TOO_LARGE",
                              f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.")
        else:
            status = exc.code or 500
            if status >= 500:
                problem = internal()
            else:
                reason = (exc.name or "Error").upper().replace(" ", "_").replace("'", "").replace("-", "_")
                problem = Problem(status, reason, exc.name or "Error")
        return problem.response()

    @app.errorhandler(Exception)
    def on_unhandled(exc: Exception) -> Response:
        # The message may hold request data: log the type and where, never the text.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unhandled %s on %s %s\n%s", type(exc).__name__, request.method[:10],
                  route_template() or "(no route)", frames)
        return internal().response()


# ---------------------------------------------------------------------- pages

def _health_of(up: Upstream, future) -> dict:
    entry = {"name": up.name, "address": up.address, "service": up.service}
    try:
        reply = future.result()
        entry["status"] = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        return entry
    except grpc.RpcError as exc:
        code = exc.code()
    if code == grpc.StatusCode.NOT_FOUND:
        # The server does not report this service by name: ask for the server as a whole.
        try:
            reply = up.health.Check(health_pb2.HealthCheckRequest(service=""), timeout=HEALTH_TIMEOUT)
            entry["service"] = ""
            entry["status"] = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
            return entry
        except grpc.RpcError as exc:
            code = exc.code()
    entry["status"] = code.name if code is not None else "UNKNOWN"
    return entry


HOME = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }}
h1 {{ margin-bottom: 0.25rem; }}
.who {{ color: #555; margin-top: 0; }}
</style>
</head>
<body>
<h1>Brobygger</h1>
<p class="who">{who}</p>
<p>{about}</p>
<ul>
<li><a href="/openapi.json">API description (OpenAPI 3.1)</a></li>
<li><a href="/healthz">Health of the services</a></li>
</ul>
</body>
</html>
"""


def _install_pages(app: Flask, gw: Gateway) -> None:
    settings = gw.settings

    @app.get("/healthz")
    def healthz() -> Response:
        pending = []
        for up in gw.upstreams:
            request_ = health_pb2.HealthCheckRequest(service=up.service)
            pending.append((up, up.health.Check.future(request_, timeout=HEALTH_TIMEOUT)))
        services = [_health_of(up, fut) for up, fut in pending]
        ok = all(s["status"] == "SERVING" for s in services)
        body = {"status": "SERVING" if ok else "NOT_SERVING", "mode": settings.gateway_mode,
                "services": services}
        if settings.org:
            body["organization"] = settings.org
        return json_response(body, 200 if ok else 503)

    @app.get("/openapi.json")
    def openapi_json() -> Response:
        return json_response(gw.openapi)

    @app.get("/")
    def home() -> Response:
        if settings.gateway_mode == "hub":
            title, who = "Brobygger – federation hub", "Federation hub"
            about = "Federated statistics across the organisations of the federation: numbers, never people."
        else:
            title = f"Brobygger – {settings.org}"
            who = f"Node of organisation <strong>{html.escape(settings.org)}</strong>"
            about = "Membership, activities, referrals and statistics of this organisation."
        page = HOME.format(title=html.escape(title), who=who, about=html.escape(about))
        resp = Response(page, mimetype="text/html")
        resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return resp
