"""The gateway's composition root: :func:`create_app` builds the Flask app.

Nothing here does I/O at import. ``create_app`` builds the gRPC channels once
(lazily connecting, with a deadline on every call and the caller's bearer token
and traceparent forwarded) and the token verifier (which fetches the issuer's
keys on first use); tests may pass their own of either.

Node mode serves one organisation's REST API (gateway.rest); hub mode serves
the federation's statistics API (gateway.hub). Both serve ``/healthz``
(gateway.health) and ``/openapi.json`` (gateway.pages) without authentication,
and the web app (gateway.web: pages for people, logged in through the shared
identity, calling the same services with the user's own token). Around every
request run the server span, the access log and the security headers
(gateway.middleware); every error of the API becomes application/problem+json
and every error of a page an error page (gateway.errors).

Each area is one module with one Flask blueprint, registered at the end of
``create_app``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Mapping

import grpc
from flask import Flask
from grpc_health.v1 import health_pb2_grpc

from gateway import (
    body_limits, errors, health, hub, middleware, openapi, pages, rest, rest_activity_lists, rest_consents,
    rest_grants, rest_registration, rights, web,
)
from gateway.api import Api, IdConverter, current_token
from gateway.middleware import route_template
from services.common import grpcclient
from services.common.settings import Settings

__all__ = ["EXTENSION", "Gateway", "Upstream", "create_app", "current_token", "route_template"]

CALL_TIMEOUT = grpcclient.DEFAULT_TIMEOUT
MAX_BODY_BYTES = body_limits.MAX_BODY_BYTES  # every route but the spreadsheet uploads (gateway.body_limits)
EXTENSION = "brobygger_gateway"


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


def _version() -> str:
    try:
        return metadata.version("brobygger")
    except metadata.PackageNotFoundError:
        return "0.1.0"


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

    app = Flask(__name__, static_folder=None)  # the web app serves its own, at /static (gateway.web)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.request_class = body_limits.GatewayRequest  # the import routes take larger bodies
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
        api = Api(app, verifier, rest.member_of(settings.org), timeout=CALL_TIMEOUT)
        rest.register(api, given, settings.org)
        rest_consents.register(api, given, settings.org)
        rest_registration.register(api, given, settings.org)
        rest_grants.register(api, given, settings.org)
        rest_activity_lists.register(api, given, settings.org)
        rights.register(api, given, settings.org)
    else:
        api = Api(app, verifier, hub.analyst, timeout=CALL_TIMEOUT)
        hub.register(api, given)

    document = openapi.build(api.operations, mode=mode, org=settings.org, oidc_issuer=settings.oidc_issuer,
                             audience=settings.oidc_audience, version=_version())
    gw = Gateway(settings=settings, verifier=verifier, api=api, upstreams=upstreams, openapi=document,
                 owned_channels=owned)
    app.extensions[EXTENSION] = gw
    middleware.install(app)
    errors.install(app)
    for area in (health, pages):  # one blueprint per area
        app.register_blueprint(area.blueprint(gw))
    web.install(app, gw)
    return app
