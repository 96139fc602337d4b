"""The reporting service against a real gRPC server, real SQLite and
PostgreSQL, the real broker and real signed tokens.

Facts go to the broker as CloudEvents, exactly as the other services' outbox
relays publish them. Tests that count facts run a node for an organisation
of their own (unique topics and consumer group) and ask with the federation
hub's token, which every node accepts for statistics; the access tests run a
node for "mir", whose users the issuer knows.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf.message import Message

from brobygger.events.v1 import events_facts_pb2 as ev
from brobygger.membership.v1 import membership_facts_pb2 as mem
from brobygger.membership.v1 import membership_pb2
from brobygger.referral.v1 import referral_facts_pb2 as ref
from brobygger.referral.v1 import referral_pb2
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.db import make_engine, migrate
from services.common.facts import Envelope, fact_type
from services.common.grpcclient import decode_error
from services.common.kafka import ensure_topics, make_producer
from services.devstack import inprocess
from services.reporting.adapters.orm import tables
from services.reporting.adapters.repository import SqlMembershipYearFacts
from services.reporting.bootstrap import MIGRATIONS, build
from services.reporting.domain.model import Member, PaymentState, Period
from services.reporting.domain.records import MembershipYearRecord
from services.reporting.service_layer.unit_of_work import SqlReportingUnitOfWork
from tests.conftest import POSTGRES_URL, bearer
from tests.support import eventually

F, M = types_pb2.GENDER_FEMALE, types_pb2.GENDER_MALE
CHILD, ADULT = types_pb2.AGE_BAND_0_12, types_pb2.AGE_BAND_26_66
COMMUNITY, QUALIFICATION, SOCIAL_CONTROL = (types_pb2.IMDI_SUBGOAL_COMMUNITY, types_pb2.IMDI_SUBGOAL_QUALIFICATION,
                                            types_pb2.IMDI_SUBGOAL_SOCIAL_CONTROL)
PRIMARY, SECONDARY = reporting_pb2.SUPPRESSION_PRIMARY, reporting_pb2.SUPPRESSION_SECONDARY
YEAR_2026 = types_pb2.DateRange(start_date="2026-01-01", end_date="2026-12-31")


# ---------------------------------------------------------------- facts as the producers publish them


class Facts:
    """Builds one organisation's facts as (topic, CloudEvent envelope) pairs."""

    def __init__(self, org: str) -> None:
        self.org = org
        self.items: list[tuple[str, Envelope]] = []

    def add(self, key: str, message: Message, *, ce_id: str | None = None, ce_type: str = "",
            source_org: str = "") -> Envelope:
        """One fact; its type, dataschema and topic are derived from the message, as the producers do."""
        ft = fact_type(type(message))
        env = Envelope(
            id=ce_id or uuid.uuid4().hex, source=f"/organizations/{source_org or self.org}/{ft.service}",
            type=ce_type or ft.type, time=dt.datetime.now(dt.timezone.utc).isoformat().replace("+00:00", "Z"),
            dataschema=ft.dataschema, key=key, data=message.SerializeToString(),
        )
        self.items.append((ft.topic(self.org), env))
        return env

    def member(self, person: str, year: int, state: int, *, birth_year: int = 1985) -> None:
        self.add(person, mem.MembershipYearRecorded(
            person_id=person, year=year, payment_state=state, fee_nok=200, birth_year=birth_year))

    def person(self, person: str, gender: int = F, birth_year: int = 1985) -> None:
        self.add(person, mem.PersonRegistered(
            person_id=person, gender=gender, birth_year=birth_year, registered_date="2026-01-10"))

    def activity(self, activity: str, subgoal: int, theme: str, anonymous: bool = False) -> None:
        self.add(activity, ev.ActivityCreated(
            activity_id=activity, subgoal=subgoal, theme=theme, funder="IMDi", anonymous_attendance=anonymous))

    def session(self, session: str, activity: str, date: str, subgoal: int = 0) -> None:
        self.add(session, ev.SessionScheduled(session_id=session, activity_id=activity, date=date, subgoal=subgoal))

    def attendance(self, attendance: str, session: str, activity: str, date: str, *, person: str = "",
                   gender: int = F, band: int = ADULT, count: int = 1, ce_id: str | None = None) -> Envelope:
        return self.add(session, ev.AttendanceRecorded(
            attendance_id=attendance, session_id=session, activity_id=activity, date=date, person_id=person,
            gender=gender, age_band=band, count=count), ce_id=ce_id)

    def referral(self, referral: str, state: int, created: str, changed: str) -> None:
        self.add(referral, ref.ReferralStateChanged(
            referral_id=referral, direction=referral_pb2.DIRECTION_OUTGOING,
            partner_kind=referral_pb2.PARTNER_KIND_SCHOOL, reason_category=referral_pb2.REASON_CATEGORY_SCHOOL_HOME,
            state=state, created_date=created, changed_date=changed))


