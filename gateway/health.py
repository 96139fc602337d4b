"""``GET /healthz``: the gateway is as healthy as the services behind it.

Each upstream is asked over grpc.health.v1 (all at once, with a deadline of
HEALTH_TIMEOUT each) for the service the gateway uses; a server that does not
report that service by name is asked about itself as a whole. The answer is 200
when every one is SERVING, otherwise 503, and names each upstream's status.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import grpc
from flask import Blueprint, Response
from grpc_health.v1 import health_pb2

from gateway.problems import json_response

if TYPE_CHECKING:
    from gateway.app import Gateway, Upstream

HEALTH_TIMEOUT = 1.0


def _status_name(reply: health_pb2.HealthCheckResponse) -> str:
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def health_of(up: Upstream, future) -> dict:
    """One upstream's entry in /healthz, from the pending check of its service."""
    entry = {"name": up.name, "address": up.address, "service": up.service}
    try:
        entry["status"] = _status_name(future.result())
        return entry
    except grpc.RpcError as exc:
        code = exc.code()
    if code == grpc.StatusCode.NOT_FOUND:
        # The server does not report this service by name: ask for the server as a whole.
        try:
            entry["status"] = _status_name(
                up.health.Check(health_pb2.HealthCheckRequest(service=""), timeout=HEALTH_TIMEOUT))
            entry["service"] = ""
            return entry
        except grpc.RpcError as exc:
            code = exc.code()
    entry["status"] = code.name if code is not None else "UNKNOWN"
    return entry


def blueprint(gw: Gateway) -> Blueprint:
    bp = Blueprint("health", __name__)
    settings = gw.settings

    @bp.get("/healthz")
    def healthz() -> Response:
        pending = [(up, up.health.Check.future(health_pb2.HealthCheckRequest(service=up.service),
                                               timeout=HEALTH_TIMEOUT))
                   for up in gw.upstreams]
        services = [health_of(up, future) for up, future in pending]
        ok = all(s["status"] == "SERVING" for s in services)
        body = {"status": "SERVING" if ok else "NOT_SERVING", "mode": settings.gateway_mode,
                "services": services}
        if settings.org:
            body["organization"] = settings.org
        return json_response(body, 200 if ok else 503)

    return bp
