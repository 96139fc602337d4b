"""Composition root: builds the events service from settings. No I/O at import."""
from __future__ import annotations

import functools
import pathlib

from brobygger.events.v1 import (
    activity_lists_pb2_grpc, erasure_facts_pb2, events_pb2_grpc, grants_pb2_grpc, recurrence_pb2_grpc,
    registration_pb2_grpc,
)
from services.common import grpcclient
from services.common.auth import ServiceTokenSource
from services.common.datasubject_servicer import DATA_SUBJECT_POLICY, data_subject_registration, erasure_worker
from services.common.db import make_engine
from services.common.runner import ServiceApp, grpc_service, outbox_relay
from services.common.settings import Settings
from services.events.adapters.membership_client import GrpcMembershipClient, MembershipDirectory
from services.events.adapters.orm import tables
from services.events.entrypoints.activity_lists_servicer import LISTS_POLICY, ActivityListsServicer
from services.events.entrypoints.grants_servicer import GRANTS_POLICY, GrantsServicer
from services.events.entrypoints.grpc_servicer import POLICY, EventsServicer
from services.events.entrypoints.recurrence_servicer import RecurrenceServicer
from services.events.entrypoints.registration_servicer import POLICY as REGISTRATION_POLICY, RegistrationServicer
from services.events.service_layer.unit_of_work import SqlEventsUnitOfWork

MIGRATIONS = pathlib.Path(__file__).parent / "migrations"


def confirm_erasure(erasure_id: str) -> erasure_facts_pb2.PersonDataErased:
    """The fact that this service has erased the person of an erasure."""
    return erasure_facts_pb2.PersonDataErased(erasure_id=erasure_id)


def membership_client(settings: Settings) -> GrpcMembershipClient:
    """Membership, asked with the node's own service token. Neither the channel nor the
    token source does I/O before the first call."""
    tokens = ServiceTokenSource(settings.oidc_issuer, settings.service_client_id, settings.service_client_secret)
    return GrpcMembershipClient(grpcclient.channel(settings.membership_address, tokens.token), settings.org,
                                on_unauthenticated=tokens.invalidate)


def build(settings: Settings, membership: MembershipDirectory | None = None) -> ServiceApp:
    """The events service; membership defaults to the node's membership service over gRPC."""
    engine = make_engine(settings.database_url)
    uow = functools.partial(SqlEventsUnitOfWork, engine, tables, settings.org)
    closers = []
    if membership is None:
        client = membership_client(settings)
        membership, closers = client, [client.close]
    return ServiceApp(
        name="events", settings=settings, engine=engine, tables=tables, migrations=MIGRATIONS,
        registrations=[grpc_service(events_pb2_grpc.add_EventsServiceServicer_to_server,
                                    EventsServicer(uow, settings.org, membership)),
                       grpc_service(recurrence_pb2_grpc.add_RecurrenceServiceServicer_to_server,
                                    RecurrenceServicer(uow, settings.org)),
                       grpc_service(registration_pb2_grpc.add_RegistrationServiceServicer_to_server,
                                    RegistrationServicer(uow, settings.org, membership)),
                       grpc_service(grants_pb2_grpc.add_GrantsServiceServicer_to_server,
                                    GrantsServicer(uow, settings.org)),
                       grpc_service(activity_lists_pb2_grpc.add_ActivityListsServiceServicer_to_server,
                                    ActivityListsServicer(uow, settings.org)),
                       data_subject_registration(uow, settings.org)],
        policy={**POLICY, **REGISTRATION_POLICY, **GRANTS_POLICY, **LISTS_POLICY, **DATA_SUBJECT_POLICY},
        workers={"relay": [outbox_relay(settings, engine, tables, "events")],
                 "consume": [erasure_worker(settings, uow, "events", confirm_erasure)]},
        closers=closers,
    )
