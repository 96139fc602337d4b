"""Composition root: builds the membership service from settings. No I/O at import."""
from __future__ import annotations

import functools
import pathlib

from brobygger.membership.v1 import consent_pb2_grpc, membership_pb2_grpc
from services.common.db import make_engine
from services.common.runner import ServiceApp, grpc_service, outbox_relay
from services.common.settings import Settings, membership_rules
from services.membership.adapters.orm import tables
from services.membership.entrypoints.consent_servicer import CONSENT_POLICY, ConsentServicer
from services.membership.entrypoints.grpc_servicer import POLICY, MembershipServicer
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
                                    ConsentServicer(uow, settings.org, settings.consent_age))],
        policy={**POLICY, **CONSENT_POLICY},
        workers={"relay": [outbox_relay(settings, engine, tables, "membership")],
                 "import": [PersonImportWorker(uow, settings.org, files=files)]},
    )
