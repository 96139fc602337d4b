"""Differential privacy at a node's reporting service, against a real gRPC server, real SQLite and PostgreSQL
and real signed tokens: noisy answers for the hub, each analyst's budget spent with the answer, never
overspent by concurrent queries, refused once spent, and readable by the hub on the analyst's behalf."""
from __future__ import annotations

import calendar
import contextlib
from concurrent import futures

import grpc
import pytest
import sqlalchemy as sa

from brobygger.membership.v1 import membership_pb2
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.grpcclient import decode_error
from services.common.settings import ConfigError, load
from services.devstack import inprocess
from services.reporting.bootstrap import build
from tests.conftest import bearer
from tests.services.test_reporting import YEAR_2026, Facts, value

DP = {"BROBYGGER_DP_ENABLED": "true", "BROBYGGER_DP_EPSILON_PER_QUERY": "0.25", "BROBYGGER_DP_BUDGET_EPSILON": "1",
      "BROBYGGER_DP_VISITS_PER_PERSON": "3"}
IMDI = reporting_pb2.RequestedBy(username="analyst-imdi", subject="0c5e7a2e-analyst")
MONTHS = [types_pb2.DateRange(start_date=f"2026-{m:02d}-01", end_date=f"2026-{m:02d}-{calendar.monthrange(2026, m)[1]}")
          for m in range(1, 13)]
FEBRUARY = types_pb2.DateRange(start_date="2026-02-01", end_date="2026-02-28")


@contextlib.contextmanager
def dp_node(org: str, database_url: str, broker, issuer, **settings: str):
    """A reporting node of org with differential privacy on, whose fact tables hold 23 paying members in 2026
    and a girl who came to homework help eight times in February."""
    env = inprocess.node_env(org, database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url,
                             **{**DP, **settings})
    with inprocess.running("reporting", build, env, roles=()) as node:
        f = Facts(org)
        for i in range(23):
            f.member(f"p{i}", 2026, membership_pb2.PAYMENT_STATE_PAID)
        f.session("s1", "lh", "2026-02-04")
        for n in range(8):
            f.attendance(f"a{n}", "s1", "lh", f"2026-02-{n + 1:02d}", person="g1", band=types_pb2.AGE_BAND_0_12)
        for _, e in f.items:
            assert node.app.workers["consume"][0].process(e)
        with grpc.insecure_channel(node.address) as ch:
            node.stub = reporting_pb2_grpc.ReportingServiceStub(ch)
            yield node


def ask(node, md, period=YEAR_2026, who=IMDI) -> reporting_pb2.Statistics:
    return node.stub.GetStatistics(reporting_pb2.GetStatisticsRequest(
        organization=f"organizations/{node.app.settings.org}", period=period, requested_by=who),
        metadata=md, timeout=30)


def budget(node, md, who=IMDI) -> reporting_pb2.PrivacyBudget:
    return node.stub.GetPrivacyBudget(reporting_pb2.GetPrivacyBudgetRequest(
        organization=f"organizations/{node.app.settings.org}", requested_by=who), metadata=md, timeout=10)


def rows(node, table: str) -> list:
    t = node.app.tables[table]
    with node.app.engine.connect() as conn:
        return list(conn.execute(sa.select(t)))


@pytest.fixture
def hub_md(issuer):
    return bearer(issuer.service_token("brobygger-hub"))