def publish(bootstrap: str, items: list[tuple[str, Envelope]]) -> None:
    """Publish envelopes in order, as an outbox relay does: binary-mode CloudEvents, acknowledged."""
    ensure_topics(bootstrap, sorted({topic for topic, _ in items}))
    producer = make_producer(bootstrap, client_id="test-facts")
    try:
        futures = []
        for topic, env in items:
            key, value, headers = env.to_record()
            futures.append(producer.send(topic, key=key, value=value, headers=headers))
        producer.flush(timeout=30)
        for f in futures:
            f.get(timeout=30)
    finally:
        producer.close(timeout=5)


def publish_markers(bootstrap: str, org: str) -> int:
    """One fact that changes no figure (a registration) on every partition of the org's membership topic.
    A partition is read in order, so once every marker is applied, so is everything published there
    before them. Returns how many were published."""
    markers = Facts(org)
    markers.person("marker")
    topic, marker = markers.items[0]
    ensure_topics(bootstrap, [topic])
    producer = make_producer(bootstrap, client_id="test-markers")
    try:
        partitions = sorted(producer.partitions_for(topic))
        futures = []
        for partition in partitions:
            key, value, headers = dataclasses.replace(marker, id=uuid.uuid4().hex).to_record()
            futures.append(producer.send(topic, key=key, value=value, headers=headers, partition=partition))
        for f in futures:
            f.get(timeout=30)
    finally:
        producer.close(timeout=5)
    return len(partitions)


