"""Reporting against the real broker, SQLite and PostgreSQL: ConsentChanged facts for statistics from Kafka,
and a withdrawal leaving the person out of the periods that begin after it."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from brobygger.membership.v1 import consent_facts_pb2 as cf
from brobygger.membership.v1 import consent_pb2
from services.devstack import inprocess
from services.reporting.bootstrap import build
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.model import PaymentState, Period
from services.reporting.service_layer import handlers
from services.reporting.service_layer.unit_of_work import SqlReportingUnitOfWork
from tests.services.test_reporting import Facts, publish, unique_org
from tests.support import eventually

SECRET = "a-disclosure-secret-of-at-least-32-chars"


def changed(f: Facts, person: str, change: int, day: str, purpose=consent_pb2.CONSENT_PURPOSE_STATISTICS) -> None:
    f.add(person, cf.ConsentChanged(person_id=person, consent_purpose=purpose, change=change, changed_date=day))


def test_a_withdrawal_from_kafka_leaves_the_person_out_of_later_periods(broker, issuer, database_url):
    org = unique_org()
    f = Facts(org)
    for p in ("p1", "p2", "p3"):
        f.member(p, 2026, PaymentState.PAID)
    changed(f, "p1", cf.ConsentChanged.CHANGE_WITHDRAWN, "2026-04-20")
    changed(f, "p1", cf.ConsentChanged.CHANGE_WITHDRAWN, "2026-04-20")  # redelivered under a new id
    changed(f, "p2", cf.ConsentChanged.CHANGE_WITHDRAWN, "2026-04-20", purpose=consent_pb2.CONSENT_PURPOSE_PHOTOS)
    publish(broker.bootstrap, f.items)
    env = inprocess.node_env(org, database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url)
    with inprocess.running("reporting", build, env) as node:
        consumer = node.app.workers["consume"][0]
        eventually(lambda: consumer.applied >= len(f.items), timeout=60, what="every fact applied")
        table = node.app.tables["fact_statistics_consents"]
        with node.app.engine.connect() as conn:
            rows = conn.execute(sa.select(table.c.person_id, table.c.changed_date, table.c.withdrawn)).all()
        assert [tuple(r) for r in rows] == [("p1", dt.date(2026, 4, 20), True)]

        def members(start, end):
            with SqlReportingUnitOfWork(node.app.engine, node.app.tables, org) as uow:
                return handlers.raw_statistics(uow, Period(start, end), CellKeys(SECRET)).members.value

        assert members(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 3  # begun before: kept
        assert members(dt.date(2026, 4, 1), dt.date(2026, 4, 30)) == 3
        assert members(dt.date(2026, 5, 1), dt.date(2026, 5, 31)) == 2
