"""Fixtures shared by every tier: a real Kafka-protocol broker, the dev issuer
serving real signed tokens, and real SQLite and PostgreSQL databases."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import threading
import time

import pytest

from services.devstack import inprocess
from services.devstack.procs import Broker, free_port, stop_process, wait_for_port

REPO = pathlib.Path(__file__).resolve().parents[1]
REALM_FILE = REPO / "deploy" / "keycloak" / "brobygger-realm.json"
POSTGRES_URL = os.environ.get("BROBYGGER_TEST_POSTGRES_URL", inprocess.POSTGRES_ADMIN_URL)


@pytest.fixture(scope="session", autouse=True)
def tracing():
    """A real tracer provider, so that traceparent travels as in production."""
    from services.common import telemetry

    telemetry.setup("brobygger-tests", log_level="WARNING")


@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    b = Broker(log_path=str(tmp_path_factory.mktemp("broker") / "broker.log")).start()
    yield b
    b.stop()


class Issuer:
    """The dev issuer in a child process, and a token cache over it."""

    def __init__(self, base_url: str, proc: subprocess.Popen) -> None:
        self.base_url = base_url
        self.url = f"{base_url}/realms/brobygger"
        self.proc = proc
        self._tokens: dict[tuple, str] = {}
        self._lock = threading.Lock()

    def _fresh(self, key: tuple) -> bool:
        """Whether the cached token has a minute left: a run slower than a token's lifetime gets a new one."""
        import jwt

        cached = self._tokens.get(key)
        if cached is None:
            return False
        expires = jwt.decode(cached, options={"verify_signature": False}).get("exp", 0)
        return expires - time.time() > 60

    def _openid(self, client_id: str, secret: str | None = None):
        from keycloak import KeycloakOpenID

        return KeycloakOpenID(server_url=self.base_url + "/", realm_name="brobygger", client_id=client_id,
                              client_secret_key=secret)

    def token(self, username: str, password: str = "dev", client_id: str = "brobygger-web") -> str:
        key = ("user", username, password, client_id)
        with self._lock:
            if not self._fresh(key):
                self._tokens[key] = self._openid(client_id).token(username, password)["access_token"]
            return self._tokens[key]

    def service_token(self, client_id: str, secret: str | None = None) -> str:
        from services.common.auth.devsecrets import dev_client_secret

        key = ("service", client_id)
        with self._lock:
            if not self._fresh(key):
                oid = self._openid(client_id, secret or dev_client_secret(client_id))
                self._tokens[key] = oid.token(grant_type="client_credentials")["access_token"]
            return self._tokens[key]


def start_issuer(tmp_dir: pathlib.Path, port: int | None = None) -> Issuer:
    port = port or free_port()
    env = {**os.environ, "BROBYGGER_ENV": "development"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.devissuer", "--realm-file", str(REALM_FILE), "--host", "127.0.0.1",
         "--port", str(port), "--key-file", str(tmp_dir / "issuer-key.pem")],
        env=env, cwd=REPO, stdout=open(tmp_dir / "issuer.log", "ab"), stderr=subprocess.STDOUT,
    )
    wait_for_port("127.0.0.1", port, 20, proc, "the dev issuer")
    return Issuer(f"http://127.0.0.1:{port}", proc)


@pytest.fixture(scope="session")
def issuer(tmp_path_factory):
    iss = start_issuer(tmp_path_factory.mktemp("issuer"))
    yield iss
    stop_process(iss.proc)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Each service test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/service.db"
    else:
        with inprocess.postgres_database(POSTGRES_URL) as url:
            yield url


def bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]