def test_the_hub_gets_noisy_figures_paid_from_the_analysts_budget(database_url, broker, issuer, hub_md):
    with dp_node("dpa", database_url, broker, issuer) as node:
        stats = ask(node, hub_md)
        p = stats.privacy
        assert stats.HasField("privacy") and stats.min_cell_size == 0
        assert (p.epsilon, p.sensitivity, p.visits_per_person, p.repeated) == (pytest.approx(0.25), 16, 3, False)
        assert p.noise_scale == pytest.approx(64.0, rel=1e-3) and p.margin_95 > 0  # 16 / 0.25
        assert (p.budget.analyst, p.budget.epsilon_spent, p.budget.epsilon_limit, p.budget.epsilon_remaining) == (
            "analyst-imdi", 0.25, 1.0, 0.75)
        assert all(c.WhichOneof("kind") == "value" and c.value >= 0
                   for c in (stats.members, stats.paying_members, stats.visits_total))
        assert len(stats.participants) == 24 and len(stats.referrals) == 8
        # The same question again: the same figures, free.
        again = ask(node, hub_md)
        assert again.privacy.repeated and again.privacy.budget.epsilon_spent == 0.25
        assert (again.members, again.participants, again.referrals) == (stats.members, stats.participants,
                                                                         stats.referrals)
        assert budget(node, hub_md).epsilon_spent == 0.25
        [row] = rows(node, "privacy_budgets")
        assert (row.analyst, row.spent_micro) == ("0c5e7a2e-analyst", 250_000)  # by subject
        # Audited as the analyst who asked: who and which period, no figure.
        audit = [(r.actor, r.action) for r in rows(node, "audit_log")]
        assert audit == [("analyst-imdi", "statistics.read")] * 2 + [("analyst-imdi", "privacy_budget.read")]


def test_a_spent_budget_is_refused_saying_how_much_and_who_can_raise_it(database_url, broker, issuer, hub_md):
    with dp_node("dpb", database_url, broker, issuer) as node:
        for month in MONTHS[:4]:
            ask(node, hub_md, month)
        with pytest.raises(grpc.RpcError) as err:
            ask(node, hub_md, MONTHS[4])
        problem = decode_error(err.value)
        assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PRIVACY_BUDGET_EXHAUSTED")
        assert "1 of 1 epsilon used" in problem.message and "operator can raise" in problem.message
        assert problem.metadata == {"epsilon_spent": "1", "epsilon_limit": "1", "epsilon_per_query": "0.25"}
        assert ask(node, hub_md, MONTHS[0]).privacy.repeated  # what was answered stays answerable
        b = budget(node, hub_md)
        assert (b.enabled, b.epsilon_spent, b.epsilon_remaining, b.epsilon_per_query) == (True, 1.0, 0.0, 0.25)
        # Another analyst has a budget of their own, and gets the same answer to the same question.
        other = reporting_pb2.RequestedBy(username="analyst-bufdir", subject="77aa")
        assert ask(node, hub_md, MONTHS[0], who=other).members == ask(node, hub_md, MONTHS[0]).members
        assert [r.action for r in rows(node, "audit_log")].count("statistics.refused") == 1


def test_concurrent_queries_never_overspend(database_url, broker, issuer, hub_md):
    """Twelve different questions at once, of which the budget covers four: four are answered, eight refused,
    and exactly the budget is spent; the same question asked at once is charged once."""
    with dp_node("dpc", database_url, broker, issuer) as node:
        def one(period):
            try:
                return ask(node, hub_md, period)
            except grpc.RpcError as exc:
                return decode_error(exc).reason

        with futures.ThreadPoolExecutor(max_workers=6) as pool:
            outcomes = list(pool.map(one, MONTHS))
        answered = [o for o in outcomes if isinstance(o, reporting_pb2.Statistics)]
        assert len(answered) == 4 and outcomes.count("PRIVACY_BUDGET_EXHAUSTED") == 8, outcomes
        [row] = rows(node, "privacy_budgets")
        assert row.spent_micro == 1_000_000
        assert len(rows(node, "privacy_charges")) == 4 and len(rows(node, "privacy_answers")) == 4
        # Another analyst asks one question six times at once: one answer, one charge.
        other = reporting_pb2.RequestedBy(username="analyst-bufdir", subject="77aa")
        with futures.ThreadPoolExecutor(max_workers=6) as pool:
            same = list(pool.map(lambda _: ask(node, hub_md, FEBRUARY, who=other), range(6)))
        assert all((s.members, s.participants, s.visits_total) == (same[0].members, same[0].participants,
                                                                    same[0].visits_total) for s in same)
        assert sum(not s.privacy.repeated for s in same) == 1
        assert budget(node, hub_md, who=other).epsilon_spent == 0.25


