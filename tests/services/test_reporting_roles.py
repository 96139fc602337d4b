"""Reporting counts active role holders from membership's facts, on SQLite and PostgreSQL with the real broker:
a fact and its end are one record, and the holders of each role in a period come back under disclosure control."""
from __future__ import annotations

import sqlalchemy as sa

from brobygger.membership.v1 import membership_facts_pb2 as mem
from brobygger.membership.v1 import membership_pb2
from brobygger.type.v1 import types_pb2
from services.devstack import inprocess
from services.reporting.bootstrap import build
from tests.services.test_reporting import Facts, hub_md, publish, stats_of, unique_org, value  # noqa: F401
from tests.support import eventually

VOLUNTEER, GUIDE = membership_pb2.ROLE_VOLUNTEER, membership_pb2.ROLE_GUIDE


def test_active_volunteers_and_guides_per_period(broker, issuer, database_url, hub_md):
    org = unique_org()
    f = Facts(org)
    for i in range(10):
        f.add(f"p{i}", mem.RoleAssignmentChanged(assignment_id=f"v{i}", person_id=f"p{i}", role=VOLUNTEER,
                                                 start_date="2026-01-01"))
    for i in range(3):  # three guides in the first quarter: hidden
        f.add(f"g{i}", mem.RoleAssignmentChanged(assignment_id=f"g{i}", person_id=f"g{i}", role=GUIDE,
                                                 start_date="2026-01-01", end_date="2026-03-31", group_id="linderud"))
    f.add("p0", mem.RoleAssignmentChanged(assignment_id="v0", person_id="p0", role=VOLUNTEER, start_date="2026-01-01",
                                          end_date="2026-01-31"))  # p0 stops volunteering after January
    publish(broker.bootstrap, f.items)
    env = inprocess.node_env(org, database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url)
    with inprocess.running("reporting", build, env) as node:
        consumer = node.app.workers["consume"][0]
        eventually(lambda: consumer.applied + consumer.duplicates >= len(f.items), timeout=60, what="every fact")
        table = node.app.tables["fact_role_assignments"]
        with node.app.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 13
            ended = conn.execute(sa.select(table.c.end_date).where(table.c.assignment_id == "v0")).scalar_one()
        assert ended.isoformat() == "2026-01-31"
        year = {c.role: value(c.holders) for c in stats_of(node.address, org, hub_md).role_holders}
        assert list(year) == ["ROLE_BOARD_MEMBER", "ROLE_COORDINATOR", "ROLE_VOLUNTEER", "ROLE_GUIDE",
                              "ROLE_PAID_ASSISTANT"]
        assert year["ROLE_VOLUNTEER"] == 10 and year["ROLE_GUIDE"] == "P" and year["ROLE_BOARD_MEMBER"] == 0
        june = {c.role: value(c.holders) for c in stats_of(
            node.address, org, hub_md, types_pb2.DateRange(start_date="2026-06-01", end_date="2026-06-30")).role_holders}
        assert june["ROLE_VOLUNTEER"] in (5, 10) and june["ROLE_GUIDE"] == 0
