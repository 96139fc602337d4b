"""Composition root: builds the events service from settings. No I/O at import."""
from __future__ import annotations

import pathlib

from brobygger.events.v1 import events_pb2, events_pb2_grpc
from services.common import grpcclient
from services.common.auth import ServiceTokenSource
from services.common.db import make_engine
from services.common.grpcserver import Registration
from services.common.outbox import OutboxRelay
from services.common.runner import ServiceApp
from services.common.settings import Settings
from services.events.adapters.membership_client import GrpcMembershipClient, MembershipDirectory
from services.events.adapters.orm import tables
from services.events.entrypoints.grpc_servicer import POLICY, EventsServicer
from services.events.service_layer.handlers import Events

MIGRATIONS = pathlib.Path(__file__).parent / "migrations"


def membership_client(settings: Settings) -> GrpcMembershipClient:
    """Membership, asked with the node's own service token. Neither the channel nor the
    token source does I/O before the first call."""
    tokens = ServiceTokenSource(settings.oidc_issuer, settings.service_client_id, settings.service_client_secret)
    return GrpcMembershipClient(grpcclient.channel(settings.membership_address, tokens.token), settings.org,
                                on_unauthenticated=tokens.invalidate)


def build(settings: Settings, membership: MembershipDirectory | None = None) -> ServiceApp:
    engine = make_engine(settings.database_url)
    service = Events(
        engine=engine, tables=tables, org=settings.org, topic=settings.topic("events"),
        source=f"/organizations/{settings.org}/events",
        membership=membership if membership is not None else membership_client(settings),
    )
    full_name = events_pb2.DESCRIPTOR.services_by_name["EventsService"].full_name
    return ServiceApp(
        name="events", settings=settings, engine=engine, tables=tables, migrations=MIGRATIONS,
        registrations=[Registration(events_pb2_grpc.add_EventsServiceServicer_to_server,
                                    EventsServicer(service), full_name)],
        policy=POLICY,
        relay=OutboxRelay(engine, tables["outbox"], settings.kafka_bootstrap, name=f"{settings.org}-events"),
    )
