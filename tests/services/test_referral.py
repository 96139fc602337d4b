"""The referral service of two (and three) nodes against real gRPC servers,
real SQLite and PostgreSQL, the real broker and real signed tokens: referrals
to partners, and referrals that travel node to node and report back."""
from __future__ import annotations

import concurrent.futures
import contextlib
import json
import uuid

import grpc
import pytest
import sqlalchemy as sa
from cloudevents.v1.kafka import KafkaMessage, from_binary

from brobygger.referral.v1 import referral_facts_pb2, referral_pb2, referral_pb2_grpc
from services.common.auth import TokenVerifier
from services.common.grpcclient import decode_error
from services.common.settings import load
from services.devstack import inprocess
from services.devstack.procs import free_port
from services.referral.bootstrap import build
from tests.conftest import bearer
from tests.services.kafka_read import read_topic
from tests.support import eventually, without_ids

pb = referral_pb2
NAMES = {"mir": "MiR – Multikulturelt Initiativ og Ressursnettverk", "mira": "MiRA-Senteret",
         "mkr": "Minhaj Konfliktråd"}


class EveryoneConsents:
    """Membership's answer on referral sharing for the tests of referrals themselves: every person consents.
    The refusal without consent, against the real membership service, is in test_referral_consent.py."""

    def sharing_in_force(self, person, *, reason, on_behalf_of=""):
        return True


@contextlib.contextmanager
def serve(org: str, url: str, port: int, directory, broker, issuer):
    """One node's referral service on a known port, as the directory lists it."""
    env = inprocess.node_env(org, database_url=url, kafka=broker.bootstrap, issuer=issuer.url,
                             BROBYGGER_FEDERATION_DIRECTORY=str(directory))
    settings = load("referral", env)
    app = build(settings, consents=EveryoneConsents())
    app.migrate()
    host = app.host(TokenVerifier(settings.oidc_issuer, settings.oidc_audience), address=f"127.0.0.1:{port}")
    host.start()
    try:
        yield inprocess.RunningService(app, host, f"127.0.0.1:{port}")
    finally:
        host.stop(0.5)
        app.close()


class Federation:
    def __init__(self, tmp_path, broker, issuer, urls: dict[str, str]) -> None:
        self.broker, self.issuer, self.urls = broker, issuer, urls
        self.ports = {org: free_port() for org in NAMES}
        self.directory = tmp_path / "federation.json"
        self.directory.write_text(json.dumps({"nodes": [
            {"org": org, "name": NAMES[org], "referral": f"127.0.0.1:{port}", "reporting": "127.0.0.1:1"}
            for org, port in self.ports.items()]}))
        self.nodes: dict[str, inprocess.RunningService] = {}
        self._stack = contextlib.ExitStack()
        self._channels: list[grpc.Channel] = []

    def start(self, org: str) -> inprocess.RunningService:
        self.nodes[org] = self._stack.enter_context(
            serve(org, self.urls[org], self.ports[org], self.directory, self.broker, self.issuer))
        return self.nodes[org]

    def stub(self, org: str) -> referral_pb2_grpc.ReferralServiceStub:
        ch = grpc.insecure_channel(f"127.0.0.1:{self.ports[org]}")
        self._channels.append(ch)
        return referral_pb2_grpc.ReferralServiceStub(ch)

    def close(self) -> None:
        for ch in self._channels:
            ch.close()
        self._stack.close()


@pytest.fixture
def fed(tmp_path, broker, issuer, database_url):
    with contextlib.ExitStack() as stack:
        urls = {"mir": database_url}
        for org in ("mira", "mkr"):
            if database_url.startswith("sqlite"):
                urls[org] = f"sqlite:///{tmp_path}/{org}-referral.db"
            else:
                urls[org] = stack.enter_context(inprocess.postgres_database(inprocess.POSTGRES_ADMIN_URL))
        f = Federation(tmp_path, broker, issuer, urls)
        stack.callback(f.close)
        f.start("mira")
        f.start("mir")
        yield f


@pytest.fixture
def mir(fed):
    return fed.stub("mir")


