"""Composition root: builds the referral service from settings. No I/O at import."""
from __future__ import annotations

import logging
import pathlib

from brobygger.referral.v1 import referral_pb2, referral_pb2_grpc
from services.common.auth import ServiceTokenSource
from services.common.db import make_engine
from services.common.directory import VARIABLE, DirectoryError, FederationDirectory
from services.common.grpcserver import Registration, Worker
from services.common.outbox import OutboxRelay
from services.common.runner import ServiceApp
from services.common.settings import ConfigError, Settings
from services.referral.adapters.orm import tables
from services.referral.adapters.peers import PeerClient
from services.referral.entrypoints.grpc_servicer import POLICY, ReferralServicer
from services.referral.service_layer.delivery import Deliverer
from services.referral.service_layer.handlers import Referrals

MIGRATIONS = pathlib.Path(__file__).parent / "migrations"

log = logging.getLogger(__name__)


def build(settings: Settings) -> ServiceApp:
    directory = FederationDirectory(settings.federation_directory)
    if directory.configured:
        try:
            directory.load()  # a broken directory stops the start, naming the file and entry
        except DirectoryError as exc:
            raise ConfigError([f"{VARIABLE}: {exc}"]) from None
    else:
        log.warning("%s is not set: this node can refer to partners but not to other federation nodes", VARIABLE)
    engine = make_engine(settings.database_url)
    service = Referrals(
        engine=engine, tables=tables, org=settings.org, topic=settings.topic("referral"),
        source=f"/organizations/{settings.org}/referral", directory=directory,
    )
    tokens = ServiceTokenSource(settings.oidc_issuer, settings.service_client_id, settings.service_client_secret)
    deliverer = Deliverer(engine=engine, directory=directory, peers=PeerClient(tokens.token),
                          name=f"{settings.org}-referral-delivery")
    full_name = referral_pb2.DESCRIPTOR.services_by_name["ReferralService"].full_name
    return ServiceApp(
        name="referral", settings=settings, engine=engine, tables=tables, migrations=MIGRATIONS,
        registrations=[Registration(referral_pb2_grpc.add_ReferralServiceServicer_to_server,
                                    ReferralServicer(service), full_name)],
        policy=POLICY,
        relay=OutboxRelay(engine, tables["outbox"], settings.kafka_bootstrap, name=f"{settings.org}-referral"),
        extra_workers=[Worker(deliverer.name, deliverer.run)],
    )
