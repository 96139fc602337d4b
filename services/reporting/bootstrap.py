"""Composition root: builds a node's reporting service, or the federation hub,
from settings. No I/O at import; engines and channels are made here."""
from __future__ import annotations

import functools
import pathlib

from brobygger.reporting.v1 import reporting_pb2_grpc
from services.common.consumer import IdempotentConsumer
from services.common.datasubject_servicer import DATA_SUBJECT_POLICY, data_subject_registration
from services.common.db import make_engine
from services.common.runner import ServiceApp, grpc_service, outbox_relay
from services.common.settings import ConfigError, Settings, membership_rules
from services.reporting.adapters.orm import tables
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.privacy import Policy
from services.reporting.entrypoints.grpc_servicer import POLICY, ReportingServicer
from services.reporting.service_layer import erasure, facts
from services.reporting.service_layer.unit_of_work import SqlReportingUnitOfWork

MIGRATIONS = pathlib.Path(__file__).parent / "migrations"


def build(settings: Settings) -> ServiceApp:
    """A node's reporting service: ReportingService, and the consumer of the node's facts."""
    from services.common.kafka import KafkaSecurity

    org = settings.org
    rules = membership_rules(settings)  # before anything starts: a wrong rule file stops the service
    engine = make_engine(settings.database_url)
    uow = functools.partial(SqlReportingUnitOfWork, engine, tables, org)
    # Reporting counts the node's facts, and applies an erasure by keeping the person's records under a
    # token (services/reporting/domain/cellkey.py): the published figures do not change.
    keys = CellKeys(settings.disclosure_secret)
    handler = erasure.consumer(keys)
    consumer = IdempotentConsumer(
        uow, settings.kafka_bootstrap, consumer_name=f"{org}-reporting", group_id=f"{org}.reporting",
        topics=facts.topics(org), handler=handler, source_prefix=f"/organizations/{org}/",
        security=KafkaSecurity.from_settings(settings),
    )
    privacy = (Policy(settings.dp_epsilon_per_query, settings.dp_budget_epsilon, settings.dp_visits_per_person)
               if settings.dp_enabled else None)
    return ServiceApp(
        name="reporting", settings=settings, engine=engine, tables=tables, migrations=MIGRATIONS,
        registrations=[grpc_service(reporting_pb2_grpc.add_ReportingServiceServicer_to_server,
                                    ReportingServicer(uow, org, settings.disclosure_min_cell,
                                                      settings.disclosure_secret, privacy, rules.rules)),
                       data_subject_registration(uow, org)],
        policy={**POLICY, **DATA_SUBJECT_POLICY},
        # The relay publishes reporting's confirmations of erasures (its only facts).
        workers={"consume": [consumer], "relay": [outbox_relay(settings, engine, tables, "reporting")]},
    )


def build_hub(settings: Settings) -> ServiceApp:
    """The federation hub: FederationService over the nodes of the directory. It keeps no data; its
    channels and threads are closed when it stops."""
    from services.common.auth import ServiceTokenSource
    from services.common.directory import DirectoryError
    from services.reporting.adapters.nodes import GrpcReportingNodes, load_directory
    from services.reporting.entrypoints.federation_servicer import FederationServicer
    from services.reporting.service_layer.federation import Federation, RateLimiter

    try:
        nodes = load_directory(settings.federation_directory)
    except DirectoryError as exc:
        raise ConfigError(exc.problems) from None
    tokens = ServiceTokenSource(settings.oidc_issuer, settings.service_client_id, settings.service_client_secret)
    federation = Federation(nodes, GrpcReportingNodes(nodes, tokens.token), tokens,
                            limiter=RateLimiter(settings.hub_queries_per_minute, settings.hub_query_burst))
    return ServiceApp(
        name="hub", settings=settings, migrations=None, engine=None,
        registrations=[grpc_service(reporting_pb2_grpc.add_FederationServiceServicer_to_server,
                                    FederationServicer(federation))],
        policy={},
        hub_mode=True,
        closers=[federation.close],
    )
