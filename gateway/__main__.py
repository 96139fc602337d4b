"""Run the gateway: ``python -m gateway``.

BROBYGGER_GATEWAY_MODE=node (with BROBYGGER_ORG) serves one organisation's API;
BROBYGGER_GATEWAY_MODE=hub serves the federation's statistics API. Every other
setting is read by services.common.settings. Stops cleanly on SIGTERM or SIGINT.

The app is served by waitress, a production WSGI server: its asyncore loop
holds every connection without a thread per connection, so slow or idle
clients cost a socket, not a worker (gunicorn's sync workers are held by a
slow client and want a buffering proxy in front); THREADS workers run the
requests. It runs inside this process, so the composition root and the signal
handling stay here, and has the limits below as plain settings. They bound what
clients can hold:

- an idle connection is closed after CHANNEL_TIMEOUT seconds (checked every
  CLEANUP_INTERVAL seconds); one running a request is not;
- at most CONNECTION_LIMIT connections are open at once; past that the server
  stops accepting and new connections wait in the listen backlog until one closes;
- request headers are at most MAX_REQUEST_HEADER_BYTES;
- a request body is at most BODY_HEADROOM times the app's largest limit (that
  of the spreadsheet uploads), counted while it arrives (chunked bodies too), so
  a larger one is never buffered whole: waitress answers 413 itself. The app's
  limits (gateway.body_limits: 1 MiB, more for the uploads; answered with a
  problem+json 413) are lower, so a body just over one gets the app's answer.
"""
from __future__ import annotations

import logging
import os
import signal
import sys

from services.common import telemetry
from services.common.settings import exit_on_config_error, load

log = logging.getLogger("gateway")

THREADS = 16
CHANNEL_TIMEOUT = 30  # seconds
CLEANUP_INTERVAL = 10  # seconds
CONNECTION_LIMIT = 100
MAX_REQUEST_HEADER_BYTES = 64 * 1024
BODY_HEADROOM = 2  # MAX_REQUEST_BODY_BYTES = BODY_HEADROOM * the app's largest body limit


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def server_options(max_body_bytes: int) -> dict:
    """waitress's settings, from the constants above."""
    return {
        "threads": THREADS,
        "channel_timeout": CHANNEL_TIMEOUT,
        "cleanup_interval": CLEANUP_INTERVAL,
        "connection_limit": CONNECTION_LIMIT,
        "max_request_header_size": MAX_REQUEST_HEADER_BYTES,
        "max_request_body_size": BODY_HEADROOM * max_body_bytes,
        "asyncore_use_poll": True,  # poll(), not select(): no limit on descriptor numbers
        "ident": "brobygger",  # the Server header names no server software or version
        "expose_tracebacks": False,
    }


class PathlessServerLog(logging.Filter):
    """waitress names the request's path (and so the ids in it) in two of its messages; keep the
    message, leave the path out (the access log names the route template instead)."""

    PREFIXES = ("Client disconnected while serving ", "Exception while serving ")

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        for prefix in self.PREFIXES:
            if text.startswith(prefix):
                record.msg, record.args = prefix + "a request", ()
        return True


class Stop(SystemExit):
    """Raised by the signal handler in the main thread, which runs waitress's loop: the loop ends on it."""


def listening_on(server) -> str:
    """'http://127.0.0.1:8080' for each socket the server listens on."""
    pairs = getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)]
    return ", ".join(f"http://[{h}]:{p}" if ":" in str(h) else f"http://{h}:{p}" for h, p in pairs)


def close(server) -> None:
    """Let running requests finish (waitress waits up to 5 s), then close every socket the server holds."""
    from waitress import wasyncore

    server.task_dispatcher.shutdown()
    wasyncore.close_all(getattr(server, "map", None) or getattr(server, "_map", {}))


@exit_on_config_error
def main() -> int:
    mode = os.environ.get("BROBYGGER_GATEWAY_MODE", "node").strip() or "node"
    settings = load("gateway", needs_org=(mode == "node"))
    default_name = f"{settings.org}-gateway" if settings.org else "hub-gateway"
    telemetry.setup(os.environ.get("OTEL_SERVICE_NAME") or default_name, org=settings.org,
                    otel_endpoint=settings.otel_endpoint, log_level=settings.log_level)

    from waitress.server import create_server

    logging.getLogger("waitress").addFilter(PathlessServerLog())

    from gateway.app import EXTENSION, create_app
    from gateway.body_limits import IMPORT_MAX_BODY_BYTES

    app = create_app(settings)
    host, port = split_address(settings.http_address)
    try:
        server = create_server(app, host=host, port=port, **server_options(IMPORT_MAX_BODY_BYTES))
    except OSError as exc:
        log.error("cannot listen on %s: %s", settings.http_address, exc.strerror or exc)
        app.extensions[EXTENSION].close()
        return 1

    def on_signal(signum, _frame) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        raise Stop(0)

    where = f"organisation {settings.org}" if settings.gateway_mode == "node" else "the federation hub"
    log.info("gateway for %s listening on %s", where, listening_on(server))
    try:
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        server.run()  # returns when a signal's Stop ended the loop
    except Stop:
        pass  # the signal came before the loop ran
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        close(server)
        app.extensions[EXTENSION].close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