def year_2026(org: str) -> Facts:
    """A year of a small organisation: members, homework help, women's yoga, a theme meeting, referrals."""
    f = Facts(org)
    # Members: seven with a 2026 year (one paid after first being recorded unpaid, one waived, one unpaid),
    # one whose only year is 2025.
    for i in range(1, 8):
        f.person(f"m{i}")
    f.member("m1", 2026, membership_pb2.PAYMENT_STATE_UNPAID)
    f.member("m1", 2026, membership_pb2.PAYMENT_STATE_PAID)
    for i in range(2, 6):
        f.member(f"m{i}", 2026, membership_pb2.PAYMENT_STATE_PAID)
    f.member("m6", 2026, membership_pb2.PAYMENT_STATE_WAIVED)
    f.member("m7", 2026, membership_pb2.PAYMENT_STATE_UNPAID)
    f.member("m8", 2025, membership_pb2.PAYMENT_STATE_PAID)
    # Activities and sessions: the yoga sessions name no sub-goal and take their activity's.
    f.activity("leksehjelp", QUALIFICATION, "homework help")
    f.activity("yoga", COMMUNITY, "yoga and zumba for women", anonymous=True)
    f.activity("temamote", SOCIAL_CONTROL, "theme meeting on negative social control")
    f.activity("konferanse", COMMUNITY, "national conference")
    for i in range(6):
        f.session(f"lh{i}", "leksehjelp", f"2026-02-{4 + 7 * i:02d}" if i < 4 else f"2026-03-{4 + 7 * (i - 4):02d}",
                  QUALIFICATION)
    for i in range(5):
        f.session(f"yo{i}", "yoga", f"2026-04-{1 + 7 * i:02d}")
    f.session("tm0", "temamote", "2026-05-20", SOCIAL_CONTROL)
    f.session("tm1", "temamote", "2026-09-16", SOCIAL_CONTROL)
    f.session("kf0", "konferanse", "2025-11-15", COMMUNITY)  # outside the period
    # Participants: six girls come twice, five boys once (homework help); two named women and
    # a head count of twenty at yoga; a head count of three men at the theme meeting.
    for i in range(6):
        f.attendance(f"a-g{i}-1", "lh0", "leksehjelp", "2026-02-04", person=f"g{i}", gender=F, band=CHILD)
        f.attendance(f"a-g{i}-2", "lh1", "leksehjelp", "2026-02-11", person=f"g{i}", gender=F, band=CHILD)
    for i in range(5):
        f.attendance(f"a-b{i}", "lh2", "leksehjelp", "2026-02-18", person=f"b{i}", gender=M, band=CHILD)
    f.attendance("a-w0", "yo0", "yoga", "2026-04-01", person="m1", gender=F, band=ADULT)
    f.attendance("a-w1", "yo0", "yoga", "2026-04-01", person="m2", gender=F, band=ADULT)
    f.attendance("a-yo-hc", "yo0", "yoga", "2026-04-01", gender=F, band=ADULT, count=20)
    f.attendance("a-tm-hc", "tm0", "temamote", "2026-05-20", gender=M, band=ADULT, count=3)
    f.attendance("a-kf-hc", "kf0", "konferanse", "2025-11-15", gender=F, band=ADULT, count=140)  # outside
    # Referrals created in 2026: five still requested, two rejected, seven completed (one of them with a
    # stale "accepted" arriving after its completion), and one from December 2025.
    for i in range(5):
        f.referral(f"r-req{i}", referral_pb2.REFERRAL_STATE_REQUESTED, "2026-03-01", "2026-03-01")
    for i in range(2):
        f.referral(f"r-rej{i}", referral_pb2.REFERRAL_STATE_REQUESTED, "2026-03-02", "2026-03-02")
        f.referral(f"r-rej{i}", referral_pb2.REFERRAL_STATE_REJECTED, "2026-03-02", "2026-03-04")
    for i in range(7):
        f.referral(f"r-done{i}", referral_pb2.REFERRAL_STATE_REQUESTED, "2026-03-03", "2026-03-03")
        f.referral(f"r-done{i}", referral_pb2.REFERRAL_STATE_COMPLETED, "2026-03-03", "2026-06-10")
    f.referral("r-done0", referral_pb2.REFERRAL_STATE_ACCEPTED, "2026-03-03", "2026-03-05")
    f.referral("r-old", referral_pb2.REFERRAL_STATE_COMPLETED, "2025-12-20", "2026-01-05")
    # A fact type reporting does not know yet is skipped.
    f.add("v1", ev.ActivityCreated(activity_id="x"), ce_type="no.brobygger.events.session_rated.v1")
    return f


# ---------------------------------------------------------------- reading figures


def value(c: reporting_pb2.Cell):
    """A cell as a test reads it: the count, or 'P' / 'S' when suppressed."""
    if c.WhichOneof("kind") == "suppressed":
        return {PRIMARY: "P", SECONDARY: "S"}[c.suppressed]
    assert c.WhichOneof("kind") == "value", "a cell always holds a value or a suppression marker"
    return c.value


def summary(s: reporting_pb2.Statistics) -> dict:
    return {
        "members": value(s.members), "paying_members": value(s.paying_members),
        "activities": value(s.activities), "sessions": value(s.sessions),
        "participants": [(p.gender, p.age_band, value(p.unique), value(p.visits)) for p in s.participants],
        "unique_total": value(s.participants_unique_total), "visits_total": value(s.visits_total),
        "referrals": [(r.state, value(r.count)) for r in s.referrals],
        "by_subgoal": [(g.subgoal, value(g.sessions)) for g in s.sessions_by_subgoal],
    }


def unique_org() -> str:
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture
def hub_md(issuer):
    return bearer(issuer.service_token("brobygger-hub"))


