"""Run the gateway: ``python -m gateway``.

BROBYGGER_GATEWAY_MODE=node (with BROBYGGER_ORG) serves one organisation's API;
BROBYGGER_GATEWAY_MODE=hub serves the federation's statistics API. Every other
setting is read by services.common.settings. Stops cleanly on SIGTERM or SIGINT.
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from services.common import telemetry
from services.common.settings import exit_on_config_error, load

log = logging.getLogger("gateway")


class QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's handler logs full URLs (query strings, ids); the app logs route templates instead."""

    def log_request(self, code="-", size="-") -> None:
        pass


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


@exit_on_config_error
def main() -> int:
    mode = os.environ.get("BROBYGGER_GATEWAY_MODE", "node").strip() or "node"
    settings = load("gateway", needs_org=(mode == "node"))
    default_name = f"{settings.org}-gateway" if settings.org else "hub-gateway"
    telemetry.setup(os.environ.get("OTEL_SERVICE_NAME") or default_name, org=settings.org,
                    otel_endpoint=settings.otel_endpoint, log_level=settings.log_level)

    from gateway.app import EXTENSION, create_app

    app = create_app(settings)
    host, port = split_address(settings.http_address)
    try:
        server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
    except OSError as exc:
        log.error("cannot listen on %s: %s", settings.http_address, exc.strerror or exc)
        app.extensions[EXTENSION].close()
        return 1

    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    serving = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    serving.start()
    where = f"organisation {settings.org}" if settings.gateway_mode == "node" else "the federation hub"
    log.info("gateway for %s listening on http://%s:%d", where, host, server.server_port)
    stop.wait()
    server.shutdown()
    server.server_close()
    serving.join(timeout=10)
    app.extensions[EXTENSION].close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
