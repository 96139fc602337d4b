"""The federation hub against real nodes: two reporting services (mir, mira),
a directory entry whose port is closed, and a node that answers slowly."""
from __future__ import annotations

import contextlib
import json
import threading
from concurrent import futures

import grpc
import pytest
import sqlalchemy as sa

from brobygger.membership.v1 import membership_pb2
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.grpcclient import decode_error
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
    # The nodes saw the hub's service account, never the analyst.
    audit = federation["mir"].app.tables["audit_log"]
    with federation["mir"].app.engine.connect() as conn:
        actors = {r.actor for r in conn.execute(sa.select(audit.c.actor))}
    assert actors == {"service-account-brobygger-hub"}


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