@pytest.fixture
def mira(fed):
    return fed.stub("mira")


@pytest.fixture
def coord_mir(issuer):
    return bearer(issuer.token("coordinator-mir"))


@pytest.fixture
def coord_mira(issuer):
    return bearer(issuer.token("coordinator-mira"))


def to_school(**overrides) -> pb.Referral:
    fields = dict(partner_kind=pb.PARTNER_KIND_SCHOOL, partner_name="Linderud skole",
                  reason_category=pb.REASON_CATEGORY_SCHOOL_HOME,
                  person=f"organizations/mir/persons/{uuid.uuid4().hex}")
    fields.update(overrides)
    return pb.Referral(**fields)


def to_node(target: str = "mira", **overrides) -> pb.Referral:
    fields = dict(partner_kind=pb.PARTNER_KIND_FEDERATION_NODE, target_organization=target,
                  reason_category=pb.REASON_CATEGORY_LEGAL_AID, consent_given=True,
                  person=f"organizations/mir/persons/{uuid.uuid4().hex}",
                  shared_contact=pb.SharedContact(given_name="Amina", phone="+47 912 34 567", preferred_language="ur"))
    fields.update(overrides)
    return pb.Referral(**fields)


def create(stub, md, referral, request_id="", parent="organizations/mir"):
    return stub.CreateReferral(pb.CreateReferralRequest(parent=parent, referral=referral, request_id=request_id),
                               metadata=md, timeout=10)


def problem_of(call):
    with pytest.raises(grpc.RpcError) as err:
        call()
    return decode_error(err.value)


def incoming(stub, md, org: str) -> list[pb.Referral]:
    page = stub.ListReferrals(pb.ListReferralsRequest(parent=f"organizations/{org}", page_size=200,
                                                      purpose="intake of new referrals"), metadata=md)
    return [r for r in page.referrals if r.direction == pb.DIRECTION_INCOMING]


def referral_when(stub, md, name: str, ready, what: str) -> pb.Referral:
    """The referral, once ready(referral) holds."""
    def probe():
        r = stub.GetReferral(pb.GetReferralRequest(name=name, purpose="follow-up"), metadata=md)
        return r if ready(r) else None
    return eventually(probe, what=what)


def rows(node, table: str, where=None) -> list:
    t = node.app.tables[table]
    q = sa.select(t).order_by(*t.primary_key.columns)
    if where is not None:
        q = q.where(where(t))
    with node.app.engine.connect() as conn:
        return conn.execute(q).all()


# ---------------------------------------------------------------------------- referrals to partners


def test_partner_referral_lifecycle_publishes_one_fact_per_change(mir, coord_mir, broker):
    created = create(mir, coord_mir, to_school())
    assert created.name.startswith("organizations/mir/referrals/")
    assert (created.state, created.direction, created.delivery_state) == (
        pb.REFERRAL_STATE_REQUESTED, pb.DIRECTION_OUTGOING, "")
    accepted = mir.AcceptReferral(pb.AcceptReferralRequest(name=created.name), metadata=coord_mir)
    assert accepted.state == pb.REFERRAL_STATE_ACCEPTED
    done = mir.CompleteReferral(pb.CompleteReferralRequest(name=created.name, outcome="place_found"),
                                metadata=coord_mir)
    assert (done.state, done.outcome) == (pb.REFERRAL_STATE_COMPLETED, "place_found")

    rid = created.name.rsplit("/", 1)[1]
    mine = lambda recs: [r for r in recs if r.key == rid.encode()]  # noqa: E731
    records = mine(read_topic(broker.bootstrap, "mir.referral", until=lambda recs: len(mine(recs)) >= 3))
    assert len(records) == 3
    states = []
    for rec in records:
        event = from_binary(KafkaMessage(headers=dict(rec.headers), key=rec.key, value=rec.value),
                            data_unmarshaller=lambda raw: raw)
        assert event["type"] == "no.brobygger.referral.referral_state_changed.v1"
        assert event["source"] == "/organizations/mir/referral"
        assert event["specversion"] == "1.0" and event["id"]
        assert dict(rec.headers)["content-type"] == b"application/protobuf"
        fact = referral_facts_pb2.ReferralStateChanged.FromString(event.get_data())
        assert (fact.referral_id, fact.direction, fact.partner_kind, fact.reason_category) == (
            rid, pb.DIRECTION_OUTGOING, pb.PARTNER_KIND_SCHOOL, pb.REASON_CATEGORY_SCHOOL_HOME)
        assert fact.created_date == created.create_time.ToDatetime().date().isoformat()
        states.append(fact.state)
        person_id = created.person.rsplit("/", 1)[1].encode()
        for secret in (person_id, b"Linderud", b"place_found"):
            assert secret not in rec.value
    assert states == [pb.REFERRAL_STATE_REQUESTED, pb.REFERRAL_STATE_ACCEPTED, pb.REFERRAL_STATE_COMPLETED]


