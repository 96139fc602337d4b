"""The federation hub against real nodes: two reporting services (mir, mira),
a directory entry whose port is closed, and a node that answers slowly."""
from __future__ import annotations

import contextlib
import json
import math
import threading
from concurrent import futures

import grpc
import pytest
import sqlalchemy as sa
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from brobygger.membership.v1 import membership_pb2
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.grpcclient import channel, decode_error
from services.common.settings import ConfigError
from services.devstack import inprocess
from services.devstack.procs import free_port
from services.reporting.bootstrap import build, build_hub
from tests.conftest import bearer
from tests.services.test_reporting import YEAR_2026, Facts, summary, value


class SlowNode(reporting_pb2_grpc.ReportingServiceServicer):
    """A node that takes `delay` seconds to answer (or until released)."""

    def __init__(self) -> None:
        self.delay = 5.0
        self.release = threading.Event()

    def GetStatistics(self, request, context):
        self.release.wait(self.delay)
        return reporting_pb2.Statistics(organization=request.organization, period=request.period,
                                        members=reporting_pb2.Cell(value=0), min_cell_size=5)


@pytest.fixture(scope="module")
def slow_node():
    node = SlowNode()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    reporting_pb2_grpc.add_ReportingServiceServicer_to_server(node, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield node, f"127.0.0.1:{port}"
    node.release.set()
    server.stop(0)


def seeded_node(stack: contextlib.ExitStack, org: str, members: int, broker, issuer, tmp_dir):
    """A node's reporting service whose fact tables already hold `members` paying members in 2026."""
    env = inprocess.node_env(org, database_url=f"sqlite:///{tmp_dir}/{org}.db", kafka=broker.bootstrap,
                             issuer=issuer.url)
    node = stack.enter_context(inprocess.running("reporting", build, env, roles=()))
    f = Facts(org)
    for i in range(members):
        f.member(f"{org}-p{i}", 2026, membership_pb2.PAYMENT_STATE_PAID)
    for _, e in f.items:
        assert node.app.workers["consume"][0].process(e)
    return node


@pytest.fixture(scope="module")
def federation(broker, issuer, slow_node, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hub")
    stack = contextlib.ExitStack()
    mir = seeded_node(stack, "mir", 23, broker, issuer, tmp)
    mira = seeded_node(stack, "mira", 8, broker, issuer, tmp)
    directory = tmp / "federation.json"
    directory.write_text(json.dumps({"nodes": [
        {"org": "mir", "name": "Multikulturelt Initiativ og Ressursnettverk", "reporting": mir.address,
         "referral": "127.0.0.1:1"},
        {"org": "mira", "name": "MiRA Ressurssenter for kvinner med minoritetsbakgrunn", "reporting": mira.address},
        {"org": "mkr", "name": "Minhaj Konfliktråd", "reporting": f"127.0.0.1:{free_port()}"},  # nobody listens
        {"org": "sor", "name": "Slow node", "reporting": slow_node[1]},
        {"org": "nord", "name": "Another slow node", "reporting": slow_node[1]},
    ]}))
    env = {"BROBYGGER_ENV": "development", "BROBYGGER_OIDC_ISSUER": issuer.url,
           "BROBYGGER_FEDERATION_DIRECTORY": str(directory)}
    with stack, inprocess.running("hub", build_hub, env, needs_org=False) as hub:
        yield {"hub": hub, "mir": mir, "mira": mira, "slow": slow_node[0]}


@pytest.fixture
def hub_stub(federation):
    with grpc.insecure_channel(federation["hub"].address) as ch:
        yield reporting_pb2_grpc.FederationServiceStub(ch)


@pytest.fixture
def analyst(issuer):
    return bearer(issuer.token("analyst-imdi"))


def query(stub, md, timeout_ms=0, period=YEAR_2026):
    request = reporting_pb2.QueryStatisticsRequest(node_timeout_ms=timeout_ms)
    if period is not None:
        request.period.CopyFrom(period)
    return stub.QueryStatistics(request, metadata=md, timeout=15)


def test_answers_merge_and_missing_nodes_are_named(hub_stub, analyst, federation):
    federation["slow"].delay = 5.0
    result = query(hub_stub, analyst, timeout_ms=600)
    by_org = {n.organization: n for n in result.nodes}
    assert [n.organization for n in result.nodes] == [
        "mir", "mira", "mkr", "sor", "nord"]
    assert list(result.missing_organizations) == ["mkr", "sor", "nord"]
    # The nodes that answered, each under its own disclosure control.
    mir, mira = by_org["mir"].statistics, by_org["mira"].statistics
    assert mir.organization == "organizations/mir"
    # 23 members, all paying; 8 at mira: each published rounded to a neighbouring multiple of 5.
    assert summary(mir)["members"] in (20, 25) and summary(mir)["paying_members"] == summary(mir)["members"]
    assert mira.organization == "organizations/mira" and value(mira.members) in (5, 10)
    assert (result.period.start_date, result.period.end_date) == ("2026-01-01", "2026-12-31")
    # The ones that did not, and why.
    assert by_org["mkr"].error == "UNAVAILABLE"
    assert by_org["sor"].error == by_org["nord"].error == "DEADLINE_EXCEEDED"
    assert all(by_org[o].latency_ms >= 500 for o in ("sor", "nord"))  # cut off by their deadline
    # The nodes were asked by the hub's service account, on the analyst's behalf.
    audit = federation["mir"].app.tables["audit_log"]
    with federation["mir"].app.engine.connect() as conn:
        actors = {(r.actor, r.actor_client) for r in conn.execute(sa.select(audit))}
    assert actors == {("analyst-imdi", "service-account-brobygger-hub on behalf of analyst-imdi")}


def test_default_deadline_lets_slow_nodes_answer_in_parallel(hub_stub, analyst, federation):
    federation["slow"].delay = 1.0
    result = query(hub_stub, analyst)  # 0: the hub's default of 3000 ms
    assert list(result.missing_organizations) == ["mkr"]
    slow = [n for n in result.nodes if n.organization in ("sor", "nord")]
    assert [n.WhichOneof("result") for n in slow] == ["statistics", "statistics"]
    assert all(n.latency_ms >= 950 for n in slow)  # (that they are asked at once: tests/service_layer)


def test_list_nodes_returns_the_directory(hub_stub, analyst):
    nodes = hub_stub.ListNodes(reporting_pb2.ListNodesRequest(), metadata=analyst, timeout=5).nodes
    assert [(n.organization, n.display_name) for n in nodes][:3] == [
        ("mir", "Multikulturelt Initiativ og Ressursnettverk"),
        ("mira", "MiRA Ressurssenter for kvinner med minoritetsbakgrunn"),
        ("mkr", "Minhaj Konfliktråd"),
    ]


@pytest.mark.parametrize("user", ["coordinator-mir", "coordinator-mira", "volunteer-mir"])
def test_only_analysts_may_query_the_hub(hub_stub, issuer, user):
    for call in (lambda md: query(hub_stub, md),
                 lambda md: hub_stub.ListNodes(reporting_pb2.ListNodesRequest(), metadata=md, timeout=5)):
        with pytest.raises(grpc.RpcError) as err:
            call(bearer(issuer.token(user)))
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as err:
        query(hub_stub, [])
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_the_hub_checks_the_query_before_asking_anyone(hub_stub, analyst):
    with pytest.raises(grpc.RpcError) as err:
        query(hub_stub, analyst, period=types_pb2.DateRange(start_date="2026-12-31", end_date="2026-01-01"))
    assert [f for f, _ in decode_error(err.value).violations] == ["period"]
    with pytest.raises(grpc.RpcError) as err:
        query(hub_stub, analyst, timeout_ms=-5)
    problem = decode_error(err.value)
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT and problem.violations[0][0] == "node_timeout_ms"


def _start_hub(issuer, directory: str):
    env = {"BROBYGGER_ENV": "development", "BROBYGGER_OIDC_ISSUER": issuer.url,
           "BROBYGGER_FEDERATION_DIRECTORY": directory}
    with inprocess.running("hub", build_hub, env, needs_org=False):
        pass


def test_a_bad_directory_stops_the_hub_at_start_naming_file_and_entry(issuer, tmp_path):
    missing = tmp_path / "nowhere.json"
    with pytest.raises(ConfigError) as err:
        _start_hub(issuer, str(missing))
    assert f"{missing}: the federation directory file does not exist" in str(err.value)

    broken = tmp_path / "broken.json"
    broken.write_text('{"nodes": [\n  {"org": "mir",}\n]}')
    with pytest.raises(ConfigError) as err:
        _start_hub(issuer, str(broken))
    assert f"{broken}: not valid JSON at line 2" in str(err.value)

    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"nodes": [{"org": "mir", "name": "MiR", "reporting": "mir-reporting:50054"},
                                           {"org": "mira", "name": "MiRA", "reporting": "mira-reporting"}]}))
    with pytest.raises(ConfigError) as err:
        _start_hub(issuer, str(wrong))
    assert err.value.code == 2
    assert err.value.problems == [
        f"{wrong}: nodes[1] (org 'mira').reporting must be the node's reporting service as host:port "
        "(e.g. mir-reporting:50054), got 'mira-reporting'"]

    with pytest.raises(ConfigError) as err:
        _start_hub(issuer, "")
    assert "BROBYGGER_FEDERATION_DIRECTORY is not set" in str(err.value)