def stats_of(address: str, org: str, md, period=YEAR_2026) -> reporting_pb2.Statistics:
    with grpc.insecure_channel(address) as ch:
        return reporting_pb2_grpc.ReportingServiceStub(ch).GetStatistics(
            reporting_pb2.GetStatisticsRequest(organization=f"organizations/{org}", period=period),
            metadata=md, timeout=10)


# ---------------------------------------------------------------- figures from facts


# The true counts of year_2026 for 2026. What is published must agree with them under the published rules:
# 0 as 0; 1..4 hidden; the rest hidden or rounded to a neighbouring multiple of 5 (never below 5).
TRUE_2026 = {
    "members": 7, "paying_members": 6, "activities": 3, "sessions": 13,
    "participants": {(F, CHILD): (6, 12), (F, ADULT): (2, 22), (M, CHILD): (5, 5), (M, ADULT): (0, 3)},
    "unique_total": 13, "visits_total": 42,
    "referrals": {"REFERRAL_STATE_REQUESTED": 5, "REFERRAL_STATE_REJECTED": 2, "REFERRAL_STATE_COMPLETED": 7},
    "by_subgoal": {COMMUNITY: 5, QUALIFICATION: 6, SOCIAL_CONTROL: 2},
}


def agrees(shown, truth: int, k: int = 5) -> bool:
    if shown in ("P", "S"):
        return truth > 0 or shown == "P"  # a hidden count may be 0 only when its whole table is hidden
    if truth == 0:
        return shown == 0
    return truth >= k and shown % k == 0 and abs(shown - truth) < k and shown >= k


def assert_agrees(got: dict, truth: dict) -> None:
    for name in ("members", "paying_members", "activities", "sessions", "unique_total", "visits_total"):
        assert agrees(got[name], truth[name]), (name, got[name], truth[name])
    cells = {(g, b): (u, v) for g, b, u, v in got["participants"]}
    assert len(cells) == 24  # every gender and age band
    for cell, (u, v) in cells.items():
        tu, tv = truth["participants"].get(cell, (0, 0))
        assert agrees(u, tu) and agrees(v, tv), (cell, (u, v), (tu, tv))
    assert {s for s, _ in got["referrals"]} == set(truth["referrals"])
    assert all(agrees(n, truth["referrals"][s]) for s, n in got["referrals"])
    assert all(agrees(n, truth["by_subgoal"].get(g, 0)) for g, n in got["by_subgoal"])


def test_figures_from_published_facts_under_disclosure_control(broker, issuer, database_url, hub_md):
    org = unique_org()
    items = year_2026(org).items
    publish(broker.bootstrap, items)
    env = inprocess.node_env(org, database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url)
    with inprocess.running("reporting", build, env) as node:
        consumer = node.app.workers["consume"][0]
        # Rounded figures cannot show when the last fact is in; the consumer's count can.
        eventually(lambda: consumer.applied + consumer.duplicates >= len(items), timeout=60, what="every fact seen")
        assert_agrees(summary(stats_of(node.address, org, hub_md)), TRUE_2026)
        stats = stats_of(node.address, org, hub_md)
        assert summary(stats_of(node.address, org, hub_md)) == summary(stats)  # asked again: the same answer
        assert stats.organization == f"organizations/{org}" and stats.min_cell_size == 5
        assert (stats.period.start_date, stats.period.end_date) == ("2026-01-01", "2026-12-31")
        assert stats.generate_time.seconds > 0
        # The same facts seen for 2025 alone: the conference, m8's membership, no referrals created then
        # except r-old.
        old = summary(stats_of(node.address, org, hub_md, types_pb2.DateRange(start_date="2025-01-01",
                                                                               end_date="2025-12-31")))
        assert (old["members"], old["sessions"], old["visits_total"], old["unique_total"]) == ("P", "P", 140, 0)
        assert old["referrals"] == [("REFERRAL_STATE_COMPLETED", "P")]
        assert node.app.workers["consume"][0].applied > 0
        # Every query is written to the audit log: who, and which period; no figures.
        audit = node.app.tables["audit_log"]
        with node.app.engine.connect() as conn:
            rows = conn.execute(sa.select(audit).order_by(audit.c.id)).all()
        assert rows and {r.action for r in rows} == {"statistics.read"}
        assert {r.actor for r in rows} == {"service-account-brobygger-hub"}
        assert rows[-1].resource == f"organizations/{org}/statistics?period=2025-01-01/2025-12-31"
        # No names ever reach the fact tables: only ids, codes, dates and counts.
        with node.app.engine.connect() as conn:
            for name in ("fact_persons", "fact_attendances", "fact_referrals"):
                t = node.app.tables[name]
                assert all(not isinstance(c.type, sa.String) or c.name.endswith(("_id", "organization"))
                           for c in t.columns), name


