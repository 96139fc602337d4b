"""Reporting counts volunteer hours from facts on the real broker, into SQLite and PostgreSQL, and answers
them over gRPC under disclosure control. The rules are tested on fakes in
tests/service_layer/test_reporting_hours.py."""
from __future__ import annotations

import sqlalchemy as sa

from brobygger.events.v1 import events_facts_pb2 as ev
from services.devstack import inprocess
from services.reporting.bootstrap import build
from tests.services.test_reporting import (  # noqa: F401  (fixtures)
    PRIMARY, QUALIFICATION, COMMUNITY, Facts, hub_md, publish, stats_of, unique_org,
)
from tests.support import eventually


def hours(f: Facts, entry: str, person: str, minutes: int, activity: str, date="2026-03-04", revision=1,
          ce_id=None):
    f.add(activity, ev.VolunteerHoursLogged(entry_id=entry, activity_id=activity, person_id=person, date=date,
                                            minutes=minutes, revision=revision), ce_id=ce_id)


def test_hours_from_facts_corrected_and_withdrawn_once(broker, issuer, database_url, hub_md):
    org = unique_org()
    f = Facts(org)
    f.activity("leksehjelp", QUALIFICATION, "homework help")
    f.activity("guider", COMMUNITY, "volunteer guides")
    for i in range(10):  # ten homework helpers, 2 hours each
        hours(f, f"e{i}", f"p{i}", 120, "leksehjelp", ce_id=f"log-{i}")
    hours(f, "e0", "p0", 120, "leksehjelp", ce_id="log-0")  # redelivered
    f.add("leksehjelp", ev.VolunteerHoursCorrected(entry_id="e1", activity_id="leksehjelp", person_id="p1",
                                                   date="2026-03-04", minutes=240, revision=2,
                                                   changed_fields=["duration_minutes"]))
    f.add("leksehjelp", ev.VolunteerHoursWithdrawn(entry_id="e2", activity_id="leksehjelp", date="2026-03-04"))
    hours(f, "g0", "q0", 180, "guider")  # one guide: hidden
    publish(broker.bootstrap, f.items)
    env = inprocess.node_env(org, database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url)
    with inprocess.running("reporting", build, env) as node:
        consumer = node.app.workers["consume"][0]
        eventually(lambda: consumer.applied + consumer.duplicates >= len(f.items), timeout=60,
                   what="every fact seen")
        t = node.app.tables["fact_volunteer_hours"]
        with node.app.engine.connect() as conn:
            rows = {r.entry_id: r for r in conn.execute(sa.select(t)).all()}
        assert len(rows) == 11 and rows["e1"].minutes == 240 and rows["e2"].withdrawn
        counted = sum(r.minutes for r in rows.values() if not r.withdrawn)
        assert counted == 8 * 120 + 240 + 180
        s = stats_of(node.address, org, hub_md)
        by_goal = {c.subgoal: c for c in s.volunteers_by_subgoal}
        assert len(by_goal) == 3
        assert by_goal[COMMUNITY].volunteers.suppressed == PRIMARY and by_goal[COMMUNITY].hours.suppressed
        assert by_goal[QUALIFICATION].volunteers.value in (5, 10)  # nine helpers
        assert by_goal[QUALIFICATION].hours.value in (20, 25)       # 20 hours
        assert s.volunteers.value == 10                            # ten volunteers in all
        # No names or task texts in the table: ids, a day and minutes.
        assert all(not isinstance(c.type, sa.String) or c.name.endswith("_id") for c in t.columns)