def test_visits_beyond_the_bound_are_not_counted(database_url, broker, issuer, hub_md):
    with dp_node("dpd", database_url, broker, issuer, BROBYGGER_DP_EPSILON_PER_QUERY="10",
                 BROBYGGER_DP_BUDGET_EPSILON="100") as node:
        stats = ask(node, hub_md, FEBRUARY)
        # Eight visits, three counted; the noise's scale is 1.6 (sensitivity 16 at epsilon 10), so it is
        # nowhere near eight.
        assert stats.privacy.noise_scale == pytest.approx(1.6, rel=1e-3)
        assert abs(value(stats.visits_total) - 3) < 5


def test_a_node_without_privacy_says_so_and_answers_as_before(tmp_path, broker, issuer, hub_md):
    env = inprocess.node_env("dpe", database_url=f"sqlite:///{tmp_path}/r.db", kafka=broker.bootstrap,
                             issuer=issuer.url)
    with inprocess.running("reporting", build, env, roles=()) as node, grpc.insecure_channel(node.address) as ch:
        node.stub = reporting_pb2_grpc.ReportingServiceStub(ch)
        b = budget(node, hub_md)
        assert (b.enabled, b.analyst, b.epsilon_spent, b.epsilon_limit) == (False, "analyst-imdi", 0, 0)
        stats = ask(node, hub_md)
        assert not stats.HasField("privacy") and stats.min_cell_size == 5


def test_only_the_hub_reads_a_budget(tmp_path, broker, issuer, hub_md):
    with dp_node("mir", f"sqlite:///{tmp_path}/r.db", broker, issuer) as node:
        for md, reason in ((bearer(issuer.token("coordinator-mir")), "HUB_ONLY"),
                           (bearer(issuer.service_token("node-mir")), "HUB_ONLY"),
                           (bearer(issuer.token("analyst-imdi")), "WRONG_ORGANIZATION")):
            with pytest.raises(grpc.RpcError) as err:
                budget(node, md)
            problem = decode_error(err.value)
            assert (problem.code, problem.reason) == (grpc.StatusCode.PERMISSION_DENIED, reason)
        # The node's own coordinator reads statistics under disclosure control: no noise, no budget spent.
        own = ask(node, bearer(issuer.token("coordinator-mir")))
        assert not own.HasField("privacy") and own.min_cell_size == 5
        assert rows(node, "privacy_budgets") == []
        assert budget(node, hub_md).enabled


@pytest.mark.parametrize("env, problem", [
    ({"BROBYGGER_DP_EPSILON_PER_QUERY": "lots"}, "BROBYGGER_DP_EPSILON_PER_QUERY='lots' is not a number"),
    ({"BROBYGGER_DP_EPSILON_PER_QUERY": "0"}, "BROBYGGER_DP_EPSILON_PER_QUERY=0 is out of range"),
    ({"BROBYGGER_DP_BUDGET_EPSILON": "nan"}, "BROBYGGER_DP_BUDGET_EPSILON='nan' is not a number"),
    ({"BROBYGGER_DP_VISITS_PER_PERSON": "0"}, "BROBYGGER_DP_VISITS_PER_PERSON=0 is out of range"),
    ({"BROBYGGER_DP_ENABLED": "yes"}, "BROBYGGER_DP_ENABLED='yes' is not one of true, false"),
    ({"BROBYGGER_DP_BUDGET_EPSILON": "0.5"}, "BROBYGGER_DP_BUDGET_EPSILON=0.5 is less than "
                                             "BROBYGGER_DP_EPSILON_PER_QUERY=1.0"),
])
def test_privacy_settings_are_checked_at_start_naming_the_variable(env, problem):
    with pytest.raises(ConfigError) as err:
        load("reporting", {"BROBYGGER_ORG": "mir", "BROBYGGER_DP_ENABLED": "true", **env})
    assert any(p.startswith(problem) for p in err.value.problems), err.value.problems


def test_privacy_is_off_unless_the_operator_turns_it_on():
    s = load("reporting", {"BROBYGGER_ORG": "mir"})
    assert (s.dp_enabled, s.dp_epsilon_per_query, s.dp_budget_epsilon, s.dp_visits_per_person) == (
        False, 1.0, 10.0, 4)