def test_the_hubs_own_service_account_may_not_query_the_hub(hub_stub, issuer):
    """Only analysts query the hub, over gRPC as over REST: the hub's account asks the nodes, never itself."""
    hub_account = bearer(issuer.service_token("brobygger-hub"))
    for call in (lambda: query(hub_stub, hub_account),
                 lambda: hub_stub.ListNodes(reporting_pb2.ListNodesRequest(), metadata=hub_account, timeout=5)):
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert decode_error(err.value).reason == "ROLE_REQUIRED"


def test_the_hub_answers_for_december_9999_and_refuses_later_dates(hub_stub, analyst):
    december = types_pb2.DateRange(start_date="9999-12-01", end_date="9999-12-31")
    result = query(hub_stub, analyst, timeout_ms=600, period=december)
    assert (result.period.start_date, result.period.end_date) == ("9999-12-01", "9999-12-31")
    with pytest.raises(grpc.RpcError) as err:
        query(hub_stub, analyst, period=types_pb2.DateRange(start_date="10000-01-01", end_date="10000-01-31"))
    problem = decode_error(err.value)
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT
    assert {"period.start_date", "period.end_date"} <= {f for f, _ in problem.violations}


# ---------------------------------------------------------------------------- accountability

TRACE_ID = "5cf92f3577b34da6a3ce929d0e0e4737"


