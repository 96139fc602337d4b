"""The command line every service shares: migrate, serve, relay, consume, run."""
from __future__ import annotations

import argparse
import logging
import pathlib
import sys
from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from services.common import db, telemetry
from services.common.consumer import IdempotentConsumer
from services.common.grpcserver import (
    Access, Registration, ServerInterceptor, ServiceHost, Worker, run_workers_until_signalled,
)
from services.common.outbox import OutboxRelay
from services.common.settings import Settings, exit_on_config_error, load

log = logging.getLogger(__name__)


@dataclass
class ServiceApp:
    """What a service's bootstrap() builds: its composition root."""

    name: str
    settings: Settings
    engine: Engine
    tables: dict[str, sa.Table]
    migrations: pathlib.Path
    registrations: list[Registration]
    policy: dict[str, Access]
    relay: OutboxRelay | None = None
    consumers: list[IdempotentConsumer] = field(default_factory=list)
    hub_mode: bool = False
    extra_workers: list[Worker] = field(default_factory=list)

    def migrate(self) -> None:
        db.migrate(self.settings.database_url, self.migrations)

    def host(self, verifier, *, relay: bool = True, consume: bool = True, address: str | None = None) -> ServiceHost:
        workers = []
        if relay:
            if self.relay is not None:
                workers.append(Worker(f"{self.name}-relay", self.relay.run))
            workers += self.extra_workers
        if consume:
            workers += [Worker(c.consumer_name, c.run) for c in self.consumers]
        interceptor = ServerInterceptor(
            org=self.settings.org or None, verifier=verifier, policy=self.policy, hub_mode=self.hub_mode
        )
        return ServiceHost(address or self.settings.grpc_address, self.registrations, interceptor, workers)


@exit_on_config_error
def main(name: str, build: Callable[[Settings], ServiceApp], argv: list[str] | None = None,
         *, commands: tuple[str, ...] = ("migrate", "serve", "relay", "consume", "run"), needs_org: bool = True) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m services.{name}", description=f"Brobygger {name} service")
    parser.add_argument("command", nargs="?", default="run", choices=commands,
                        help="run = migrate, then serve gRPC with the outbox relay and consumers in one process")
    args = parser.parse_args(argv)
    settings = load(name, needs_org=needs_org)
    telemetry.setup(f"brobygger-{name}", org=settings.org, otel_endpoint=settings.otel_endpoint,
                    log_level=settings.log_level)
    app = build(settings)
    if args.command == "migrate":
        app.migrate()
        log.info("database is at the newest revision")
        return 0
    if args.command in ("serve", "run"):
        from services.common.auth import TokenVerifier

        if args.command == "run":
            app.migrate()
        verifier = TokenVerifier(settings.oidc_issuer, settings.oidc_audience)
        host = app.host(verifier, relay=args.command == "run", consume=args.command == "run")
        port = host.start()
        log.info("serving %s on port %d", name, port)
        host.run_until_signalled()
        return 0
    workers = []
    if args.command == "relay":
        # Everything that moves committed work outward: the Kafka outbox and any node-to-node deliveries.
        if app.relay is not None:
            workers.append(Worker(f"{name}-relay", app.relay.run))
        workers += app.extra_workers
    if args.command == "consume":
        workers += [Worker(c.consumer_name, c.run) for c in app.consumers]
    if not workers:
        print(f"{name} has nothing to {args.command}", file=sys.stderr)
        return 2
    run_workers_until_signalled(workers)
    return 0
