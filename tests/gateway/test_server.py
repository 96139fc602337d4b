"""The gateway as it runs in production: ``python -m gateway`` in its own process, served by waitress
with the limits of gateway/__main__.py. The services behind it are a gRPC health server in this
process. Each test lowers a limit (a constant of gateway.__main__, set before main() runs) so its
behaviour shows within seconds."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent import futures

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from gateway import __main__ as gateway_main
from gateway.app import MAX_BODY_BYTES
from gateway.body_limits import IMPORT_MAX_BODY_BYTES
from services.devstack.procs import free_port, stop_process, wait_for_port
from tests.conftest import REPO

SERVICES = ("brobygger.membership.v1.MembershipService", "brobygger.events.v1.EventsService",
            "brobygger.referral.v1.ReferralService", "brobygger.reporting.v1.ReportingService")


@pytest.fixture(scope="module")
def upstream():
    """One gRPC server answering health checks for the four services of a node."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    servicer = health.HealthServicer()
    for name in ("", *SERVICES):
        servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(0)


@contextlib.contextmanager
def gateway(upstream: str, tmp_path, **limits):
    """``python -m gateway`` (its main(), with some constants of gateway.__main__ lowered) on a free port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROBYGGER_")}
    env.update(BROBYGGER_ENV="development", BROBYGGER_ORG="mir", BROBYGGER_GATEWAY_MODE="node",
               BROBYGGER_HTTP_ADDRESS=f"127.0.0.1:{port}", BROBYGGER_OIDC_ISSUER="http://127.0.0.1:9/realms/brobygger",
               **{f"BROBYGGER_{s}_ADDRESS": upstream for s in ("MEMBERSHIP", "EVENTS", "REFERRAL", "REPORTING")})
    for name in limits:
        assert hasattr(gateway_main, name), name
    code = ("import sys, gateway.__main__ as m; "
            + "".join(f"m.{name} = {value!r}; " for name, value in limits.items())
            + "sys.exit(m.main())")
    log = tmp_path / f"gateway-{port}.log"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT)
    try:
        wait_for_port("127.0.0.1", port, 30, proc, "the gateway")
        yield port, proc, log
    finally:
        stop_process(proc)


def connect(port: int, timeout: float = 5) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.settimeout(timeout)
    return s


def read_response(s: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a whole response: {data[:200]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def get(s: socket.socket, path: str) -> tuple[int, dict[str, str], bytes]:
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: gateway\r\n\r\n".encode())
    return read_response(s)


def closed_by_peer(s: socket.socket, within: float) -> bool:
    s.settimeout(within)
    try:
        return s.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


# ---------------------------------------------------------------------- serving


def test_the_gateway_answers_healthz_and_stops_on_sigterm(upstream, tmp_path):
    with gateway(upstream, tmp_path) as (port, proc, log):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
            assert resp.status == 200
            assert resp.headers["Server"] == "brobygger"  # no server software or version
            body = json.load(resp)
        assert body["status"] == "SERVING" and body["organization"] == "mir"
        assert [s["status"] for s in body["services"]] == ["SERVING"] * 4
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    text = log.read_text()
    assert "listening on http://127.0.0.1:" in text and "received SIGTERM; stopping" in text and "stopped" in text


def test_the_production_settings_are_bounded():
    options = gateway_main.server_options(MAX_BODY_BYTES)
    assert 0 < options["channel_timeout"] <= 60 and 0 < options["cleanup_interval"] <= options["channel_timeout"]
    assert 0 < options["connection_limit"] <= 1000
    assert MAX_BODY_BYTES < options["max_request_body_size"] <= 4 * MAX_BODY_BYTES
    assert options["max_request_header_size"] <= 64 * 1024
    assert options["expose_tracebacks"] is False


def test_the_servers_own_log_lines_name_no_path():
    record = logging.LogRecord("waitress", logging.INFO, __file__, 1, "Client disconnected while serving %s",
                               ("/api/v1/persons/0f3c9a",), None)
    assert gateway_main.PathlessServerLog().filter(record)
    assert record.getMessage() == "Client disconnected while serving a request"


# ---------------------------------------------------------------------- idle connections


def test_an_idle_connection_is_closed_after_the_channel_timeout(upstream, tmp_path):
    with gateway(upstream, tmp_path, CHANNEL_TIMEOUT=1, CLEANUP_INTERVAL=1) as (port, _, _):
        silent = connect(port)  # connects, never sends a byte
        used = connect(port)
        status, headers, _ = get(used, "/healthz")  # a keep-alive connection, idle after its answer
        assert status == 200 and headers.get("connection", "").lower() != "close"
        started = time.monotonic()
        assert closed_by_peer(silent, within=6), "an idle connection was left open"
        assert closed_by_peer(used, within=6), "an idle keep-alive connection was left open"
        assert time.monotonic() - started < 6
        with connect(port) as fresh:  # the server itself serves on
            assert get(fresh, "/healthz")[0] == 200


# ---------------------------------------------------------------------- the connection limit


def test_connections_beyond_the_limit_wait_until_one_closes(upstream, tmp_path):
    with gateway(upstream, tmp_path, CONNECTION_LIMIT=6, CHANNEL_TIMEOUT=120) as (port, _, _):
        held = [connect(port) for _ in range(6)]  # fills every place (waitress counts its own two sockets too)
        try:
            time.sleep(0.5)  # let the server accept them
            waiting = connect(port)  # queued in the listen backlog, not accepted
            waiting.sendall(b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n")
            waiting.settimeout(1.5)
            with pytest.raises(TimeoutError):
                waiting.recv(1)
        finally:
            for s in held:
                s.close()
        waiting.settimeout(10)
        status, _, _ = read_response(waiting)  # answered once the held connections closed
        assert status == 200
        waiting.close()


# ---------------------------------------------------------------------- bodies past the limit


@pytest.fixture(scope="module")
def gateway_port(upstream, tmp_path_factory):
    """A gateway with the production settings."""
    with gateway(upstream, tmp_path_factory.mktemp("gateway")) as (port, _, _):
        yield port


def send_chunked(s: socket.socket, path: str, size: int) -> None:
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
              "Transfer-Encoding: chunked\r\n\r\n".encode())
    piece = b" " * 65536
    sent = 0
    try:
        while sent < size:
            n = min(len(piece), size - sent)
            s.sendall(b"%x\r\n" % n + piece[:n] + b"\r\n")
            sent += n
        s.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered before the body ended


@pytest.mark.parametrize("path", ["/api/v1/persons", "/api/v1/activities", "/api/v1/referrals",
                                  "/api/v1/persons/p1/membership-years", "/api/v1/referrals/r1:accept"])
def test_a_chunked_5_mb_body_is_refused_with_413(path, gateway_port):
    with connect(gateway_port, timeout=20) as s:
        send_chunked(s, path, 5 * 1024 * 1024)
        status, _, body = read_response(s)
    assert status == 413, body[:300]


def test_a_body_over_the_apps_limit_gets_its_problem_answer(gateway_port):
    with connect(gateway_port, timeout=20) as s:
        send_chunked(s, "/api/v1/persons", MAX_BODY_BYTES + 1024)
        status, headers, body = read_response(s)
    assert status == 413 and headers["content-type"] == "application/problem+json"
    assert json.loads(body)["reason"] == "CONTENT_TOO_LARGE"


def test_a_content_length_past_the_servers_limit_is_refused_before_the_body_is_sent(gateway_port):
    past = gateway_main.BODY_HEADROOM * IMPORT_MAX_BODY_BYTES + 1  # about 8 MiB
    with connect(gateway_port, timeout=20) as s:
        s.sendall(f"POST /api/v1/persons HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {past}\r\n\r\n".encode())
        status, _, _ = read_response(s)
    assert status == 413


def test_a_spreadsheet_upload_takes_its_larger_limit_under_the_server(gateway_port):
    """The import route reads a body of IMPORT_MAX_BODY_BYTES (then refuses it for want of a token); one byte
    more is too large, with what to do instead; another route refuses the same body."""
    for path, size, status in (("/api/v1/person-imports", IMPORT_MAX_BODY_BYTES, 401),
                               ("/api/v1/person-imports", IMPORT_MAX_BODY_BYTES + 1, 413),
                               ("/api/v1/persons", IMPORT_MAX_BODY_BYTES, 413)):
        with connect(gateway_port, timeout=20) as s:
            send_chunked(s, path, size)
            got, headers, body = read_response(s)
        assert got == status, (path, size, body[:300])
        if (path, status) == ("/api/v1/person-imports", 413):
            assert "Split the file" in json.loads(body)["detail"]


def test_the_apps_limit_is_exact_under_the_server(gateway_port):
    """A body of exactly MAX_BODY_BYTES is read (and then refused for want of a token); one byte more is too large."""
    for size, status in ((MAX_BODY_BYTES, 401), (MAX_BODY_BYTES + 1, 413)):
        with connect(gateway_port, timeout=20) as s:
            s.sendall(f"POST /api/v1/persons HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {size}\r\n\r\n".encode() + b"{}" + b" " * (size - 2))
            assert read_response(s)[0] == status
        with connect(gateway_port, timeout=20) as s:
            send_chunked(s, "/api/v1/persons", size)
            assert read_response(s)[0] == status