def audit_lines(node, trace_id: str) -> list:
    audit = node.app.tables["audit_log"]
    with node.app.engine.connect() as conn:
        return list(conn.execute(sa.select(audit).where(audit.c.trace_id == trace_id)))


def traced(md, trace_id: str = TRACE_ID, span_id: str = "00f067aa0ba902b7"):
    return [*md, ("traceparent", f"00-{trace_id}-{span_id}-01")]


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


def test_every_nodes_audit_names_the_analyst_with_the_hub_as_client(hub_stub, analyst, federation):
    federation["slow"].delay = 0.0
    trace_id = "6df92f3577b34da6a3ce929d0e0e4738"
    query(hub_stub, traced(analyst, trace_id), period=types_pb2.DateRange(start_date="2026-04-01",
                                                                          end_date="2026-06-30"))
    for org in ("mir", "mira"):
        lines = audit_lines(federation[org], trace_id)
        assert [(r.actor, r.actor_client, r.action, r.resource) for r in lines] == [
            ("analyst-imdi", "service-account-brobygger-hub on behalf of analyst-imdi", "statistics.read",
             f"organizations/{org}/statistics?period=2026-04-01/2026-06-30")], org


def test_a_node_ignores_requested_by_from_anyone_but_the_hub(federation, issuer):
    trace_id = "7ef92f3577b34da6a3ce929d0e0e4739"
    request = reporting_pb2.GetStatisticsRequest(
        organization="organizations/mir", period=YEAR_2026,
        requested_by=reporting_pb2.RequestedBy(username="analyst-imdi", subject="someone"))
    with grpc.insecure_channel(federation["mir"].address) as ch:
        reporting_pb2_grpc.ReportingServiceStub(ch).GetStatistics(
            request, metadata=traced(bearer(issuer.token("coordinator-mir")), trace_id), timeout=10)
    assert [(r.actor, r.actor_client) for r in audit_lines(federation["mir"], trace_id)] == [
        ("coordinator-mir", "brobygger-web")]