def test_rule_errors_reach_the_caller_with_reason_violations_and_metadata(mir, coord_mir):
    """The rules themselves are in tests/service_layer/test_referral.py; here, that each kind of error and
    every field of the request travel through the servicer and the interceptor."""
    problem = problem_of(lambda: create(mir, coord_mir, pb.Referral(
        shared_contact=pb.SharedContact(phone="+47 912 34 567"))))
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT and problem.reason == "INVALID_FIELDS"
    assert {f for f, _ in problem.violations} == {
        "referral.partner_kind", "referral.reason_category", "referral.partner_name", "referral.person",
        "referral.shared_contact"}
    problem = problem_of(lambda: create(mir, coord_mir, to_node("mira", consent_given=False)))
    assert (problem.code, problem.reason, problem.violations[0][0]) == (
        grpc.StatusCode.INVALID_ARGUMENT, "CONSENT_REQUIRED", "referral.consent_given")
    problem = problem_of(lambda: create(mir, coord_mir, to_node("bydel")))
    assert (problem.reason, problem.violations) == (
        "UNKNOWN_ORGANIZATION", [("referral.target_organization", "must be one of: mira, mkr")])

    created = create(mir, coord_mir, to_school(partner_kind=pb.PARTNER_KIND_NAV, partner_name="  NAV Bjerke  ",
                                               reason_category=pb.REASON_CATEGORY_WORK_AND_WELFARE))
    assert (created.partner_kind, created.partner_name) == (pb.PARTNER_KIND_NAV, "NAV Bjerke")
    problem = problem_of(lambda: mir.CompleteReferral(pb.CompleteReferralRequest(name=created.name),
                                                      metadata=coord_mir))
    assert problem.code == grpc.StatusCode.FAILED_PRECONDITION and problem.reason == "INVALID_STATE_TRANSITION"
    assert "ACCEPTED, REJECTED or CANCELLED" in problem.message and problem.metadata["current_state"] == "REQUESTED"
    problem = problem_of(lambda: mir.RejectReferral(pb.RejectReferralRequest(name=created.name, outcome="No room!"),
                                                    metadata=coord_mir))
    assert {f for f, _ in problem.violations} == {"declined_by", "outcome"}
    rejected = mir.RejectReferral(pb.RejectReferralRequest(name=created.name, declined_by=" provider ",
                                                           outcome=" no_capacity "), metadata=coord_mir)
    assert (rejected.state, rejected.declined_by, rejected.outcome) == (
        pb.REFERRAL_STATE_REJECTED, "provider", "no_capacity")
    problem = problem_of(lambda: mir.AcceptReferral(
        pb.AcceptReferralRequest(name="organizations/mir/referrals/nosuch"), metadata=coord_mir))
    assert (problem.code, problem.reason) == (grpc.StatusCode.NOT_FOUND, "REFERRAL_NOT_FOUND")
    problem = problem_of(lambda: mir.AcceptReferral(pb.AcceptReferralRequest(name="referrals/1"), metadata=coord_mir))
    assert (problem.code, problem.violations[0][0]) == (grpc.StatusCode.INVALID_ARGUMENT, "name")


