"""Renewal and counted members against the real services: a real gRPC server, real SQLite and PostgreSQL,
the real broker, real signed tokens and the node's real rule file."""
from __future__ import annotations

import datetime as dt
import pathlib

import grpc
import pytest
import sqlalchemy as sa

from brobygger.membership.v1 import membership_facts_pb2, membership_pb2, membership_pb2_grpc
from brobygger.membership.v1 import membership_facts_pb2 as mem
from brobygger.type.v1 import types_pb2
from services.common.settings import ConfigError
from services.devstack import inprocess
from services.membership.bootstrap import build
from services.reporting.bootstrap import build as build_reporting
from tests.conftest import bearer
from tests.services.test_membership import amina, coord, failure, register, with_chapters  # noqa: F401
from tests.services.test_reporting import Facts, hub_md, publish, stats_of, unique_org, value  # noqa: F401
from tests.support import eventually

ORG = "organizations/mir"
RULES = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "nodes" / "mir" / "membership-rules.toml"
THIS = dt.date.today().year
PAID, WAIVED, UNPAID, CANCELLED = (membership_pb2.PAYMENT_STATE_PAID, membership_pb2.PAYMENT_STATE_WAIVED,
                                   membership_pb2.PAYMENT_STATE_UNPAID, membership_pb2.PAYMENT_STATE_CANCELLED)
RENEW, KEEP, LAPSE = (membership_pb2.RENEWAL_OUTCOME_RENEW, membership_pb2.RENEWAL_OUTCOME_KEEP,
                      membership_pb2.RENEWAL_OUTCOME_LAPSE)


@pytest.fixture
def node(broker, issuer, database_url):
    env = inprocess.node_env("mir", database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url,
                             BROBYGGER_MEMBERSHIP_RULES=str(RULES))
    with inprocess.running("membership", build, env) as svc:
        yield with_chapters(svc)


@pytest.fixture
def stub(node):
    with grpc.insecure_channel(node.address) as ch:
        yield membership_pb2_grpc.MembershipServiceStub(ch)


def year(stub, md, person, y, state, fee, paid=""):
    return stub.RecordMembershipYear(membership_pb2.RecordMembershipYearRequest(
        parent=person.name, membership_year=membership_pb2.MembershipYear(
            year=y, fee_nok=fee, payment_state=state, paid_date=paid)), metadata=md, timeout=10)


def years(stub, md, person):
    listed = stub.ListMembershipYears(membership_pb2.ListMembershipYearsRequest(parent=person.name, purpose="check"),
                                      metadata=md, timeout=10)
    return {y.year: (y.payment_state, y.fee_nok) for y in listed.membership_years}


def preview(stub, md, y=THIS - 1):
    return stub.PreviewRenewal(membership_pb2.PreviewRenewalRequest(parent=ORG, from_year=y, purpose="yearly renewal"),
                               metadata=md, timeout=10)


def apply(stub, md, y=THIS - 1, request_id=""):
    return stub.ApplyRenewal(membership_pb2.ApplyRenewalRequest(
        parent=ORG, from_year=y, purpose="yearly renewal", request_id=request_id), metadata=md, timeout=30)


@pytest.fixture
def members(stub, coord):
    people = {
        "paid": register(stub, coord, amina(given_name="Amina", family_name="Hussain", birth_year=1984)),
        "young": register(stub, coord, amina(given_name="Bilal", family_name="Ahmed", birth_year=THIS - 19)),
        "unpaid": register(stub, coord, amina(given_name="Chen", family_name="Zhou", birth_year=1990)),
        "cancelled": register(stub, coord, amina(given_name="Dina", family_name="Berg", birth_year=1970)),
        "done": register(stub, coord, amina(given_name="Eva", family_name="Nilsen", birth_year=1975)),
    }
    year(stub, coord, people["paid"], THIS - 1, PAID, 200, f"{THIS - 1}-02-01")
    year(stub, coord, people["young"], THIS - 1, WAIVED, 0)
    year(stub, coord, people["unpaid"], THIS - 1, UNPAID, 200)
    year(stub, coord, people["cancelled"], THIS - 1, CANCELLED, 200)
    year(stub, coord, people["done"], THIS - 1, PAID, 200)
    year(stub, coord, people["done"], THIS, PAID, 250, f"{THIS}-01-10")
    return people


