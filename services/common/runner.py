"""The command line every service shares, with one process role per command.

    python -m services.<service> migrate   bring the database to the newest revision
    python -m services.<service> serve     answer gRPC calls
    python -m services.<service> relay     publish the outbox's facts to Kafka
    python -m services.<service> consume   apply other services' facts (reporting)
    python -m services.<service> deliver   make the node-to-node calls committed changes owe (referral)
    python -m services.<service> import    apply the spreadsheet imports coordinators started (membership)
    python -m services.<service> run       all of the above in one process

A service offers only the roles it has; the hub (``python -m services.reporting hub``)
serves gRPC and nothing else. Whatever a role starts is stopped, and whatever
the app opened is closed, when the process is signalled.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import pathlib
import sys
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.common import db, telemetry
from services.common.grpcserver import Access, Registration, ServerInterceptor, ServiceHost, Worker, \
    run_workers_until_signalled
from services.common.outbox import OutboxRelay
from services.common.settings import Settings, exit_on_config_error, load

log = logging.getLogger(__name__)

# Background roles, in the order `run` starts them.
ROLES = ("relay", "consume", "deliver", "import")


class Runnable(Protocol):
    """A background component: a relay, a consumer, a delivery worker."""

    name: str

    def run(self, stop) -> None: ...


@dataclass
class ServiceApp:
    """What a service's bootstrap() builds: its composition root."""

    name: str
    settings: Settings
    registrations: list[Registration]
    policy: dict[str, Access]
    engine: Engine | None = None
    tables: dict[str, sa.Table] = field(default_factory=dict)
    migrations: pathlib.Path | None = None  # None: the app keeps no data (the hub)
    workers: dict[str, list[Runnable]] = field(default_factory=dict)  # role -> components
    hub_mode: bool = False
    closers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(r for r in ROLES if self.workers.get(r))

    def migrate(self) -> None:
        if self.migrations is not None:
            db.migrate(self.settings.database_url, self.migrations)

    def background(self, roles: Iterable[str]) -> list[Worker]:
        return [Worker(w.name, w.run) for role in roles for w in self.workers.get(role, [])]

    def host(self, verifier, *, roles: Iterable[str] | None = None, address: str | None = None) -> ServiceHost:
        """The gRPC server with the workers of roles (default: every role this app has)."""
        interceptor = ServerInterceptor(
            org=self.settings.org or None, verifier=verifier, policy=self.policy, hub_mode=self.hub_mode
        )
        workers = self.background(self.roles if roles is None else roles)
        return ServiceHost(address or self.settings.grpc_address, self.registrations, interceptor, workers)

    def close(self) -> None:
        for close in self.closers:
            close()
        if self.engine is not None:
            self.engine.dispose()


def grpc_service(add_to_server: Callable, servicer: object) -> Registration:
    """A servicer and the generated function that adds it to a server; the service's full name
    (for health and reflection) is read from the generated code the servicer derives from."""
    base = next(c for c in type(servicer).__mro__
                if c.__module__.endswith("_pb2_grpc") and c.__name__.endswith("Servicer"))
    pb2 = importlib.import_module(base.__module__.removesuffix("_grpc"))
    service = pb2.DESCRIPTOR.services_by_name[base.__name__.removesuffix("Servicer")]
    return Registration(add_to_server, servicer, service.full_name)


def outbox_relay(settings: Settings, engine: Engine, tables: dict[str, sa.Table], service: str) -> OutboxRelay:
    """The relay of a service's outbox at this node."""
    from services.common.kafka import KafkaSecurity

    return OutboxRelay(engine, tables["outbox"], settings.kafka_bootstrap, name=f"{settings.org}-{service}",
                       security=KafkaSecurity.from_settings(settings))


@exit_on_config_error
def main(name: str, build: Callable[[Settings], ServiceApp], argv: list[str] | None = None,
         *, needs_org: bool = True) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m services.{name}", description=__doc__.split("\n\n")[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="run", choices=("migrate", "serve", *ROLES, "run"))
    args = parser.parse_args(argv)
    settings = load(name, needs_org=needs_org)
    telemetry.setup(f"brobygger-{name}", org=settings.org, otel_endpoint=settings.otel_endpoint,
                    log_level=settings.log_level)
    app = build(settings)
    offered = (["migrate"] if app.migrations is not None else []) + ["serve", *app.roles, "run"]
    if args.command not in offered:
        app.close()
        print(f"{name} has no {args.command!r} role; it offers: {', '.join(offered)}", file=sys.stderr)
        return 2
    try:
        return _run(app, settings, args.command)
    finally:
        app.close()


def _run(app: ServiceApp, settings: Settings, command: str) -> int:
    if command == "migrate":
        app.migrate()
        log.info("database is at the newest revision")
        return 0
    if command in ("serve", "run"):
        from services.common.auth import TokenVerifier

        if command == "run":
            app.migrate()
        verifier = TokenVerifier(settings.oidc_issuer, settings.oidc_audience)
        host = app.host(verifier, roles=app.roles if command == "run" else ())
        host.handle_signals()
        port = host.start()
        log.info("serving %s on port %d", app.name, port)
        host.run_until_signalled()
        return 0
    run_workers_until_signalled(app.background([command]))
    return 0