def test_a_hub_query_is_one_trace_through_the_fan_out(hub_stub, analyst, federation, spans):
    federation["slow"].delay = 0.0
    query(hub_stub, traced(analyst))
    ours = [s for s in spans.get_finished_spans() if f"{s.context.trace_id:032x}" == TRACE_ID]
    server = [s for s in ours if s.kind == trace.SpanKind.SERVER and s.name.endswith("/QueryStatistics")]
    assert len(server) == 1
    asks = {s.attributes["brobygger.organization"]: s for s in ours if s.name == "ask node"}
    assert set(asks) == {"mir", "mira", "mkr", "sor", "nord"}
    assert all(s.parent.span_id == server[0].context.span_id for s in asks.values())
    assert asks["mir"].attributes["brobygger.node.outcome"] == "answered"
    assert asks["mkr"].attributes["brobygger.node.outcome"] == "UNAVAILABLE"
    clients = [s for s in ours if s.kind == trace.SpanKind.CLIENT and s.name.endswith("/GetStatistics")]
    by_parent = {s.parent.span_id: s for s in clients}
    assert set(by_parent) == {s.context.span_id for s in asks.values()}  # each node's call within its span
    # The nodes running in this process (mir, mira) continue the same trace under the hub's call.
    node_servers = [s for s in ours if s.kind == trace.SpanKind.SERVER and s.name.endswith("/GetStatistics")]
    assert {s.parent.span_id for s in node_servers} >= {by_parent[asks[o].context.span_id].context.span_id
                                                          for o in ("mir", "mira")}
    for s in asks.values():  # the organisation and the outcome: never who asked
        assert set(s.attributes) == {"brobygger.organization", "brobygger.node.outcome"}