def test_a_corrected_profile_replaces_the_registered_one(broker, issuer, database_url):
    org = unique_org()
    f = Facts(org)
    f.person("p1", gender=F, birth_year=1984)
    f.add("p1", mem.PersonUpdated(person_id="p1", changed_fields=["birth_year", "phone"], gender=F, birth_year=1986,
                                  updated_date="2026-03-01"))
    publish(broker.bootstrap, f.items)
    env = inprocess.node_env(org, database_url=database_url, kafka=broker.bootstrap, issuer=issuer.url)
    with inprocess.running("reporting", build, env) as node:
        consumer = node.app.workers["consume"][0]
        eventually(lambda: consumer.applied >= len(f.items), timeout=60, what="both facts applied")
        persons = node.app.tables["fact_persons"]
        with node.app.engine.connect() as conn:
            row = conn.execute(sa.select(persons)).one()
        assert (row.person_id, row.gender, row.birth_year, row.registered_date) == ("p1", F, 1986,
                                                                                    dt.date(2026, 1, 10))


def test_the_same_event_twice_counts_once(broker, issuer, tmp_path, hub_md):
    org = unique_org()
    f = Facts(org)
    f.activity("kafe", QUALIFICATION, "language café")
    f.session("s1", "kafe", "2026-10-07")
    for i in range(6):
        f.attendance(f"a{i}", "s1", "kafe", "2026-10-07", person=f"p{i}", gender=F)
    f.items.append(f.items[-1])  # the relay published a5 again after a crash: same ce_id
    # The same attendance under a new ce_id (e.g. re-sent by the producer): the natural id keeps it one.
    f.attendance("a0", "s1", "kafe", "2026-10-07", person="p0", gender=F)
    publish(broker.bootstrap, f.items)
    env = inprocess.node_env(org, database_url=f"sqlite:///{tmp_path}/r.db", kafka=broker.bootstrap,
                             issuer=issuer.url)
    with inprocess.running("reporting", build, env) as node:
        consumer = node.app.workers["consume"][0]
        eventually(lambda: consumer.applied + consumer.duplicates >= len(f.items), what="every record seen")
        assert (consumer.applied, consumer.duplicates) == (len(f.items) - 1, 1)
        got = summary(stats_of(node.address, org, hub_md))
        assert agrees(got["unique_total"], 6) and agrees(got["visits_total"], 6)
        assert [(g, b) for g, b, u, v in got["participants"] if u or v] == [(F, ADULT)]


