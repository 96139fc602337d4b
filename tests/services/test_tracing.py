"""One trace runs from the HTTP request through the gateway, gRPC, the
outbox, Kafka and the reporting consumer; no span carries personal data."""
from __future__ import annotations

import json
import re

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.app import create_app
from services.common.settings import load
from services.devstack import inprocess
from services.membership.bootstrap import build as build_membership
from services.reporting.bootstrap import build as build_reporting
from tests.support import eventually

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


def test_one_trace_from_http_to_the_consumer(broker, issuer, tmp_path, spans):
    common = dict(kafka=broker.bootstrap, issuer=issuer.url)
    m_env = inprocess.node_env("mir", database_url=f"sqlite:///{tmp_path}/m.db", **common)
    r_env = inprocess.node_env("mir", database_url=f"sqlite:///{tmp_path}/r.db", **common)
    with inprocess.running("membership", build_membership, m_env) as membership, \
            inprocess.running("reporting", build_reporting, r_env) as reporting:
        gw_env = {**m_env, "BROBYGGER_MEMBERSHIP_ADDRESS": membership.address,
                  "BROBYGGER_REPORTING_ADDRESS": reporting.address}
        app = create_app(load("gateway", gw_env))
        client = app.test_client()
        resp = client.post(
            "/api/v1/persons",
            data=json.dumps({"given_name": "Amina", "family_name": "Hussain", "birth_year": 1984,
                             "gender": "GENDER_FEMALE", "phone": "+47 912 34 567"}),
            headers={"Authorization": f"Bearer {issuer.token('coordinator-mir')}",
                     "Content-Type": "application/json",
                     "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"},
        )
        assert resp.status_code == 201, resp.get_data(as_text=True)

        def ours():
            return [s for s in spans.get_finished_spans() if f"{s.context.trace_id:032x}" == TRACE_ID]

        eventually(lambda: any(s.kind == trace.SpanKind.CONSUMER for s in ours()), timeout=20,
                   what="the consumer's span")
        found = ours()
        # gRPC spans are named by the full method, "/package.Service/Method".
        kinds = {(s.kind, s.name.lstrip("/").split(" ")[0]) for s in found}
        assert (trace.SpanKind.SERVER, "brobygger.membership.v1.MembershipService/RegisterPerson") in kinds
        assert (trace.SpanKind.CLIENT, "brobygger.membership.v1.MembershipService/RegisterPerson") in kinds
        assert (trace.SpanKind.PRODUCER, "publish") in kinds
        assert (trace.SpanKind.CONSUMER, "process") in kinds
        assert any(s.kind == trace.SpanKind.SERVER and s.attributes.get("http.route") for s in found)
        rpc = [s for s in found if s.attributes.get("rpc.system") == "grpc"]
        register = {s.kind: s for s in rpc if s.name.endswith("/RegisterPerson")}
        assert register[trace.SpanKind.SERVER].parent.span_id == register[trace.SpanKind.CLIENT].context.span_id
        for span in rpc:  # method, status and peer address only: never a request or response
            assert not span.events
            assert set(span.attributes) <= {"rpc.system", "rpc.service", "rpc.method", "rpc.grpc.status_code",
                                            "rpc.user_agent", "net.peer.ip", "net.peer.port", "net.peer.name"}
        app.extensions["brobygger_gateway"].close()
    text = repr([(s.name, dict(s.attributes or {}), [e.attributes for e in s.events]) for s in found])
    for secret in ("Amina", "Hussain", "912 34 567", "1984"):
        # As a value of its own: a random hex id may well contain the digits 1984.
        assert not re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", text), secret
