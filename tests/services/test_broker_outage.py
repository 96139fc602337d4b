"""A broker outage mid-flow loses no event and counts none twice: the
coordinator's writes succeed while the broker is frozen (they wait in the
outbox), and once it is back every fact reaches reporting exactly once."""
from __future__ import annotations

import time

import grpc
import pytest
import sqlalchemy as sa

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.devstack import inprocess
from services.devstack.procs import Broker
from services.membership.bootstrap import build as build_membership
from services.reporting.bootstrap import build as build_reporting
from tests.conftest import bearer
from tests.services.test_reporting import publish_markers
from tests.support import eventually


@pytest.fixture
def own_broker(tmp_path):
    b = Broker(log_path=str(tmp_path / "broker.log")).start()
    yield b
    b.stop()


def test_a_frozen_broker_loses_nothing_and_counts_nothing_twice(own_broker, issuer, tmp_path):
    common = dict(kafka=own_broker.bootstrap, issuer=issuer.url)
    m_env = inprocess.node_env("mir", database_url=f"sqlite:///{tmp_path}/m.db", **common)
    r_env = inprocess.node_env("mir", database_url=f"sqlite:///{tmp_path}/r.db", **common)
    coord = bearer(issuer.token("coordinator-mir"))
    with inprocess.running("membership", build_membership, m_env) as membership, \
            inprocess.running("reporting", build_reporting, r_env) as reporting, \
            grpc.insecure_channel(membership.address) as m_ch, grpc.insecure_channel(reporting.address) as r_ch:
        stub = membership_pb2_grpc.MembershipServiceStub(m_ch)
        stats = reporting_pb2_grpc.ReportingServiceStub(r_ch)

        def register(i: int) -> None:
            person = stub.RegisterPerson(membership_pb2.RegisterPersonRequest(
                parent="organizations/mir", person=membership_pb2.Person(
                    given_name=f"Deltaker{i}", birth_year=1980, gender=types_pb2.GENDER_FEMALE)),
                metadata=coord, timeout=10)
            stub.RecordMembershipYear(membership_pb2.RecordMembershipYearRequest(
                parent=person.name, membership_year=membership_pb2.MembershipYear(
                    year=2025, fee_nok=200, payment_state=membership_pb2.PAYMENT_STATE_PAID)),
                metadata=coord, timeout=10)

        for i in range(4):
            register(i)
        own_broker.pause()
        try:
            for i in range(4, 15):  # writes go on while the broker cannot answer
                register(i)
            outbox = membership.app.tables["outbox"]
            with membership.app.engine.connect() as conn:
                pending = conn.execute(sa.select(sa.func.count()).select_from(outbox)
                                       .where(outbox.c.published_at.is_(None))).scalar_one()
            assert pending > 0
            time.sleep(3)  # the outage's length: it is not waiting for anything
        finally:
            own_broker.resume()

        def members() -> int | None:
            s = stats.GetStatistics(reporting_pb2.GetStatisticsRequest(
                organization="organizations/mir",
                period={"start_date": "2025-01-01", "end_date": "2025-12-31"}), metadata=coord, timeout=10)
            return s.members.value if s.members.WhichOneof("kind") == "value" else None

        # Fifteen: a multiple of k is published as it is, so the figure is exact once every fact is in.
        eventually(lambda: members() == 15, timeout=60, what="all fifteen members counted")
        with membership.app.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(outbox)
                                .where(outbox.c.published_at.is_(None))).scalar_one() == 0
        # Whatever the relay sent twice was sent before these markers; once they are applied, it has been seen.
        markers = publish_markers(own_broker.bootstrap, "mir")
        processed = reporting.app.tables["processed_facts"]

        def applied() -> int:
            with reporting.app.engine.connect() as conn:
                return conn.execute(sa.select(sa.func.count()).select_from(processed)).scalar_one()

        eventually(lambda: applied() == 30 + markers, what="the markers applied")
        assert members() == 15
        assert reporting.app.workers["consume"][0].applied == 30 + markers