def test_an_analyst_asking_too_often_gets_resource_exhausted_with_retry_info(federation, issuer, tmp_path):
    directory = tmp_path / "federation.json"
    directory.write_text(json.dumps({"nodes": [
        {"org": "mir", "name": "MiR", "reporting": federation["mir"].address}]}))
    env = {"BROBYGGER_ENV": "development", "BROBYGGER_OIDC_ISSUER": issuer.url,
           "BROBYGGER_FEDERATION_DIRECTORY": str(directory),
           "BROBYGGER_HUB_QUERIES_PER_MINUTE": "6", "BROBYGGER_HUB_QUERY_BURST": "2"}
    with inprocess.running("hub", build_hub, env, needs_org=False) as hub, \
            grpc.insecure_channel(hub.address) as ch:
        stub = reporting_pb2_grpc.FederationServiceStub(ch)
        analyst = bearer(issuer.token("analyst-imdi"))
        for _ in range(2):
            assert not query(stub, analyst).missing_organizations
        with pytest.raises(grpc.RpcError) as err:
            query(stub, analyst)
        problem = decode_error(err.value)
        assert (problem.code, problem.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
        assert 5 < problem.retry_delay_s <= 10  # 6 a minute: the next one in at most ten seconds
        wait = problem.metadata["retry_after_seconds"]
        assert wait == str(math.ceil(problem.retry_delay_s))
        assert "at most 6 queries a minute" in problem.message and f"Try again in {wait} seconds" in problem.message


# ---------------------------------------------------------------------------- differential privacy at a node


def test_a_node_with_privacy_on_beside_one_without_refuses_once_the_budget_is_spent(federation, broker, issuer,
                                                                                   tmp_path):
    """mir answers under disclosure control; dp adds noise, with a budget for one answer per analyst."""
    env = inprocess.node_env("dp", database_url=f"sqlite:///{tmp_path}/dp.db", kafka=broker.bootstrap,
                             issuer=issuer.url, BROBYGGER_DP_ENABLED="true", BROBYGGER_DP_EPSILON_PER_QUERY="0.5",
                             BROBYGGER_DP_BUDGET_EPSILON="0.5")
    directory = tmp_path / "federation.json"
    with inprocess.running("reporting", build, env, roles=()) as dp:
        directory.write_text(json.dumps({"nodes": [
            {"org": "mir", "name": "MiR", "reporting": federation["mir"].address},
            {"org": "dp", "name": "A node with differential privacy", "reporting": dp.address}]}))
        hub_env = {"BROBYGGER_ENV": "development", "BROBYGGER_OIDC_ISSUER": issuer.url,
                   "BROBYGGER_FEDERATION_DIRECTORY": str(directory)}
        with inprocess.running("hub", build_hub, hub_env, needs_org=False) as hub, \
                grpc.insecure_channel(hub.address) as ch:
            stub = reporting_pb2_grpc.FederationServiceStub(ch)
            analyst = bearer(issuer.token("analyst-imdi"))
            first = {n.organization: n for n in query(stub, analyst).nodes}
            assert not first["mir"].statistics.HasField("privacy") and first["mir"].statistics.min_cell_size == 5
            noisy = first["dp"].statistics
            assert noisy.HasField("privacy") and noisy.privacy.epsilon == pytest.approx(0.5)
            assert noisy.privacy.budget.epsilon_remaining == 0
            # The same question again is free; a new one is refused at dp, and mir still answers.
            assert {n.organization: n for n in query(stub, analyst).nodes}["dp"].statistics.privacy.repeated
            second = query(stub, analyst, period=types_pb2.DateRange(start_date="2026-04-01",
                                                                     end_date="2026-06-30"))
            by_org = {n.organization: n for n in second.nodes}
            assert by_org["mir"].WhichOneof("result") == "statistics"
            assert (by_org["dp"].WhichOneof("result"), by_org["dp"].error) == ("error", "PRIVACY_BUDGET_EXHAUSTED")
            assert "0.5 of 0.5 epsilon used" in by_org["dp"].error_message
            assert "operator can raise" in by_org["dp"].error_message
            assert list(second.missing_organizations) == ["dp"]
            # The analyst reads their budget at every node.
            budgets = stub.QueryPrivacyBudgets(reporting_pb2.QueryPrivacyBudgetsRequest(), metadata=analyst,
                                               timeout=15)
            by_org = {n.organization: n.budget for n in budgets.nodes}
            assert (by_org["mir"].enabled, by_org["mir"].epsilon_spent) == (False, 0)
            assert (by_org["dp"].enabled, by_org["dp"].analyst, by_org["dp"].epsilon_spent,
                    by_org["dp"].epsilon_limit, by_org["dp"].epsilon_remaining) == (True, "analyst-imdi", 0.5, 0.5, 0)
            assert not budgets.missing_organizations
            # Only analysts read budgets at the hub.
            with pytest.raises(grpc.RpcError) as err:
                stub.QueryPrivacyBudgets(reporting_pb2.QueryPrivacyBudgetsRequest(),
                                         metadata=bearer(issuer.token("coordinator-mir")), timeout=15)
            assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
        audit = dp.app.tables["audit_log"]
        with dp.app.engine.connect() as conn:
            lines = [(r.actor, r.actor_client, r.action) for r in conn.execute(sa.select(audit).order_by(audit.c.id))]
        assert [action for _, _, action in lines] == ["statistics.read", "statistics.read", "statistics.refused",
                                                      "privacy_budget.read"]
        assert {(actor, client) for actor, client, _ in lines} == {
            ("analyst-imdi", "service-account-brobygger-hub on behalf of analyst-imdi")}