def test_request_id_pagination_and_state_filter(fed, mir, coord_mir):
    rid = str(uuid.uuid4())
    first = create(mir, coord_mir, to_school(), request_id=rid)
    again = create(mir, coord_mir, to_school(), request_id=rid)
    assert first.name == again.name
    accept_id = str(uuid.uuid4())
    for _ in range(2):
        mir.AcceptReferral(pb.AcceptReferralRequest(name=first.name, request_id=accept_id), metadata=coord_mir)
    first_id = first.name.rsplit("/", 1)[1]
    assert len(rows(fed.nodes["mir"], "outbox", lambda t: t.c.key == first_id)) == 2  # created, accepted

    names = [first.name] + [create(mir, coord_mir, to_school()).name for _ in range(4)]
    seen, token = [], ""
    while True:
        page = mir.ListReferrals(pb.ListReferralsRequest(parent="organizations/mir", page_size=2, page_token=token,
                                                         purpose="weekly case review"), metadata=coord_mir)
        assert len(page.referrals) <= 2
        seen += [r.name for r in page.referrals]
        token = page.next_page_token
        if not token:
            break
    assert seen == list(reversed(names))
    only_accepted = mir.ListReferrals(pb.ListReferralsRequest(parent="organizations/mir", purpose="accepted ones",
                                                              state=pb.REFERRAL_STATE_ACCEPTED), metadata=coord_mir)
    assert [r.name for r in only_accepted.referrals] == [first.name]
    outbox = mir.ListReferrals(pb.ListReferralsRequest(parent="organizations/mir", purpose="outbox",
                                                       direction=pb.DIRECTION_OUTGOING), metadata=coord_mir)
    assert [r.name for r in outbox.referrals] == list(reversed(names))
    inbox = mir.ListReferrals(pb.ListReferralsRequest(parent="organizations/mir", purpose="inbox",
                                                      direction=pb.DIRECTION_INCOMING), metadata=coord_mir)
    assert list(inbox.referrals) == []
    page = mir.ListReferrals(pb.ListReferralsRequest(parent="organizations/mir", page_size=1, purpose="review"),
                             metadata=coord_mir)
    problem = problem_of(lambda: mir.ListReferrals(pb.ListReferralsRequest(
        parent="organizations/mir", page_token=page.next_page_token, state=pb.REFERRAL_STATE_ACCEPTED,
        purpose="review"), metadata=coord_mir))
    assert problem.reason == "INVALID_PAGE_TOKEN"


