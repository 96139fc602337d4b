"""A service process: clear start-up errors, health, and a graceful stop on SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.devstack.procs import free_port, wait_for_port
from tests.conftest import REPO
from tests.support import eventually


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROBYGGER_")}
    env.update(extra)
    return env


def test_missing_settings_stop_the_process_naming_each_variable():
    proc = subprocess.run([sys.executable, "-m", "services.membership", "serve"], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env=_env(BROBYGGER_ENV="production",
                                                          BROBYGGER_DISCLOSURE_MIN_CELL="one"))
    assert proc.returncode == 2
    assert "BROBYGGER_ORG is not set" in proc.stderr
    assert "BROBYGGER_SERVICE_CLIENT_SECRET is not set" in proc.stderr
    assert "BROBYGGER_DISCLOSURE_MIN_CELL='one' is not a whole number" in proc.stderr


def test_sigterm_reports_not_serving_then_stops_cleanly(broker, issuer, tmp_path):
    port = free_port()
    log = tmp_path / "membership.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.membership", "run"], cwd=REPO, stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        env=_env(BROBYGGER_ENV="development", BROBYGGER_ORG="mir", BROBYGGER_GRPC_ADDRESS=f"127.0.0.1:{port}",
                 BROBYGGER_DATABASE_URL=f"sqlite:///{tmp_path}/m.db", BROBYGGER_KAFKA_BOOTSTRAP=broker.bootstrap,
                 BROBYGGER_OIDC_ISSUER=issuer.url))
    try:
        wait_for_port("127.0.0.1", port, 30, proc, "membership")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = health_pb2_grpc.HealthStub(ch)
            name = "brobygger.membership.v1.MembershipService"
            assert stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5).status == \
                health_pb2.HealthCheckResponse.SERVING
            seen: list[int] = []
            watch = stub.Watch(health_pb2.HealthCheckRequest(service=name), timeout=20)

            def follow():
                try:
                    for update in watch:
                        seen.append(update.status)
                except grpc.RpcError:
                    pass

            t = threading.Thread(target=follow, daemon=True)
            t.start()
            eventually(lambda: seen, timeout=10, interval=0.05, what="the first health update")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(20) == 0
            t.join(5)
        assert health_pb2.HealthCheckResponse.NOT_SERVING in seen
        text = log.read_text()
        assert "draining" in text and "outbox relay mir-membership stopped" in text and "stopped" in text
    finally:
        if proc.poll() is None:
            proc.kill()


def test_each_service_offers_its_own_process_roles(tmp_path):
    env = _env(BROBYGGER_ENV="development", BROBYGGER_ORG="mir", BROBYGGER_DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    proc = subprocess.run([sys.executable, "-m", "services.membership", "deliver"], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env=env)
    assert proc.returncode == 2
    # membership consumes the other services' confirmations of erasures
    assert "membership has no 'deliver' role; it offers: migrate, serve, relay, consume, import, run" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "services.reporting", "deliver"], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env=env)
    assert proc.returncode == 2
    # reporting publishes its confirmations of erasures
    assert "reporting has no 'deliver' role; it offers: migrate, serve, relay, consume, run" in proc.stderr


def test_the_hub_closes_what_it_opened_when_signalled(issuer, tmp_path):
    port = free_port()
    directory = tmp_path / "federation.json"
    directory.write_text('{"nodes": [{"org": "mir", "name": "MiR", "reporting": "127.0.0.1:1"}]}')
    log = tmp_path / "hub.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.reporting", "hub"], cwd=REPO, stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        env=_env(BROBYGGER_ENV="development", BROBYGGER_GRPC_ADDRESS=f"127.0.0.1:{port}",
                 BROBYGGER_FEDERATION_DIRECTORY=str(directory), BROBYGGER_OIDC_ISSUER=issuer.url))
    try:
        wait_for_port("127.0.0.1", port, 30, proc, "the hub")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        assert "federation clients closed" in log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