def test_preview_then_apply_once_and_a_retry_answers_the_same(stub, coord, node, members):
    plan = preview(stub, coord)
    by = {e.person: e for e in plan.entries}
    assert [e.display_name for e in plan.entries] == ["Bilal Ahmed", "Dina Berg", "Amina Hussain", "Eva Nilsen",
                                                      "Chen Zhou"]
    assert (plan.from_year, plan.to_year, plan.applied, plan.renew_count, plan.keep_count, plan.lapse_count) == (
        THIS - 1, THIS, False, 2, 1, 2)
    young = by[members["young"].name]
    assert (young.outcome, young.reason, young.to_fee_nok, young.fee_source) == (
        RENEW, membership_pb2.RENEWAL_REASON_WAIVED, 100, membership_pb2.FEE_SOURCE_SCHEDULE)
    assert by[members["cancelled"].name].reason == membership_pb2.RENEWAL_REASON_CANCELLED
    assert by[members["unpaid"].name].reason == membership_pb2.RENEWAL_REASON_UNPAID
    assert THIS not in years(stub, coord, members["paid"])  # a preview changes nothing

    rid = "7d7f7c2e-8c1b-4a57-9d55-0b6f2f0e9a11"
    done = apply(stub, coord, request_id=rid)
    assert done.applied and done.name.startswith(f"{ORG}/renewals/") and done.renew_count == 2
    assert apply(stub, coord, request_id=rid) == done  # a retry answers the first result
    assert years(stub, coord, members["paid"])[THIS] == (UNPAID, 200)
    assert years(stub, coord, members["young"])[THIS] == (UNPAID, 100)
    assert years(stub, coord, members["done"])[THIS] == (PAID, 250)  # left as it was
    assert THIS not in years(stub, coord, members["unpaid"]) and THIS not in years(stub, coord, members["cancelled"])

    again = apply(stub, coord)  # applied again: nothing twice
    assert (again.renew_count, again.keep_count, again.lapse_count) == (0, 3, 2)

    outbox, audit = node.app.tables["outbox"], node.app.tables["audit_log"]
    with node.app.engine.connect() as conn:
        facts = [membership_facts_pb2.MembershipYearRecorded.FromString(r.payload) for r in conn.execute(
            sa.select(outbox).where(outbox.c.ce_type == "no.brobygger.membership.membership_year_recorded.v1"))]
        actions = [r.action for r in conn.execute(sa.select(audit).where(audit.c.action.like("renewal.%"))
                                                  .order_by(audit.c.id))]
    renewed = [f for f in facts if f.renewed]
    assert sorted((f.fee_nok, f.birth_year) for f in renewed) == [(100, THIS - 19), (200, 1984)]
    assert all(f.year == THIS and f.payment_state == UNPAID for f in renewed)
    assert actions == ["renewal.preview", "renewal.apply", "renewal.apply"]


def test_the_operator_cli_and_volunteers(stub, issuer, members):
    # The node's own service account (the operator's command line) may renew; volunteers may not.
    service = bearer(issuer.service_token("node-mir"))
    assert preview(stub, service).renew_count == 2
    for md in (bearer(issuer.token("volunteer-mir")), bearer(issuer.token("coordinator-mira"))):
        assert failure(lambda: preview(stub, md)).code == grpc.StatusCode.PERMISSION_DENIED
    problem = failure(lambda: apply(stub, service, y=THIS + 1))
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT and ("from_year", ) == tuple(f for f, _ in problem.violations)


def test_counted_members_are_explained_with_reasons(stub, coord, members):
    year(stub, coord, members["young"], THIS - 2, PAID, 100, f"{THIS - 2}-03-01")
    year(stub, coord, members["paid"], THIS - 2, PAID, 200, f"{THIS - 2}-03-01")
    answer = stub.ExplainCountedMembers(membership_pb2.ExplainCountedMembersRequest(
        parent=ORG, year=THIS, purpose="grant application"), metadata=coord, timeout=10)
    assert answer.rules_source == "membership-rules.toml"
    imdi, frifond = answer.explanations
    assert (imdi.rule.id, imdi.counted_count, imdi.not_counted_count, imdi.meets_threshold) == ("imdi", 1, 0, False)
    assert (frifond.rule.id, frifond.basis_year, frifond.counted_count, frifond.not_counted_count) == (
        "frifond", THIS - 2, 1, 1)
    [not_counted, counted] = frifond.members
    assert (not_counted.display_name, list(not_counted.reasons), not_counted.age_in_year) == (
        "Amina Hussain", [membership_pb2.COUNTING_REASON_TOO_OLD], THIS - 2 - 1984)
    assert counted.counts and counted.display_name == "Bilal Ahmed"
    last = stub.ExplainCountedMembers(membership_pb2.ExplainCountedMembersRequest(
        parent=ORG, year=THIS - 1, rule_id="imdi", purpose="grant application"), metadata=coord, timeout=10)
    [x] = last.explanations
    # paid, waived and done count; unpaid does not; the cancelled membership is not a membership
    assert (x.counted_count, [r.reason for r in x.not_counted_by_reason]) == (3, [membership_pb2.COUNTING_REASON_UNPAID])
    problem = failure(lambda: stub.ExplainCountedMembers(membership_pb2.ExplainCountedMembersRequest(
        parent=ORG, year=THIS, rule_id="bufdir", purpose="x"), metadata=coord, timeout=10))
    assert (problem.code, problem.reason) == (grpc.StatusCode.NOT_FOUND, "COUNTING_RULE_NOT_FOUND")


