"""Across services: the referral service asks the node's real membership service whether a person consents
to referral sharing before it shares their contact with another node, when the referral is made and again
at the hand-over; real gRPC servers with real service tokens, SQLite and PostgreSQL, the real broker."""
from __future__ import annotations

import contextlib
import json

import grpc
import pytest
import sqlalchemy as sa

from brobygger.membership.v1 import consent_pb2, consent_pb2_grpc, membership_pb2, membership_pb2_grpc
from brobygger.referral.v1 import referral_pb2 as pb
from brobygger.referral.v1 import referral_pb2_grpc
from services.common.auth import TokenVerifier
from services.common.settings import load
from services.devstack import inprocess
from services.devstack.procs import free_port
from services.membership.bootstrap import build as build_membership
from services.referral.bootstrap import build as build_referral
from tests.conftest import bearer
from tests.services.test_membership import amina, with_chapters
from tests.services.test_referral import problem_of, to_node

ORG = "organizations/mir"


@pytest.fixture
def node(tmp_path, broker, issuer, database_url):
    """mir's membership and referral services (the referral without its delivery worker, run by the test)."""
    env = inprocess.node_env("mir", database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url)
    with contextlib.ExitStack() as stack:
        membership = with_chapters(stack.enter_context(
            inprocess.running("membership", build_membership, env, roles=())))
        directory = tmp_path / "federation.json"
        directory.write_text(json.dumps({"nodes": [
            {"org": "mir", "name": "MiR", "referral": "127.0.0.1:1", "reporting": "127.0.0.1:1"},
            {"org": "mira", "name": "MiRA-Senteret", "referral": f"127.0.0.1:{free_port()}",
             "reporting": "127.0.0.1:1"}]}))
        url = database_url if database_url.startswith("sqlite") else stack.enter_context(
            inprocess.postgres_database(inprocess.POSTGRES_ADMIN_URL))
        if url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path}/referral.db"
        settings = load("referral", {**inprocess.node_env("mir", database_url=url, kafka=broker.bootstrap,
                                                          issuer=issuer.url),
                                     "BROBYGGER_FEDERATION_DIRECTORY": str(directory),
                                     "BROBYGGER_MEMBERSHIP_ADDRESS": membership.address})
        app = build_referral(settings)
        app.migrate()
        stack.callback(app.close)
        host = app.host(TokenVerifier(settings.oidc_issuer, settings.oidc_audience), roles=(), address="127.0.0.1:0")
        port = host.start()
        stack.callback(host.stop, 0.5)
        channels = [grpc.insecure_channel(membership.address), grpc.insecure_channel(f"127.0.0.1:{port}")]
        for ch in channels:
            stack.callback(ch.close)
        yield {"membership": membership, "referral": app,
               "persons": membership_pb2_grpc.MembershipServiceStub(channels[0]),
               "consents": consent_pb2_grpc.ConsentServiceStub(channels[0]),
               "referrals": referral_pb2_grpc.ReferralServiceStub(channels[1])}


@pytest.fixture
def coord(issuer):
    return bearer(issuer.token("coordinator-mir"))


def person(node, coord):
    return node["persons"].RegisterPerson(membership_pb2.RegisterPersonRequest(parent=ORG, person=amina()),
                                          metadata=coord, timeout=10)


def consent(node, coord, who):
    return node["consents"].RecordConsent(consent_pb2.RecordConsentRequest(parent=who.name, consent=consent_pb2.Consent(
        purpose=consent_pb2.CONSENT_PURPOSE_REFERRAL_SHARING, text_version="samtykke-2026-01",
        source=consent_pb2.CONSENT_SOURCE_PAPER_FORM, given_by=consent_pb2.CONSENT_GIVER_PERSON)),
        metadata=coord, timeout=10)


def withdraw(node, coord, c):
    node["consents"].WithdrawConsent(consent_pb2.WithdrawConsentRequest(
        name=c.name, source=consent_pb2.CONSENT_SOURCE_VERBAL), metadata=coord, timeout=10)


def create(node, coord, who):
    return node["referrals"].CreateReferral(pb.CreateReferralRequest(parent=ORG, referral=to_node(person=who.name)),
                                            metadata=coord, timeout=10)


def test_no_referral_to_another_node_without_consent_and_membership_audits_the_question(node, coord):
    amina_ = person(node, coord)
    problem = problem_of(lambda: create(node, coord, amina_))
    assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "REFERRAL_SHARING_CONSENT_MISSING")
    assert [f for f, _ in problem.violations] == ["referral.person"]
    c = consent(node, coord, amina_)
    made = create(node, coord, amina_)
    assert made.state == pb.REFERRAL_STATE_REQUESTED and made.delivery_state == "pending"
    withdraw(node, coord, c)
    problem = problem_of(lambda: create(node, coord, amina_))
    assert problem.reason == "REFERRAL_SHARING_CONSENT_MISSING"
    audit = node["membership"].app.tables["audit_log"]
    with node["membership"].app.engine.connect() as conn:
        rows = conn.execute(sa.select(audit).where(audit.c.action == "consent.check").order_by(audit.c.id)).all()
    assert [(r.actor, r.actor_client, r.purpose) for r in rows] == [
        ("coordinator-mir", "service-account-node-mir on behalf of coordinator-mir",
         "CONSENT_PURPOSE_REFERRAL_SHARING: referral to mira")] * 3


def test_a_consent_withdrawn_before_the_hand_over_stops_it(node, coord):
    amina_ = person(node, coord)
    c = consent(node, coord, amina_)
    made = create(node, coord, amina_)
    withdraw(node, coord, c)
    [deliverer] = node["referral"].workers["deliver"]
    assert deliverer.run_once() == 0
    got = node["referrals"].GetReferral(pb.GetReferralRequest(name=made.name, purpose="follow-up"), metadata=coord)
    assert (got.state, got.outcome, got.delivery_state) == (pb.REFERRAL_STATE_CANCELLED, "consent_withdrawn",
                                                            "refused")
    deliveries = node["referral"].tables["deliveries"]
    with node["referral"].engine.connect() as conn:
        row = conn.execute(sa.select(deliveries)).one()
    assert (row.state, row.payload, row.last_error) == ("refused", b"", "REFERRAL_SHARING_CONSENT_MISSING")


def test_when_membership_cannot_be_asked_nothing_is_shared(node, coord):
    amina_ = person(node, coord)
    consent(node, coord, amina_)
    node["membership"].host.stop(0)
    problem = problem_of(lambda: create(node, coord, amina_))
    assert (problem.code, problem.reason) == (grpc.StatusCode.UNAVAILABLE, "CONSENT_CHECK_UNAVAILABLE")
