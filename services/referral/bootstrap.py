"""Composition root: builds the referral service from settings. No I/O at import."""
from __future__ import annotations

import functools
import logging
import pathlib

from brobygger.referral.v1 import erasure_facts_pb2, referral_pb2_grpc
from services.common import grpcclient
from services.common.auth import ServiceTokenSource
from services.common.datasubject_servicer import DATA_SUBJECT_POLICY, data_subject_registration, erasure_worker
from services.common.db import make_engine
from services.common.directory import VARIABLE, DirectoryError, FederationDirectory
from services.common.runner import ServiceApp, grpc_service, outbox_relay
from services.common.settings import ConfigError, Settings
from services.referral.adapters.consent_client import GrpcConsentClient
from services.referral.adapters.orm import tables
from services.referral.adapters.peers import PeerClient
from services.referral.entrypoints.grpc_servicer import POLICY, ReferralServicer
from services.referral.service_layer.consent import ConsentChecker
from services.referral.service_layer.delivery import Deliverer
from services.referral.service_layer.unit_of_work import SqlReferralUnitOfWork

MIGRATIONS = pathlib.Path(__file__).parent / "migrations"


def confirm_erasure(erasure_id: str) -> erasure_facts_pb2.PersonDataErased:
    """The fact that this service has erased the person of an erasure."""
    return erasure_facts_pb2.PersonDataErased(erasure_id=erasure_id)

log = logging.getLogger(__name__)


def _directory(settings: Settings) -> FederationDirectory:
    directory = FederationDirectory(settings.federation_directory)
    if directory.configured:
        try:
            directory.load()  # a broken directory stops the start, naming the file and entry
        except DirectoryError as exc:
            raise ConfigError([f"{VARIABLE}: {exc}"]) from None
    else:
        log.warning("%s is not set: this node can refer to partners but not to other federation nodes", VARIABLE)
    return directory


def build(settings: Settings, consents: ConsentChecker | None = None) -> ServiceApp:
    """The referral service; consents (whether a person consents to referral sharing) defaults to the node's
    membership service over gRPC, asked with the node's service token."""
    directory = _directory(settings)
    engine = make_engine(settings.database_url)
    uow = functools.partial(SqlReferralUnitOfWork, engine, tables, settings.org)
    tokens = ServiceTokenSource(settings.oidc_issuer, settings.service_client_id, settings.service_client_secret)
    peers = PeerClient(tokens.token)
    closers = [peers.close]  # the deliverer closes them when it stops; this covers a process that never ran it
    if consents is None:
        client = GrpcConsentClient(grpcclient.channel(settings.membership_address, tokens.token),
                                   on_unauthenticated=tokens.invalidate)
        consents = client
        closers.append(client.close)
    deliverer = Deliverer(uow, directory, peers, consents=consents, name=f"{settings.org}-referral-delivery")
    return ServiceApp(
        name="referral", settings=settings, engine=engine, tables=tables, migrations=MIGRATIONS,
        registrations=[grpc_service(referral_pb2_grpc.add_ReferralServiceServicer_to_server,
                                    ReferralServicer(uow, settings.org, directory, consents)),
                       data_subject_registration(uow, settings.org)],
        policy={**POLICY, **DATA_SUBJECT_POLICY},
        workers={"relay": [outbox_relay(settings, engine, tables, "referral")],
                 "consume": [erasure_worker(settings, uow, "referral", confirm_erasure)],
                 "deliver": [deliverer]},
        closers=closers,
    )