def test_a_wrong_rule_file_stops_the_service_naming_file_rule_and_field(tmp_path, broker, issuer):
    bad = tmp_path / "membership-rules.toml"
    bad.write_text('[[counting_rule]]\nid = "imdi"\nfunder = "IMDi"\ntitle = "Paying"\nthreshold = -1\n',
                   encoding="utf-8")
    env = inprocess.node_env("mir", database_url=f"sqlite:///{tmp_path}/m.db", kafka=broker.bootstrap,
                             issuer=issuer.url, BROBYGGER_MEMBERSHIP_RULES=str(bad))
    with pytest.raises(ConfigError) as err:
        with inprocess.running("membership", build, env):
            pass
    [problem] = err.value.problems
    assert str(bad) in problem and "counting_rule[0] (id 'imdi'): threshold" in problem
    env["BROBYGGER_MEMBERSHIP_RULES"] = str(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="BROBYGGER_MEMBERSHIP_RULES"):
        with inprocess.running("membership", build, env):
            pass


def test_reporting_counts_per_rule_from_facts_without_names(broker, issuer, database_url, hub_md):
    org = unique_org()
    f = Facts(org)
    for i in range(23):  # 23 paying members this year, 2 unpaid, 1 cancelled
        f.person(f"p{i}", birth_year=1980)
        f.add(f"p{i}", mem.MembershipYearRecorded(person_id=f"p{i}", year=2026, payment_state=PAID, fee_nok=200,
                                                  birth_year=1980, paid_date="2026-02-01"))
    for i in range(2):
        f.add(f"u{i}", mem.MembershipYearRecorded(person_id=f"u{i}", year=2026, payment_state=UNPAID, fee_nok=200,
                                                  birth_year=1980))
    f.add("c0", mem.MembershipYearRecorded(person_id="c0", year=2026, payment_state=CANCELLED, fee_nok=200,
                                           birth_year=1980))
    for i in range(12):  # 2024: twelve young members who paid 100, three whose fee was waived
        f.add(f"y{i}", mem.MembershipYearRecorded(person_id=f"y{i}", year=2024, payment_state=PAID, fee_nok=100,
                                                  birth_year=2003))
    for i in range(3):
        f.add(f"w{i}", mem.MembershipYearRecorded(person_id=f"w{i}", year=2024, payment_state=WAIVED, fee_nok=0,
                                                  birth_year=2003))
    publish(broker.bootstrap, f.items)
    env = inprocess.node_env(org, database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url,
                             BROBYGGER_MEMBERSHIP_RULES=str(RULES))
    with inprocess.running("reporting", build_reporting, env) as node:
        consumer = node.app.workers["consume"][0]
        eventually(lambda: consumer.applied + consumer.duplicates >= len(f.items), timeout=60, what="every fact")
        stats = stats_of(node.address, org, hub_md)
        cells = {c.rule_id: (c.funder, c.basis_year, c.threshold, value(c.count)) for c in stats.counted_members}
        assert cells["imdi"][:3] == ("IMDi", 2026, 20) and cells["imdi"][3] in (20, 25)
        assert cells["frifond"][:3] == ("Frifond", 2024, 0) and cells["frifond"][3] in (10, 15)
        assert value(stats.members) == 25  # 25 members (a multiple of 5: shown as it is): the cancelled one is not
        years = node.app.tables["fact_membership_years"]
        with node.app.engine.connect() as conn:
            row = conn.execute(sa.select(years).where(years.c.person_id == "p0")).one()
        assert (row.fee_nok, row.paid_date, row.birth_year) == (200, "2026-02-01", 1980)
        q1 = stats_of(node.address, org, hub_md, types_pb2.DateRange(start_date="2026-01-01", end_date="2026-03-31"))
        assert {c.rule_id for c in q1.counted_members} == {"imdi", "frifond"}  # a quarter counts its year


def test_renewed_years_reach_reporting_through_kafka(stub, coord, node, members, broker, issuer, tmp_path):
    """Membership's relay publishes the renewed years; the node's reporting consumes them (no names) and
    counts the new year's members."""
    apply(stub, coord)
    renewed = {members["paid"].name.rsplit("/", 1)[1]: 200, members["young"].name.rsplit("/", 1)[1]: 100}
    env = inprocess.node_env("mir", database_url=f"sqlite:///{tmp_path}/reporting.db", kafka=broker.bootstrap,
                             issuer=issuer.url, BROBYGGER_MEMBERSHIP_RULES=str(RULES))
    with inprocess.running("reporting", build_reporting, env) as reporting:
        years = reporting.app.tables["fact_membership_years"]

        def arrived():
            with reporting.app.engine.connect() as conn:
                rows = conn.execute(sa.select(years).where(years.c.year == THIS,
                                                           years.c.person_id.in_(list(renewed)))).all()
            return {r.person_id: (r.payment_state, r.fee_nok) for r in rows} if len(rows) == 2 else None

        got = eventually(arrived, timeout=60, what="the renewed years in reporting")
        assert got == {pid: (UNPAID, fee) for pid, fee in renewed.items()}
        stats = stats_of(reporting.address, "mir", coord, types_pb2.DateRange(start_date=f"{THIS}-01-01",
                                                                              end_date=f"{THIS}-12-31"))
        assert {c.rule_id for c in stats.counted_members} == {"imdi", "frifond"}