def test_reads_need_a_purpose_and_are_audited_and_coordinators_read_the_audit_log(fed, mir, coord_mir, issuer):
    sent = create(mir, coord_mir, to_school())
    for call in (lambda p: mir.GetReferral(pb.GetReferralRequest(name=sent.name, purpose=p), metadata=coord_mir),
                 lambda p: mir.ListReferrals(pb.ListReferralsRequest(parent="organizations/mir", purpose=p),
                                             metadata=coord_mir)):
        problem = problem_of(lambda: call(" "))
        assert (problem.code, problem.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "PURPOSE_REQUIRED")
        assert problem.violations[0][0] == "purpose" and "e.g." in problem.message
        assert problem_of(lambda: call("x" * 201)).reason == "INVALID_PURPOSE"
        call("follow-up with the school")
    audit = rows(fed.nodes["mir"], "audit_log")
    assert [(a.actor, a.actor_client, a.action, a.resource, a.purpose) for a in audit] == [
        ("coordinator-mir", "brobygger-web", "referral.read", sent.name, "follow-up with the school"),
        ("coordinator-mir", "brobygger-web", "referral.list", "organizations/mir", "follow-up with the school")]

    log = mir.ListAuditEntries(pb.ListAuditEntriesRequest(parent="organizations/mir", resource=sent.name),
                               metadata=coord_mir)
    [entry] = log.audit_entries
    assert (entry.actor, entry.client, entry.action, entry.purpose) == (
        "coordinator-mir", "brobygger-web", "referral.read", "follow-up with the school")
    assert entry.sequence == audit[0].id and entry.create_time.seconds > 0
    newest = mir.ListAuditEntries(pb.ListAuditEntriesRequest(parent="organizations/mir", page_size=1),
                                  metadata=coord_mir)
    assert [e.action for e in newest.audit_entries] == ["audit.list"] and newest.next_page_token
    more = mir.ListAuditEntries(pb.ListAuditEntriesRequest(parent="organizations/mir", page_size=10,
                                                           page_token=newest.next_page_token), metadata=coord_mir)
    assert [e.action for e in more.audit_entries] == ["referral.list", "referral.read"]
    # The node's services and volunteers do not read the log.
    for md in (bearer(issuer.service_token("node-mir")), bearer(issuer.token("volunteer-mir"))):
        problem = problem_of(lambda: mir.ListAuditEntries(pb.ListAuditEntriesRequest(parent="organizations/mir"),
                                                          metadata=md))
        assert (problem.code, problem.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_REQUIRED")


# ---------------------------------------------------------------------------- node to node


def test_cross_node_referral_travels_and_reports_back(fed, mir, mira, coord_mir, coord_mira, issuer):
    sent = create(mir, coord_mir, to_node("mira"))
    assert (sent.state, sent.delivery_state, sent.target_organization) == (
        pb.REFERRAL_STATE_REQUESTED, "pending", "mira")
    assert sent.partner_name == NAMES["mira"]  # from the federation directory

    # mira's coordinators see it arrive, with what the person agreed to share
    arrived = eventually(lambda: incoming(mira, coord_mira, "mira"), what="the referral to reach mira")
    assert len(arrived) == 1
    got = arrived[0]
    assert (got.source_organization, got.partner_kind, got.reason_category, got.state, got.person) == (
        "mir", pb.PARTNER_KIND_FEDERATION_NODE, pb.REASON_CATEGORY_LEGAL_AID, pb.REFERRAL_STATE_REQUESTED, "")
    assert got.partner_name == NAMES["mir"] and not got.HasField("shared_contact")  # lists carry no contact
    full = mira.GetReferral(pb.GetReferralRequest(name=got.name, purpose="legal-aid intake"), metadata=coord_mira)
    assert (full.shared_contact.given_name, full.shared_contact.phone, full.shared_contact.preferred_language) == (
        "Amina", "+47 912 34 567", "ur")
    audit = rows(fed.nodes["mira"], "audit_log", lambda t: t.c.resource == got.name)
    assert [(a.action, a.actor, a.purpose) for a in audit] == [("referral.read", "coordinator-mira",
                                                                "legal-aid intake")]
    node_mira = bearer(issuer.service_token("node-mira"))
    as_service = mira.GetReferral(pb.GetReferralRequest(name=got.name, purpose="delivery check"), metadata=node_mira)
    assert as_service.name == got.name and not as_service.HasField("shared_contact")  # coordinators only

    # the sender learns where it went
    delivered = referral_when(mir, coord_mir, sent.name, lambda r: r.delivery_state == "delivered",
                              "mir to record the delivery")
    assert delivered.remote_name == got.name
    mir_delivery = rows(fed.nodes["mir"], "deliveries")
    assert [(d.kind, d.state, d.payload) for d in mir_delivery] == [("referral", "delivered", b"")]

    # only mira decides; mir hears about each step
    problem = problem_of(lambda: mir.AcceptReferral(pb.AcceptReferralRequest(name=sent.name), metadata=coord_mir))
    assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "STATE_OWNED_BY_TARGET_NODE")
    mira.AcceptReferral(pb.AcceptReferralRequest(name=got.name), metadata=coord_mira)
    referral_when(mir, coord_mir, sent.name, lambda r: r.state == pb.REFERRAL_STATE_ACCEPTED, "mir to see ACCEPTED")
    mira.CompleteReferral(pb.CompleteReferralRequest(name=got.name, outcome="legal_aid_given"), metadata=coord_mira)
    final = referral_when(mir, coord_mir, sent.name, lambda r: r.state == pb.REFERRAL_STATE_COMPLETED,
                          "mir to see COMPLETED")
    assert final.outcome == "legal_aid_given"

    # each node counts its own referrals: three facts on each side, none with the person in it
    for org, name in (("mir", sent.name), ("mira", got.name)):
        rid = name.rsplit("/", 1)[1]
        facts = rows(fed.nodes[org], "outbox", lambda t: t.c.key == rid)
        assert [f.topic for f in facts] == [f"{org}.referral"] * 3
        parsed = [referral_facts_pb2.ReferralStateChanged.FromString(f.payload) for f in facts]
        assert [p.state for p in parsed] == [pb.REFERRAL_STATE_REQUESTED, pb.REFERRAL_STATE_ACCEPTED,
                                             pb.REFERRAL_STATE_COMPLETED]
        for f in facts:
            assert b"Amina" not in f.payload and b"912" not in without_ids(f.payload)


