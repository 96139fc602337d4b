"""Composition root: builds the reporting service (node mode) or the federation
hub from settings. No I/O at import; channels and engines are made here."""
from __future__ import annotations

import pathlib
import threading
from dataclasses import dataclass

import sqlalchemy as sa

from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from services.common.consumer import IdempotentConsumer
from services.common.db import make_engine
from services.common.grpcserver import Registration, Worker
from services.common.runner import ServiceApp
from services.common.settings import ConfigError, Settings
from services.reporting.adapters.orm import tables
from services.reporting.service_layer import facts
from services.reporting.service_layer.handlers import Reporting

MIGRATIONS = pathlib.Path(__file__).parent / "migrations"


def _full_name(service: str) -> str:
    return reporting_pb2.DESCRIPTOR.services_by_name[service].full_name


def build(settings: Settings) -> ServiceApp:
    """A node's reporting service: the fact consumer and ReportingService."""
    from services.reporting.entrypoints.grpc_servicer import POLICY, ReportingServicer

    engine = make_engine(settings.database_url)
    service = Reporting(engine=engine, tables=tables, org=settings.org, min_cell=settings.disclosure_min_cell)
    consumer = IdempotentConsumer(
        engine, tables, settings.kafka_bootstrap,
        consumer_name=f"{settings.org}-reporting", group_id=f"{settings.org}.reporting",
        topics=facts.topics(settings.org), handler=facts.apply,
    )
    return ServiceApp(
        name="reporting", settings=settings, engine=engine, tables=tables, migrations=MIGRATIONS,
        registrations=[Registration(reporting_pb2_grpc.add_ReportingServiceServicer_to_server,
                                    ReportingServicer(service), _full_name("ReportingService"))],
        policy=POLICY,
        consumers=[consumer],
    )


@dataclass
class HubApp(ServiceApp):
    """The hub keeps no data of its own: nothing to migrate."""

    def migrate(self) -> None:
        return None


def build_hub(settings: Settings) -> ServiceApp:
    """The federation hub: FederationService over the nodes of the directory."""
    from services.common.auth import ServiceTokenSource
    from services.common.directory import DirectoryError
    from services.reporting.adapters.nodes import NodeClients, load_directory
    from services.reporting.entrypoints.federation_servicer import FederationServicer
    from services.reporting.service_layer.federation import Federation

    try:
        nodes = load_directory(settings.federation_directory)
    except DirectoryError as exc:
        raise ConfigError(exc.problems) from None
    tokens = ServiceTokenSource(settings.oidc_issuer, settings.service_client_id, settings.service_client_secret)
    federation = Federation(nodes, NodeClients(nodes, tokens.token), tokens)

    def close_when_stopped(stop: threading.Event) -> None:
        stop.wait()
        federation.close()

    return HubApp(
        name="hub", settings=settings, engine=sa.create_engine("sqlite://"), tables={}, migrations=MIGRATIONS,
        registrations=[Registration(reporting_pb2_grpc.add_FederationServiceServicer_to_server,
                                    FederationServicer(federation), _full_name("FederationService"))],
        policy={},
        hub_mode=True,
        extra_workers=[Worker("hub-channels", close_when_stopped)],
    )