def test_a_consumer_stopped_mid_stream_counts_each_event_exactly_once(broker, issuer, tmp_path, hub_md):
    org = unique_org()
    url = f"sqlite:///{tmp_path}/r.db"
    env = inprocess.node_env(org, database_url=url, kafka=broker.bootstrap, issuer=issuer.url)
    first, second = Facts(org), Facts(org)
    first.activity("lh", QUALIFICATION, "homework help")
    first.session("s1", "lh", "2026-02-04")
    for i in range(40):
        first.attendance(f"a{i}", "s1", "lh", "2026-02-04", person=f"p{i}", gender=F, band=CHILD)
    for i in range(40, 80):
        second.attendance(f"a{i}", "s1", "lh", "2026-02-04", person=f"p{i}", gender=F, band=CHILD)
    # Last, on the same partition (same key): once it counts, everything before it has been seen.
    second.attendance("a-marker", "s1", "lh", "2026-12-01", gender=F, band=CHILD, count=5)
    february = types_pb2.DateRange(start_date="2026-02-01", end_date="2026-02-28")
    december = types_pb2.DateRange(start_date="2026-12-01", end_date="2026-12-31")

    def visits(address: str, period=february):
        return value(stats_of(address, org, hub_md, period).visits_total)

    with inprocess.running("reporting", build, env) as node:
        publish(broker.bootstrap, first.items)
        eventually(lambda: visits(node.address) == 40, what="the first forty visits")
    # Stopped. More facts arrive meanwhile; some of them were applied just before a crash that
    # came before the offsets were committed, so the broker delivers them again.
    publish(broker.bootstrap, second.items)
    with inprocess.running("reporting", build, env, roles=()) as crashed:
        for _, e in second.items[:7]:
            assert crashed.app.workers["consume"][0].process(e) is True
    with inprocess.running("reporting", build, env) as node:
        consumer = node.app.workers["consume"][0]
        eventually(lambda: visits(node.address, december) == 5, what="the marker")
        assert (consumer.applied, consumer.duplicates) == (34, 7)
        got = summary(stats_of(node.address, org, hub_md, february))
        assert (got["unique_total"], got["visits_total"]) == (80, 80)
        processed = node.app.tables["processed_facts"]
        with node.app.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(processed)).scalar_one() == 83


def test_unusable_and_foreign_facts_go_to_dead_letters(issuer, tmp_path, broker):
    org = unique_org()
    env = inprocess.node_env(org, database_url=f"sqlite:///{tmp_path}/r.db", kafka=broker.bootstrap,
                             issuer=issuer.url)
    with inprocess.running("reporting", build, env, roles=()) as node:
        consumer = node.app.workers["consume"][0]
        f = Facts(org)
        f.session("s1", "lh", "4 February")
        bad_topic, bad = f.items[-1]
        foreign = f.add("p1", mem.PersonRegistered(person_id="p1", gender=F), source_org="mira")
        assert consumer.process(bad, topic=bad_topic, partition=1, offset=7) is False
        assert consumer.process(foreign, topic=f"{org}.membership") is False
        dead, persons = node.app.tables["dead_letters"], node.app.tables["fact_persons"]
        with node.app.engine.connect() as conn:
            rows = {r.fact_id: r for r in conn.execute(sa.select(dead))}
            assert conn.execute(sa.select(sa.func.count()).select_from(persons)).scalar_one() == 0
        assert {(r.fact_id, r.ce_type, r.error) for r in rows.values()} == {
            (bad.id, fact_type(ev.SessionScheduled).type, "UnusableFact"),
            (foreign.id, fact_type(mem.PersonRegistered).type, "ForeignFact")}
        assert (rows[bad.id].topic, rows[bad.id].partition, rows[bad.id].offset) == (bad_topic, 1, 7)


