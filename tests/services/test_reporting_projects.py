"""Reporting gives figures per project and per grant from facts on the real broker, in SQLite and PostgreSQL,
over gRPC under disclosure control. The rules are tested on fakes in tests/service_layer/test_reporting_projects.py."""
from __future__ import annotations

import uuid

import grpc
import sqlalchemy as sa

from brobygger.events.v1 import grants_facts_pb2 as gf
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from services.common.grpcclient import decode_error
from services.devstack import inprocess
from services.reporting.bootstrap import build
from tests.services.test_reporting import (  # noqa: F401  (fixtures)
    COMMUNITY, PRIMARY, YEAR_2026, Facts, hub_md, publish,
)
from tests.conftest import bearer
from tests.support import eventually


def by_scope(address, org, md, **scope):
    with grpc.insecure_channel(address) as ch:
        return reporting_pb2_grpc.ReportingServiceStub(ch).GetStatistics(reporting_pb2.GetStatisticsRequest(
            organization=f"organizations/{org}", period=YEAR_2026, **scope), metadata=md, timeout=10)


def test_figures_per_project_and_grant_over_grpc(broker, issuer, database_url, hub_md):
    # At mir, whose coordinator may ask; the ids are this test's own, so other tests' facts on mir's topics
    # change none of these figures.
    org, run = "mir", uuid.uuid4().hex[:8]
    f = Facts(org)
    yoga, swim = f"yoga-{run}", f"svomming-{run}"
    for activity, sessions, people in ((yoga, 10, 10), (swim, 4, 3)):
        f.activity(activity, COMMUNITY, activity)
        for s in range(sessions):
            day = f"2026-04-{s + 1:02d}"
            f.session(f"{activity}-{s}", activity, day)
            for p in range(people):
                f.attendance(f"{activity}-{s}-{p}", f"{activity}-{s}", activity, day, person=f"{activity}-p{p}")
    health_id, swim_id, bjerke_id = f"p-health-{run}", f"p-swim-{run}", f"g-bjerke-{run}"
    f.add(health_id, gf.ProjectGrantsChanged(project_id=health_id, grant_ids=[bjerke_id], funder_ids=["f-b"]))
    f.add(swim_id, gf.ProjectGrantsChanged(project_id=swim_id, grant_ids=[f"g-gjensidige-{run}", bjerke_id],
                                           funder_ids=["f-g", "f-b"]))
    f.add(yoga, gf.ActivityProjectLinked(activity_id=yoga, project_id=health_id))
    f.add(swim, gf.ActivityProjectLinked(activity_id=swim, project_id=swim_id))
    publish(broker.bootstrap, f.items)
    env = inprocess.node_env(org, database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url)
    coordinator = bearer(issuer.token("coordinator-mir"))
    with inprocess.running("reporting", build, env) as node:
        def arrived() -> bool:
            with node.app.engine.connect() as conn:
                t = node.app.tables["fact_attendances"]
                sessions = node.app.tables["fact_sessions"]
                links = node.app.tables["fact_activity_projects"]
                return (conn.execute(sa.select(sa.func.count()).select_from(t).where(
                    t.c.activity_id.in_([yoga, swim]))).scalar_one() == 112
                    and conn.execute(sa.select(sa.func.count()).select_from(sessions).where(
                        sessions.c.activity_id.in_([yoga, swim]))).scalar_one() == 14
                    and conn.execute(sa.select(sa.func.count()).select_from(links).where(
                        links.c.activity_id.in_([yoga, swim]))).scalar_one() == 2)
        eventually(arrived, timeout=60, what="this test's facts applied (attendances, sessions, links)")
        health = by_scope(node.address, org, coordinator, project=f"organizations/{org}/projects/{health_id}")
        assert (health.sessions.value, health.participants_unique_total.value, health.visits_total.value) == (
            10, 10, 100)
        swimming = by_scope(node.address, org, coordinator, project=f"organizations/{org}/projects/{swim_id}")
        assert swimming.participants_unique_total.suppressed == PRIMARY  # three mothers
        bjerke = by_scope(node.address, org, coordinator, grant=f"organizations/{org}/grants/{bjerke_id}")
        assert bjerke.sessions.value == 15 and bjerke.members.value == 0  # 14 sessions, rounded
        try:
            by_scope(node.address, org, hub_md, project=f"organizations/{org}/projects/{health_id}")
        except grpc.RpcError as err:
            problem = decode_error(err)
            assert (problem.code, problem.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "SCOPE_NOT_FEDERATED")
        else:
            raise AssertionError("the hub got figures per project")