def test_only_other_nodes_services_may_hand_over_referrals(fed, mir, mira, issuer, coord_mir, coord_mira):
    receive = pb.ReceiveReferralRequest(
        parent="organizations/mira", source_referral="organizations/mir/referrals/abc123",
        partner_kind=pb.PARTNER_KIND_FEDERATION_NODE, reason_category=pb.REASON_CATEGORY_LEGAL_AID,
        shared_contact=pb.SharedContact(given_name="Amina"), consent_given=True)
    # a person of mir at mira's node: nothing
    for call in (lambda md: mira.ReceiveReferral(receive, metadata=md),
                 lambda md: mira.ListReferrals(pb.ListReferralsRequest(parent="organizations/mira"), metadata=md)):
        assert problem_of(lambda: call(coord_mir)).code == grpc.StatusCode.PERMISSION_DENIED
    # mira's own coordinator cannot fake a handover either
    assert problem_of(lambda: mira.ReceiveReferral(receive, metadata=coord_mira)).code == \
        grpc.StatusCode.PERMISSION_DENIED
    # mkr's node service claiming to be mir
    node_mkr = bearer(issuer.service_token("node-mkr"))
    problem = problem_of(lambda: mira.ReceiveReferral(receive, metadata=node_mkr))
    assert (problem.code, problem.reason) == (grpc.StatusCode.PERMISSION_DENIED, "SOURCE_MISMATCH")
    # nor can a node hand a referral to itself
    own = pb.ReceiveReferralRequest()
    own.CopyFrom(receive)
    own.source_referral = "organizations/mira/referrals/abc123"
    problem = problem_of(lambda: mira.ReceiveReferral(own, metadata=bearer(issuer.service_token("node-mira"))))
    assert (problem.code, problem.reason) == (grpc.StatusCode.PERMISSION_DENIED, "SOURCE_MISMATCH")
    # mir's node service may, and a redelivery returns the same referral
    node_mir = bearer(issuer.service_token("node-mir"))
    first = mira.ReceiveReferral(receive, metadata=node_mir)
    again = mira.ReceiveReferral(receive, metadata=node_mir)
    assert first.name == again.name and first.source_organization == "mir"
    assert len(incoming(mira, coord_mira, "mira")) == 1
    # the same referral delivered many times at once is received once (source_referral is unique)
    racing = pb.ReceiveReferralRequest()
    racing.CopyFrom(receive)
    racing.source_referral = "organizations/mir/referrals/race1"
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        names = set(pool.map(lambda _: mira.ReceiveReferral(racing, metadata=node_mir, timeout=10).name, range(8)))
    assert len(names) == 1 and len(incoming(mira, coord_mira, "mira")) == 2
    raced = names.pop().rsplit("/", 1)[1]
    assert len(rows(fed.nodes["mira"], "outbox", lambda t: t.c.key == raced)) == 1
    problem = problem_of(lambda: mira.ReceiveReferral(pb.ReceiveReferralRequest(
        parent="organizations/mira", source_referral="organizations/mir/referrals/abc124",
        reason_category=pb.REASON_CATEGORY_LEGAL_AID, shared_contact=pb.SharedContact(given_name="Amina")),
        metadata=node_mir))
    assert (problem.code, problem.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "CONSENT_REQUIRED")
    # and only the node a referral went to may report on it
    sent = create(mir, coord_mir, to_node("mira"))
    update = pb.ReceiveReferralUpdateRequest(name=sent.name, state=pb.REFERRAL_STATE_ACCEPTED)
    problem = problem_of(lambda: mir.ReceiveReferralUpdate(update, metadata=node_mkr))
    assert (problem.code, problem.reason) == (grpc.StatusCode.PERMISSION_DENIED, "SOURCE_MISMATCH")
    assert problem_of(lambda: mir.ReceiveReferralUpdate(update, metadata=coord_mir)).code == \
        grpc.StatusCode.PERMISSION_DENIED