def test_facts_on_the_nodes_topic_from_another_nodes_source_are_dead_lettered_not_counted(broker, issuer, tmp_path):
    """Reaching a node's topic is not enough: a fact whose CloudEvents source is another node is set
    aside where the consumer read it, and none of its content reaches the node's figures."""
    org = unique_org()
    f = Facts(org)
    for i in range(5):
        f.person(f"m{i}")
        f.member(f"m{i}", 2026, membership_pb2.PAYMENT_STATE_PAID)
    foreign = [
        f.add("x1", mem.PersonRegistered(person_id="x1", gender=F, birth_year=1990, registered_date="2026-01-10"),
              source_org="mira"),
        f.add("x1", mem.MembershipYearRecorded(person_id="x1", year=2026, fee_nok=200, birth_year=1990,
                                               payment_state=membership_pb2.PAYMENT_STATE_PAID), source_org="mira"),
    ]
    assert {topic for topic, _ in f.items} == {f"{org}.membership"}
    publish(broker.bootstrap, f.items)
    env = inprocess.node_env(org, database_url=f"sqlite:///{tmp_path}/r.db", kafka=broker.bootstrap,
                             issuer=issuer.url)
    with inprocess.running("reporting", build, env) as node:
        consumer = node.app.workers["consume"][0]
        dead = node.app.tables["dead_letters"]

        def dead_letters():
            with node.app.engine.connect() as conn:
                return {r.fact_id: r for r in conn.execute(sa.select(dead))}

        eventually(lambda: consumer.applied == 10 and len(dead_letters()) == 2, what="every fact read")
        rows = dead_letters()
        assert set(rows) == {e.id for e in foreign}
        person, year = (rows[e.id] for e in foreign)
        for row in (person, year):
            assert (row.consumer, row.topic, row.error) == (f"{org}-reporting", f"{org}.membership", "ForeignFact")
            assert 0 <= row.partition < 3 and row.offset >= 0
        # Same key, same partition, read in order.
        assert person.partition == year.partition and person.offset < year.offset
        assert (person.ce_type, year.ce_type) == (fact_type(mem.PersonRegistered).type,
                                                  fact_type(mem.MembershipYearRecorded).type)
        with node.app.engine.connect() as conn:
            for name in ("fact_persons", "fact_membership_years"):
                t = node.app.tables[name]
                assert sorted(conn.execute(sa.select(t.c.person_id)).scalars()) == [f"m{i}" for i in range(5)], name
        assert consumer.duplicates == 0


@pytest.mark.postgres
def test_every_figure_of_one_answer_comes_from_one_snapshot():
    """On PostgreSQL a statistics query reads at REPEATABLE READ: a fact committed meanwhile
    changes none of the figures of the answer being computed."""
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    with inprocess.postgres_database(POSTGRES_URL) as url:
        migrate(url, MIGRATIONS)
        engine = make_engine(url)
        try:
            with SqlReportingUnitOfWork(engine, tables, "mir") as uow:
                assert uow.years.members(period) == []
                with engine.begin() as conn:
                    SqlMembershipYearFacts(conn).put(MembershipYearRecord("p1", 2026, PaymentState.PAID, 1985))
                assert uow.years.members(period) == []
            with SqlReportingUnitOfWork(engine, tables, "mir") as uow:
                assert uow.years.members(period) == [Member("p1", True)]
        finally:
            engine.dispose()


# ---------------------------------------------------------------- access and validation at mir's node


@pytest.fixture(scope="module")
def mir_node(broker, issuer, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('reporting-mir')}/r.db"
    env = inprocess.node_env("mir", database_url=url, kafka=broker.bootstrap, issuer=issuer.url)
    with inprocess.running("reporting", build, env, roles=()) as node:
        yield node


@pytest.fixture
def mir_stub(mir_node):
    with grpc.insecure_channel(mir_node.address) as ch:
        yield reporting_pb2_grpc.ReportingServiceStub(ch)


def get(stub, md, organization="organizations/mir", period=YEAR_2026, **kw):
    request = reporting_pb2.GetStatisticsRequest(organization=organization, **kw)
    if period is not None:
        request.period.CopyFrom(period)
    return stub.GetStatistics(request, metadata=md, timeout=10)


@pytest.mark.parametrize("who", ["coordinator-mir", "hub", "node-mir"])
def test_coordinators_the_node_and_the_hub_may_read_statistics(mir_stub, mir_node, issuer, who):
    token = {"hub": lambda: issuer.service_token("brobygger-hub"),
             "node-mir": lambda: issuer.service_token("node-mir")}.get(who, lambda: issuer.token(who))()
    stats = get(mir_stub, bearer(token), period=types_pb2.DateRange(start_date="1990-04-01",
                                                                    end_date="1990-06-30"))
    # Nothing happened then: every figure is a published zero, not a suppressed cell.
    got = summary(stats)
    assert all(u == 0 and v == 0 for _, _, u, v in got.pop("participants"))
    assert got == {"members": 0, "paying_members": 0, "activities": 0, "sessions": 0,
                   "unique_total": 0, "visits_total": 0, "referrals": [],
                   "by_subgoal": [(COMMUNITY, 0), (QUALIFICATION, 0), (SOCIAL_CONTROL, 0)]}
    audit = mir_node.app.tables["audit_log"]
    with mir_node.app.engine.connect() as conn:
        last = conn.execute(sa.select(audit).order_by(audit.c.id.desc()).limit(1)).one()
    expected_actor = {"hub": "service-account-brobygger-hub", "node-mir": "service-account-node-mir"}.get(who, who)
    assert (last.actor, last.action, last.resource) == (
        expected_actor, "statistics.read", "organizations/mir/statistics?period=1990-04-01/1990-06-30")


