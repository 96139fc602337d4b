"""Composition root: builds the membership service from settings. No I/O at import."""
from __future__ import annotations

import pathlib

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from services.common.db import make_engine
from services.common.grpcserver import Registration
from services.common.outbox import OutboxRelay
from services.common.runner import ServiceApp
from services.common.settings import Settings
from services.membership.adapters.orm import tables
from services.membership.entrypoints.grpc_servicer import POLICY, MembershipServicer
from services.membership.service_layer.handlers import Membership

MIGRATIONS = pathlib.Path(__file__).parent / "migrations"


def build(settings: Settings) -> ServiceApp:
    engine = make_engine(settings.database_url)
    service = Membership(
        engine=engine, tables=tables, org=settings.org, topic=settings.topic("membership"),
        source=f"/organizations/{settings.org}/membership",
    )
    full_name = membership_pb2.DESCRIPTOR.services_by_name["MembershipService"].full_name
    return ServiceApp(
        name="membership", settings=settings, engine=engine, tables=tables, migrations=MIGRATIONS,
        registrations=[Registration(membership_pb2_grpc.add_MembershipServiceServicer_to_server,
                                    MembershipServicer(service), full_name)],
        policy=POLICY,
        relay=OutboxRelay(engine, tables["outbox"], settings.kafka_bootstrap, name=f"{settings.org}-membership"),
    )