def test_a_rejection_travels_back_and_a_repeated_report_changes_nothing(fed, mir, mira, coord_mir, coord_mira,
                                                                       issuer):
    sent = create(mir, coord_mir, to_node("mira", reason_category=pb.REASON_CATEGORY_VIOLENCE_IN_CLOSE_RELATIONS))
    got = eventually(lambda: incoming(mira, coord_mira, "mira"), what="the referral to reach mira")[0]
    mira.RejectReferral(pb.RejectReferralRequest(name=got.name, declined_by="person", outcome="not_wanted"),
                        metadata=coord_mira)
    back = referral_when(mir, coord_mir, sent.name, lambda r: r.state == pb.REFERRAL_STATE_REJECTED,
                         "mir to see REJECTED")
    assert (back.declined_by, back.outcome) == ("person", "not_wanted")
    rid = sent.name.rsplit("/", 1)[1]
    facts = len(rows(fed.nodes["mir"], "outbox", lambda t: t.c.key == rid))
    repeat = pb.ReceiveReferralUpdateRequest(name=sent.name, state=pb.REFERRAL_STATE_REJECTED,
                                             declined_by="person", outcome="not_wanted")
    again = mir.ReceiveReferralUpdate(repeat, metadata=bearer(issuer.service_token("node-mira")))
    assert again.state == pb.REFERRAL_STATE_REJECTED
    assert len(rows(fed.nodes["mir"], "outbox", lambda t: t.c.key == rid)) == facts == 2
    eventually(lambda: all(d.state == "delivered" for d in rows(fed.nodes["mira"], "deliveries")),
               what="mira's report to be marked delivered")


def test_a_referral_to_a_node_that_is_down_waits_and_arrives_once(fed, mir, coord_mir, issuer):
    sent = create(mir, coord_mir, to_node("mkr", reason_category=pb.REASON_CATEGORY_MEDIATION))
    mir_node = fed.nodes["mir"]
    tried = eventually(lambda: [d for d in rows(mir_node, "deliveries") if d.attempts >= 2 and d.state == "pending"],
                       what="two failed delivery attempts")
    assert tried[0].last_error.startswith("UNAVAILABLE")
    assert mir.GetReferral(pb.GetReferralRequest(name=sent.name, purpose="delivery check"),
                           metadata=coord_mir).delivery_state == "pending"

    fed.start("mkr")
    mkr = fed.stub("mkr")
    coord_mkr = bearer(issuer.token("coordinator-mkr"))
    arrived = eventually(lambda: incoming(mkr, coord_mkr, "mkr"), what="the referral to reach mkr")
    delivered = referral_when(mir, coord_mir, sent.name, lambda r: r.delivery_state == "delivered",
                              "mir to record the delivery")
    assert [r.name for r in arrived] == [delivered.remote_name]
    # Nothing more arrives: a later referral (delivered after the first, in order) is the marker.
    marker = create(mir, coord_mir, to_node("mkr", reason_category=pb.REASON_CATEGORY_MEDIATION))
    marker = referral_when(mir, coord_mir, marker.name, lambda r: r.delivery_state == "delivered",
                           "the marker to arrive")
    assert sorted(r.name for r in incoming(mkr, coord_mkr, "mkr")) == sorted(
        [delivered.remote_name, marker.remote_name])
    deliveries = rows(mir_node, "deliveries")
    assert [d.state for d in deliveries] == ["delivered", "delivered"] and deliveries[0].attempts >= 3