@pytest.mark.parametrize("user, reason", [
    ("coordinator-mira", "WRONG_ORGANIZATION"), ("analyst-imdi", "WRONG_ORGANIZATION"),
    ("volunteer-mir", "ROLE_REQUIRED"),
])
def test_others_are_refused_at_the_node(mir_stub, issuer, user, reason):
    with pytest.raises(grpc.RpcError) as err:
        get(mir_stub, bearer(issuer.token(user)))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert decode_error(err.value).reason == reason


def test_another_nodes_service_account_is_refused(mir_stub, issuer):
    with pytest.raises(grpc.RpcError) as err:
        get(mir_stub, bearer(issuer.service_token("node-mira")))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_coordinators_read_the_reporting_audit_log_and_that_read_is_audited(mir_stub, mir_node, issuer):
    coord = bearer(issuer.token("coordinator-mir"))
    get(mir_stub, bearer(issuer.service_token("brobygger-hub")),
        period=types_pb2.DateRange(start_date="1991-01-01", end_date="1991-03-31"))
    log = mir_stub.ListAuditEntries(reporting_pb2.ListAuditEntriesRequest(
        parent="organizations/mir", actor="service-account-brobygger-hub", page_size=1), metadata=coord, timeout=10)
    [entry] = log.audit_entries
    assert (entry.action, entry.resource, entry.client) == (
        "statistics.read", "organizations/mir/statistics?period=1991-01-01/1991-03-31", "brobygger-hub")
    audit = mir_node.app.tables["audit_log"]
    with mir_node.app.engine.connect() as conn:
        last = conn.execute(sa.select(audit).order_by(audit.c.id.desc()).limit(1)).one()
    assert (last.actor, last.action) == ("coordinator-mir", "audit.list")
    for md in (bearer(issuer.service_token("brobygger-hub")), bearer(issuer.service_token("node-mir")),
               bearer(issuer.token("analyst-imdi"))):
        with pytest.raises(grpc.RpcError) as err:
            mir_stub.ListAuditEntries(reporting_pb2.ListAuditEntriesRequest(parent="organizations/mir"), metadata=md)
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_no_token_is_unauthenticated(mir_stub):
    with pytest.raises(grpc.RpcError) as err:
        get(mir_stub, [])
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_wrong_or_malformed_organisation(mir_stub, issuer):
    md = bearer(issuer.token("coordinator-mir"))
    with pytest.raises(grpc.RpcError) as err:
        get(mir_stub, md, organization="organizations/mira")
    problem = decode_error(err.value)
    assert (problem.code, problem.reason) == (grpc.StatusCode.NOT_FOUND, "WRONG_ORGANIZATION")
    with pytest.raises(grpc.RpcError) as err:
        get(mir_stub, md, organization="mir")
    problem = decode_error(err.value)
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT and problem.violations[0][0] == "organization"


@pytest.mark.parametrize("period, fields", [
    (None, {"period"}),
    (types_pb2.DateRange(start_date="1.1.2026", end_date="2026-02-30"), {"period.start_date", "period.end_date"}),
])
def test_invalid_periods_name_the_field(mir_stub, issuer, period, fields):
    with pytest.raises(grpc.RpcError) as err:
        get(mir_stub, bearer(issuer.token("coordinator-mir")), period=period)
    problem = decode_error(err.value)
    assert problem.code == grpc.StatusCode.INVALID_ARGUMENT and problem.reason == "INVALID_FIELDS"
    assert {f for f, _ in problem.violations} == fields
