"""Composition root: builds the membership service from settings. No I/O at import."""
from __future__ import annotations

import functools
import pathlib

from brobygger.datasubject.v1 import datasubject_pb2_grpc
from brobygger.membership.v1 import consent_pb2_grpc, erasure_pb2_grpc, membership_pb2_grpc
from services.common.consumer import IdempotentConsumer
from services.common.datasubject_servicer import DATA_SUBJECT_POLICY, DataSubjectServicer
from services.common.db import make_engine
from services.common.runner import ServiceApp, grpc_service, outbox_relay
from services.common.settings import Settings, membership_rules
from services.membership.adapters.orm import tables
from services.membership.entrypoints.consent_servicer import CONSENT_POLICY, ConsentServicer
from services.membership.entrypoints.erasure_servicer import ERASURE_POLICY, ErasureServicer
from services.membership.entrypoints.grpc_servicer import POLICY, MembershipServicer
from services.membership.service_layer import erasure
from services.membership.service_layer.person_import import ParsedFiles, PersonImportWorker
from services.membership.service_layer.unit_of_work import SqlMembershipUnitOfWork

MIGRATIONS = pathlib.Path(__file__).parent / "migrations"


def build(settings: Settings) -> ServiceApp:
    rules = membership_rules(settings)  # before anything starts: a wrong rule file stops the service
    engine = make_engine(settings.database_url)
    uow = functools.partial(SqlMembershipUnitOfWork, engine, tables, settings.org)
    servicer, files = MembershipServicer(uow, settings.org, rules), ParsedFiles()
    servicer.import_files = files
    return ServiceApp(
        name="membership", settings=settings, engine=engine, tables=tables, migrations=MIGRATIONS,
        registrations=[grpc_service(membership_pb2_grpc.add_MembershipServiceServicer_to_server,
                                    servicer),
                       grpc_service(consent_pb2_grpc.add_ConsentServiceServicer_to_server,
                                    ConsentServicer(uow, settings.org, settings.consent_age)),
                       *erasure_registrations(uow, settings.org)],
        policy={**POLICY, **CONSENT_POLICY, **ERASURE_POLICY, **DATA_SUBJECT_POLICY},
        workers={"relay": [outbox_relay(settings, engine, tables, "membership")],
                 "consume": [erasure_confirmations(settings, uow)],
                 "import": [PersonImportWorker(uow, settings.org, files=files)]},
    )


def erasure_registrations(uow, org: str):
    """The erasure log and the person's export, beside MembershipService."""
    return [grpc_service(erasure_pb2_grpc.add_ErasureServiceServicer_to_server, ErasureServicer(uow, org)),
            grpc_service(datasubject_pb2_grpc.add_DataSubjectServiceServicer_to_server,
                         DataSubjectServicer(uow, org, erasure.refuse_while_erasing(org)))]


def erasure_confirmations(settings: Settings, uow) -> IdempotentConsumer:
    """Membership's consumer of the other services' PersonDataErased facts (the erasure log's progress)."""
    from services.common.kafka import KafkaSecurity

    org = settings.org
    return IdempotentConsumer(
        uow, settings.kafka_bootstrap, consumer_name=f"{org}-membership", group_id=f"{org}.membership",
        topics=erasure.confirmation_topics(org), handler=erasure.confirmations_consumer(),
        source_prefix=f"/organizations/{org}/", security=KafkaSecurity.from_settings(settings))
