"""Run a service in this process on a free port: for tests and benchmarks."""
from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import psycopg

from services.common.runner import ServiceApp
from services.common.settings import Settings, load

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class RunningService:
    app: ServiceApp
    host: object
    address: str


def node_env(org: str, *, database_url: str, kafka: str, issuer: str, **extra: str) -> dict[str, str]:
    env = {
        "BROBYGGER_ENV": "development",
        "BROBYGGER_ORG": org,
        "BROBYGGER_DATABASE_URL": database_url,
        "BROBYGGER_KAFKA_BOOTSTRAP": kafka,
        "BROBYGGER_OIDC_ISSUER": issuer,
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextlib.contextmanager
def running(name: str, build: Callable[[Settings], ServiceApp], env: dict[str, str], *,
            roles: Iterable[str] | None = None, needs_org: bool = True) -> Iterator[RunningService]:
    """The service on a free port with the background roles given (default: all it has)."""
    from services.common.auth import TokenVerifier

    settings = load(name, env, needs_org=needs_org)
    app = build(settings)
    app.migrate()
    host = app.host(TokenVerifier(settings.oidc_issuer, settings.oidc_audience), roles=roles, address="127.0.0.1:0")
    port = host.start()
    try:
        yield RunningService(app, host, f"127.0.0.1:{port}")
    finally:
        host.stop(0.5)
        app.close()


@contextlib.contextmanager
def postgres_database(admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    name = f"brobygger_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {admin_url} ({exc.__class__.__name__}); start it or set "
            "BROBYGGER_TEST_POSTGRES_URL to a server where the user may create databases"
        ) from exc
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
