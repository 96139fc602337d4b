"""Reporting and hub use cases on in-memory fakes: every rule, no database, no broker, no server."""
from __future__ import annotations

import dataclasses
import logging
import datetime as dt
import threading
import time
import uuid

import pytest
from google.protobuf.message import Message
from opentelemetry import trace

from brobygger.events.v1 import events_facts_pb2 as ev
from brobygger.membership.v1 import membership_facts_pb2 as mem
from brobygger.referral.v1 import referral_facts_pb2 as ref
from services.common.audit import list_entries
from services.common.auth import Principal
from services.common.consumer import IdempotentConsumer
from services.common.directory import Node
from services.common.errors import FailedPrecondition, InvalidArgument, ResourceExhausted, Unavailable
from services.common.facts import Envelope, UnusableFact, fact_type
from services.common.vocabulary import AgeBand, Gender, ImdiSubgoal
from services.reporting.adapters.nodes import NodeFailed, ReportingNodes
from services.reporting.adapters.repository import (
    ActivityFacts, AttendanceFacts, ConcurrentSpend, HoursFacts, MembershipYearFacts, PersonFacts, PrivacyLedger,
    ReferralFacts, SessionFacts, StatisticsConsentFacts,
)
from services.reporting.domain import privacy
from services.reporting.domain.disclosure import Figure, Suppression
from services.reporting.domain.privacy import Policy
from services.reporting.domain.model import (
    AttendanceRow, HoursRow, Member, PaymentState, ReferralRow, ReferralState, SessionRow,
)
from services.reporting.domain.records import (
    ActivityRecord, AttendanceRecord, MembershipYearRecord, PersonRecord, ReferralRecord, SessionRecord,
)
from services.reporting.service_layer import commands, facts, handlers
from services.reporting.service_layer.federation import Federation, RateLimiter
from services.reporting.service_layer.unit_of_work import ReportingUnitOfWork
from services.reporting.adapters.repository import RoleFacts
from services.reporting.domain.model import RoleRow
from tests.fakes import FakeUnitOfWork, State, Store

# ---------------------------------------------------------------------------- fakes


class _FakeFacts:
    key: tuple[str, ...]

    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def put(self, record) -> None:
        self.rows[tuple(getattr(record, k) for k in self.key)] = record

    def get(self, *key):
        return self.rows.get(key)

    def _in(self, period, attribute: str) -> list:
        return [r for r in self.rows.values() if period.start <= getattr(r, attribute) <= period.end]


class FakePersons(_FakeFacts, PersonFacts):
    key = ("person_id",)

    def get(self, person_id):
        return self.rows.get((person_id,))


class FakeYears(_FakeFacts, MembershipYearFacts):
    key = ("person_id", "year")

    def members(self, period):
        paying: dict[str, bool] = {}
        for y in self.rows.values():
            if period.first_year <= y.year <= period.last_year and y.payment_state != 4:  # 4: cancelled
                paying[y.person_id] = paying.get(y.person_id, False) or y.is_paying
        return [Member(person, p) for person, p in paying.items()]

    def year_facts(self, years):
        from services.common.counting import YearFacts
        return [YearFacts(y.person_id, y.year, y.payment_state, y.fee_nok, y.paid_date, y.birth_year)
                for y in self.rows.values() if y.year in years]


class FakeActivities(_FakeFacts, ActivityFacts):
    key = ("activity_id",)


class FakeSessions(_FakeFacts, SessionFacts):
    key = ("session_id",)

    def __init__(self, rows: dict, activities: dict) -> None:
        super().__init__(rows)
        self.activities = activities

    def in_period(self, period):
        def of_activity(s):
            activity = self.activities.get((s.activity_id,))
            return activity.subgoal if activity else None

        return [SessionRow(s.session_id, s.activity_id, s.subgoal, of_activity(s)) for s in self._in(period, "date")
                if not s.cancelled]

    def set_subgoal(self, activity_id, subgoal):
        for key, s in list(self.rows.items()):
            if s.activity_id == activity_id:
                self.rows[key] = dataclasses.replace(s, subgoal=subgoal)


class FakeAttendances(_FakeFacts, AttendanceFacts):
    key = ("attendance_id",)

    def in_period(self, period):
        return [AttendanceRow(a.attendance_id, a.person_id, a.gender, a.age_band, 1 if a.person_id else a.count,
                              a.date, a.activity_id) for a in self._in(period, "date") if not a.withdrawn]

    def move_session(self, session_id, date):
        for key, a in list(self.rows.items()):
            if a.session_id == session_id:
                self.rows[key] = dataclasses.replace(a, date=date)


class FakeReferrals(_FakeFacts, ReferralFacts):
    key = ("referral_id",)

    def created_in(self, period):
        return [ReferralRow(r.referral_id, r.state) for r in self._in(period, "created_date")]


class FakeHours(_FakeFacts, HoursFacts):
    key = ("entry_id",)

    def __init__(self, rows: dict, activities: dict) -> None:
        super().__init__(rows)
        self.activities = activities

    def get(self, entry_id):
        return self.rows.get((entry_id,))

    def in_period(self, period):
        def subgoal(h):
            activity = self.activities.get((h.activity_id,))
            return activity.subgoal if activity else 0

        return [HoursRow(h.entry_id, h.person_id, h.minutes, subgoal(h), h.activity_id) for h in self._in(period, "date")
                if not h.withdrawn]


class FakeRoles(_FakeFacts, RoleFacts):
    key = ("assignment_id",)

    def held_in(self, period):
        return [RoleRow(r.person_id, r.role) for r in self.rows.values() if r.overlaps(period.start, period.end)]


class FakePrivacyLedger(PrivacyLedger):
    def __init__(self, state: State) -> None:
        self.budgets = state.table("privacy_budgets")    # analyst -> spent (millionths)
        self.answers = state.table("privacy_answers")    # (period, fingerprint) -> NoisyAnswer
        self.charges = state.table("privacy_charges")    # (analyst, period, fingerprint) -> cost

    def answer(self, period, fingerprint):
        return self.answers.get((period, fingerprint))

    def add_answer(self, period, fingerprint, answer):
        if (period, fingerprint) in self.answers:
            raise ConcurrentSpend()
        self.answers[(period, fingerprint)] = answer

    def charged(self, analyst, period, fingerprint):
        return (analyst, period, fingerprint) in self.charges

    def spend(self, analyst, period, fingerprint, cost_micro, limit_micro):
        if self.budgets.get(analyst, 0) + cost_micro > limit_micro:
            return False
        self.budgets[analyst] = self.budgets.get(analyst, 0) + cost_micro
        self.charges[(analyst, period, fingerprint)] = cost_micro
        return True

    def spent(self, analyst):
        return self.budgets.get(analyst, 0)


class FakeStatisticsConsents(_FakeFacts, StatisticsConsentFacts):
    key = ("person_id", "changed_date", "withdrawn")

    def before(self, day):
        return [r for r in self.rows.values() if r.changed_date < day]


class FakeReportingUnitOfWork(FakeUnitOfWork, ReportingUnitOfWork):
    def open(self, state: State) -> None:
        self.privacy = FakePrivacyLedger(state)
        self.persons = FakePersons(state.table("fact_persons"))
        self.years = FakeYears(state.table("fact_membership_years"))
        self.activities = FakeActivities(state.table("fact_activities"))
        self.sessions = FakeSessions(state.table("fact_sessions"), state.table("fact_activities"))
        self.attendances = FakeAttendances(state.table("fact_attendances"))
        self.referrals = FakeReferrals(state.table("fact_referrals"))
        self.hours = FakeHours(state.table("fact_volunteer_hours"), state.table("fact_activities"))
        self.statistics_consents = FakeStatisticsConsents(state.table("fact_statistics_consents"))
        self.roles = FakeRoles(state.table("fact_role_assignments"))


ANALYST = Principal(subject="s-1", username="service-account-brobygger-hub", client_id="brobygger-hub",
                    orgs=frozenset(), roles=frozenset({"analyst"}))
# The hub's service account as a node sees it, an analyst as the hub sees them, and a node's coordinator.
HUB = Principal(subject="s-hub", username="service-account-brobygger-hub", client_id="brobygger-hub",
                orgs=frozenset(), roles=frozenset({"federation-hub"}))
IMDI = Principal(subject="0c5e7a2e-analyst", username="analyst-imdi", client_id="brobygger-web",
                 orgs=frozenset({"imdi"}), roles=frozenset({"analyst"}))
COORDINATOR = Principal(subject="s-c", username="coordinator-mir", client_id="brobygger-web",
                        orgs=frozenset({"mir"}), roles=frozenset({"coordinator"}))
F, M = Gender.FEMALE, Gender.MALE
CHILD, ADULT = AgeBand.AGE_0_12, AgeBand.AGE_26_66
COMMUNITY, QUALIFICATION, SOCIAL_CONTROL = ImdiSubgoal.COMMUNITY, ImdiSubgoal.QUALIFICATION, ImdiSubgoal.SOCIAL_CONTROL
P, S = Suppression.PRIMARY, Suppression.SECONDARY
d = dt.date


@pytest.fixture
def store():
    return Store()


@pytest.fixture
def uow(store):
    return lambda: FakeReportingUnitOfWork(store)


@pytest.fixture
def consumer(uow):
    return IdempotentConsumer(uow, "kafka.invalid:9092", consumer_name="mir-reporting", group_id="mir.reporting",
                              topics=facts.topics("mir"), handler=facts.apply, source_prefix="/organizations/mir/")


def envelope(message: Message, *, org: str = "mir", ce_id: str = "", ce_type: str = "",
             data: bytes | None = None) -> Envelope:
    """A fact as the node's outbox relay publishes it."""
    ft = fact_type(type(message))
    return Envelope(id=ce_id or uuid.uuid4().hex, source=f"/organizations/{org}/{ft.service}",
                    type=ce_type or ft.type, time="2026-03-01T10:00:00Z", dataschema=ft.dataschema, key="k",
                    data=message.SerializeToString() if data is None else data)


def table(store: Store, name: str) -> dict:
    return store.state.table(name)


# ---------------------------------------------------------------------------- applying facts


def test_reporting_reads_the_topics_of_the_nodes_other_services():
    assert facts.topics("mir") == ["mir.events", "mir.membership", "mir.referral"]


def test_membership_facts_become_records(consumer, store):
    assert consumer.process(envelope(mem.PersonRegistered(person_id="p1", birth_year=1984, gender=F,
                                                          registered_date="2026-01-10")))
    assert consumer.process(envelope(mem.PersonRegistered(person_id="p2", birth_year=0, gender=M)))
    assert consumer.process(envelope(mem.MembershipYearRecorded(person_id="p1", year=2026,
                                                                payment_state=PaymentState.WAIVED, fee_nok=200,
                                                                birth_year=1984)))
    persons = table(store, "fact_persons")
    assert (persons[("p1",)].registered_date, persons[("p2",)].registered_date) == (d(2026, 1, 10), None)
    assert table(store, "fact_membership_years") == {
        ("p1", 2026): MembershipYearRecord("p1", 2026, PaymentState.WAIVED, 1984, fee_nok=200)}
    assert table(store, "fact_membership_years")[("p1", 2026)].is_paying


def test_a_corrected_profile_replaces_the_registered_one_and_keeps_the_registration_date(consumer, store):
    consumer.process(envelope(mem.PersonRegistered(person_id="p1", birth_year=1984, gender=F,
                                                   registered_date="2026-01-10")))
    fix = mem.PersonUpdated(person_id="p1", changed_fields=["birth_year", "phone"], birth_year=1986, gender=F,
                            updated_date="2026-03-01")
    assert consumer.process(envelope(fix, ce_id="fix-1"))
    assert not consumer.process(envelope(fix, ce_id="fix-1"))  # a redelivery is a no-op
    # A correction of someone whose registration was never counted still counts them as they are now.
    consumer.process(envelope(mem.PersonUpdated(person_id="p9", changed_fields=["gender"], birth_year=2001,
                                                gender=M)))
    assert table(store, "fact_persons") == {("p1",): PersonRecord("p1", F, 1986, d(2026, 1, 10)),
                                            ("p9",): PersonRecord("p9", M, 2001, None)}
    assert store.state.dead_letters == []


def test_events_facts_become_records_and_a_named_participant_is_one_visit(consumer, store):
    consumer.process(envelope(ev.ActivityCreated(activity_id="yoga", subgoal=COMMUNITY, theme="y" * 150,
                                                 funder="IMDi", anonymous_attendance=True)))
    consumer.process(envelope(ev.SessionScheduled(session_id="s1", activity_id="yoga", date="2026-04-01")))
    consumer.process(envelope(ev.AttendanceRecorded(attendance_id="a1", session_id="s1", activity_id="yoga",
                                                    date="2026-04-01", person_id="p1", gender=F, age_band=ADULT,
                                                    count=9)))
    consumer.process(envelope(ev.AttendanceRecorded(attendance_id="a2", session_id="s1", activity_id="yoga",
                                                    date="2026-04-01", gender=F, age_band=ADULT, count=20)))
    activity = table(store, "fact_activities")[("yoga",)]
    assert (len(activity.theme), activity.funder, activity.anonymous_attendance) == (100, "IMDi", True)
    assert table(store, "fact_sessions")[("s1",)] == SessionRecord("s1", "yoga", d(2026, 4, 1), 0)
    counts = {k[0]: a.count for k, a in table(store, "fact_attendances").items()}
    assert counts == {"a1": 1, "a2": 20}


def referral_changed(state: int, created: str = "2026-03-03", changed: str = "2026-03-03", **kw) -> Envelope:
    return envelope(ref.ReferralStateChanged(referral_id="r1", direction=1, partner_kind=1, reason_category=1,
                                             state=state, created_date=created, changed_date=changed, **kw))


def test_a_referral_keeps_its_latest_state(consumer, store):
    consumer.process(referral_changed(ReferralState.REQUESTED, target_organization="mira" * 20))
    consumer.process(referral_changed(ReferralState.COMPLETED, changed="2026-06-10"))
    consumer.process(referral_changed(ReferralState.ACCEPTED, changed="2026-03-05"))  # stale: ignored
    held = table(store, "fact_referrals")[("r1",)]
    assert (held.state, held.changed_date) == (ReferralState.COMPLETED, d(2026, 6, 10))
    consumer.process(referral_changed(ReferralState.FAILED, changed="2026-06-10"))  # same date: the later wins
    assert table(store, "fact_referrals")[("r1",)].state == ReferralState.FAILED


def test_a_referral_change_without_its_date_counts_from_creation(consumer, store):
    consumer.process(referral_changed(ReferralState.REQUESTED, changed="", target_organization="x" * 80))
    held = table(store, "fact_referrals")[("r1",)]
    assert held.changed_date == d(2026, 3, 3) and len(held.target_organization) == 64


def test_the_same_fact_twice_counts_once(consumer, store):
    fact = envelope(ev.AttendanceRecorded(attendance_id="a1", session_id="s1", activity_id="x", date="2026-04-01",
                                          person_id="p1", gender=F, age_band=ADULT))
    assert consumer.process(fact) is True
    assert consumer.process(fact) is False  # redelivered: same id
    # Re-sent under a new id: the natural id keeps it one record.
    assert consumer.process(dataclasses.replace(fact, id="other")) is True
    assert (consumer.applied, consumer.duplicates) == (2, 1)
    assert len(table(store, "fact_attendances")) == 1
    assert store.state.processed == {("mir-reporting", fact.id), ("mir-reporting", "other")}


def test_a_fact_reporting_does_not_know_is_skipped(consumer, store):
    unknown = envelope(ev.ActivityCreated(activity_id="x"), ce_type="no.brobygger.events.session_rated.v1")
    assert consumer.process(unknown) is True
    assert table(store, "fact_activities") == {} and store.state.dead_letters == []
    assert ("mir-reporting", unknown.id) in store.state.processed


def test_a_household_fact_is_known_but_not_counted(consumer, store):
    fact = envelope(mem.HouseholdMembershipChanged(household_id="h1", person_id="p1", role=2, change=1,
                                                   changed_date="2026-03-01"))
    assert consumer.process(fact) is True
    assert store.state.dead_letters == [] and ("mir-reporting", fact.id) in store.state.processed
    assert all(rows == {} for name, rows in store.state.tables.items() if name.startswith("fact_"))


@pytest.mark.parametrize("fact, problem", [
    (mem.PersonRegistered(birth_year=1984), "without person_id"),
    (mem.MembershipYearRecorded(person_id="p1"), "without year"),
    (mem.PersonRegistered(person_id="p1", registered_date="10.01.2026"), "registered_date that is not an ISO date"),
    (ev.ActivityCreated(theme="no id"), "without activity_id"),
    (ev.SessionScheduled(session_id="s1", date="4 February"), "date that is not an ISO date"),
    (ev.AttendanceRecorded(attendance_id="a1", date="2026-04-01", count=-3), "a negative head count"),
    (ev.AttendanceRecorded(attendance_id="a1"), "date that is not an ISO date"),
    (ref.ReferralStateChanged(referral_id="r1", state=1), "created_date that is not an ISO date"),
    (ref.ReferralStateChanged(created_date="2026-03-01"), "without referral_id"),
])
def test_an_unusable_fact_is_dead_lettered_and_counts_nothing(uow, store, consumer, fact, problem):
    with pytest.raises(UnusableFact, match=problem), uow() as u:
        facts.apply(u, envelope(fact))
    bad = envelope(fact)
    assert consumer.process(bad, topic="mir.x", partition=2, offset=41) is False
    assert store.state.dead_letters == [{"consumer": "mir-reporting", "fact_id": bad.id, "topic": "mir.x",
                                         "partition": 2, "offset": 41, "ce_type": bad.type, "error": "UnusableFact"}]
    assert all(not store.state.table(t) for t in ("fact_persons", "fact_membership_years", "fact_activities",
                                                  "fact_sessions", "fact_attendances", "fact_referrals"))
    assert consumer.process(bad) is False and consumer.duplicates == 1  # set aside once, not retried forever


def test_a_payload_that_is_not_its_message_is_dead_lettered(consumer, store):
    bad = envelope(ev.SessionScheduled(), data=b"\xff\xff\xff")
    assert consumer.process(bad) is False
    assert [x["error"] for x in store.state.dead_letters] == ["UnusableFact"]


def test_a_fact_from_another_nodes_source_is_dead_lettered(consumer, store):
    foreign = envelope(mem.PersonRegistered(person_id="p1", gender=F), org="mira")
    assert consumer.process(foreign, topic="mir.membership") is False
    assert [(x["fact_id"], x["error"]) for x in store.state.dead_letters] == [(foreign.id, "ForeignFact")]
    assert table(store, "fact_persons") == {}
    # An organisation whose id merely starts like this node's is another node too.
    assert consumer.process(envelope(mem.PersonRegistered(person_id="p2", gender=F), org="mirx")) is False
    assert table(store, "fact_persons") == {}


# ---------------------------------------------------------------------------- statistics


def seed(uow, records: list) -> None:
    repository = {MembershipYearRecord: "years", ActivityRecord: "activities", SessionRecord: "sessions",
                  AttendanceRecord: "attendances", ReferralRecord: "referrals"}
    with uow() as u:
        for r in records:
            getattr(u, repository[type(r)]).put(r)
        u.commit()


def attendance(i: str, date: dt.date, person: str = "", gender=F, band=ADULT, count: int = 1) -> AttendanceRecord:
    return AttendanceRecord(f"a-{i}", "s", "act", date, person, gender, band, count)


def referral(i: str, state: int, created: dt.date) -> ReferralRecord:
    return ReferralRecord(i, 1, 1, 1, state, created, created, "")


@pytest.fixture
def year_2026(uow):
    """A small organisation's 2026, and a 2025 conference."""
    seed(uow, [
        *(MembershipYearRecord(f"m{i}", 2026, PaymentState.PAID, 1985) for i in range(5)),
        MembershipYearRecord("m5", 2026, PaymentState.WAIVED, 1985),
        MembershipYearRecord("m6", 2026, PaymentState.UNPAID, 1985),
        MembershipYearRecord("m7", 2025, PaymentState.PAID, 1985),
        ActivityRecord("lh", QUALIFICATION, "homework help", "", False),
        ActivityRecord("yoga", COMMUNITY, "yoga", "", True),
        *(SessionRecord(f"lh{i}", "lh", d(2026, 2, 1 + i), QUALIFICATION) for i in range(6)),
        *(SessionRecord(f"yo{i}", "yoga", d(2026, 4, 1 + i), 0) for i in range(2)),  # the activity's sub-goal
        SessionRecord("tm", "unknown", d(2026, 5, 20), SOCIAL_CONTROL),
        SessionRecord("kf", "konferanse", d(2025, 11, 15), COMMUNITY),
        *(attendance(f"g{i}-{n}", d(2026, 2, 1 + n), f"g{i}", F, CHILD) for i in range(6) for n in range(2)),
        *(attendance(f"b{i}", d(2026, 2, 3), f"b{i}", M, CHILD) for i in range(3)),
        attendance("w", d(2026, 4, 1), "m1"),
        attendance("yo-hc", d(2026, 4, 1), count=20),
        attendance("kf-hc", d(2025, 11, 15), count=140),
        *(referral(f"r-req{i}", ReferralState.REQUESTED, d(2026, 3, 1)) for i in range(5)),
        *(referral(f"r-rej{i}", ReferralState.REJECTED, d(2026, 3, 2)) for i in range(2)),
        *(referral(f"r-done{i}", ReferralState.COMPLETED, d(2026, 3, 3)) for i in range(7)),
        referral("r-old", ReferralState.COMPLETED, d(2025, 12, 20)),
    ])


SECRET = "a-disclosure-secret-of-at-least-32-chars"


def statistics(uow, start="2026-01-01", end="2026-12-31", **kw) -> handlers.Report:
    kw.setdefault("actor", ANALYST)
    cmd = commands.GetStatistics("organizations/mir", start, end, disclosure_secret=SECRET, **kw)
    return handlers.get_statistics(cmd, uow())


def shown(f: Figure):
    return f.suppression if f.suppressed else f.value


def agrees(f: Figure, truth: int, k: int = 5) -> bool:
    """What the rules allow a figure with this true count to be published as."""
    if truth == 0:
        return f == Figure(0) or f.suppressed
    if truth < k:
        return f.suppressed
    return f.suppressed or (f.value % k == 0 and abs(f.value - truth) < k and f.value >= k)


def test_figures_of_a_period_under_disclosure_control(uow, year_2026):
    report = statistics(uow)
    s = report.statistics
    assert (report.period.start, report.period.end) == (d(2026, 1, 1), d(2026, 12, 31))
    truths = [(s.members, 7), (s.paying_members, 6), (s.activities, 3), (s.sessions, 9),
              (s.participants_unique_total, 10), (s.visits_total, 36)]
    assert all(agrees(f, n) for f, n in truths), truths
    assert s.activities.suppression is Suppression.PRIMARY
    # Six girls twice each, three boys once, one named woman and a head count of twenty women.
    cells = {(p.gender, p.age_band): p for p in s.participants}
    assert len(cells) == 4 * 6  # every gender and age band
    assert agrees(cells[(F, CHILD)].unique, 6) and agrees(cells[(F, CHILD)].visits, 12)
    assert agrees(cells[(F, ADULT)].unique, 1) and agrees(cells[(F, ADULT)].visits, 21)
    assert cells[(M, CHILD)].unique.suppressed and cells[(M, CHILD)].visits.suppressed
    assert all(shown(p.unique) == 0 and shown(p.visits) == 0 for key, p in cells.items()
               if key not in {(F, CHILD), (F, ADULT), (M, CHILD)})
    assert [state for state, _ in s.referrals] == [
        "REFERRAL_STATE_REQUESTED", "REFERRAL_STATE_REJECTED", "REFERRAL_STATE_COMPLETED"]
    assert [agrees(f, n) for (_, f), n in zip(s.referrals, (5, 2, 7))] == [True] * 3
    # Yoga's sessions count under their activity's sub-goal; the theme meeting's activity is unknown.
    goals = dict(s.sessions_by_subgoal)
    assert agrees(goals[COMMUNITY], 2) and agrees(goals[QUALIFICATION], 6) and agrees(goals[SOCIAL_CONTROL], 1)
    assert s.min_cell_size == 5
    assert statistics(uow).statistics == s  # the same question, the same answer


def test_another_period_and_a_larger_minimum_cell(uow, year_2026):
    s = statistics(uow, "2025-01-01", "2025-12-31").statistics
    assert [shown(f) for f in (s.members, s.sessions, s.visits_total, s.participants_unique_total)] == [P, P, 140, 0]
    assert [(state, shown(f)) for state, f in s.referrals] == [("REFERRAL_STATE_COMPLETED", P)]
    s = statistics(uow, min_cell=10).statistics
    assert (s.min_cell_size, shown(s.members), shown(s.paying_members)) == (10, P, P)


def test_a_period_with_nothing_publishes_zeros_not_suppressed_cells(uow):
    s = statistics(uow, "1990-01-01", "1990-03-31").statistics
    assert [f for f in (s.members, s.paying_members, s.activities, s.sessions, s.visits_total)] == [Figure(0)] * 5
    assert all(p.unique == Figure(0) and p.visits == Figure(0) for p in s.participants) and s.referrals == ()
    assert [(goal, shown(f)) for goal, f in s.sessions_by_subgoal] == [(COMMUNITY, 0), (QUALIFICATION, 0),
                                                                      (SOCIAL_CONTROL, 0)]


def test_every_query_is_audited_with_who_and_which_period(uow, store):
    statistics(uow, " 2026-04-01 ", "2026-06-30")
    assert [(a.actor, a.action, a.resource, a.purpose) for a in store.state.audit] == [
        ("service-account-brobygger-hub", "statistics.read",
         "organizations/mir/statistics?period=2026-04-01/2026-06-30", "statistics")]
    assert store.state.facts == []


def test_coordinators_read_the_reporting_audit_log_newest_first_and_the_read_is_audited(uow, store):
    statistics(uow, "2026-01-01", "2026-03-31")
    statistics(uow, "2026-04-01", "2026-06-30")
    coordinator = Principal(subject="u-1", username="coordinator-mir", client_id="brobygger-web",
                            orgs=frozenset({"mir"}), roles=frozenset({"coordinator"}))
    cmd = commands.ListAuditEntries("organizations/mir", by_actor="service-account-brobygger-hub", page_size=1,
                                    actor=coordinator)
    first, token = list_entries(cmd, uow())
    rest, last = list_entries(dataclasses.replace(cmd, page_token=token), uow())
    assert [e.resource for e in first + rest] == ["organizations/mir/statistics?period=2026-04-01/2026-06-30",
                                                  "organizations/mir/statistics?period=2026-01-01/2026-03-31"]
    assert last == ""
    assert [(a.actor, a.action) for a in store.state.audit[-2:]] == [("coordinator-mir", "audit.list")] * 2


def test_a_query_the_hub_asks_for_an_analyst_is_audited_as_the_analyst(uow, store):
    statistics(uow, "2026-04-01", "2026-06-30", actor=HUB, requested_by="analyst-imdi")
    assert [(a.actor, a.client, a.action, a.resource) for a in store.state.audit] == [
        ("analyst-imdi", "service-account-brobygger-hub on behalf of analyst-imdi", "statistics.read",
         "organizations/mir/statistics?period=2026-04-01/2026-06-30")]


@pytest.mark.parametrize("actor, requested_by, audited", [
    (COORDINATOR, "analyst-imdi", ("coordinator-mir", "brobygger-web")),  # only the hub may name who asked
    (ANALYST, "analyst-imdi", ("service-account-brobygger-hub", "brobygger-hub")),  # an analyst role is no hub
    (HUB, "", ("service-account-brobygger-hub", "brobygger-hub")),  # a hub that names nobody: the hub asked
    (HUB, "   ", ("service-account-brobygger-hub", "brobygger-hub")),
])
def test_anyone_but_the_hub_is_who_asked_whatever_requested_by_says(uow, store, actor, requested_by, audited):
    statistics(uow, actor=actor, requested_by=requested_by)
    assert [(a.actor, a.client) for a in store.state.audit] == [audited]


@pytest.mark.parametrize("requested_by", ["analyst\nimdi", "x" * 201])
def test_a_malformed_requested_by_from_the_hub_is_refused_and_nothing_is_read(uow, store, requested_by):
    with pytest.raises(InvalidArgument) as err:
        statistics(uow, actor=HUB, requested_by=requested_by)
    assert [v.field for v in err.value.violations] == ["requested_by.username"]
    assert store.state.audit == [] and store.commits == 0


@pytest.mark.parametrize("start, end, given, fields", [
    ("", "", False, {"period"}),
    ("2026-01-01", "", True, {"period.end_date"}),
    ("1.1.2026", "2026-02-30", True, {"period.start_date", "period.end_date"}),
    ("2026-12-31", "2026-01-01", True, {"period"}),
    ("2020-01-01", "2026-12-31", True, {"period"}),
    ("2026-02-23", "2026-02-23", True, {"period"}),
])
def test_an_invalid_period_names_the_field_and_reads_nothing(uow, store, start, end, given, fields):
    with pytest.raises(InvalidArgument) as err:
        statistics(uow, start, end, period_given=given)
    assert err.value.reason == "INVALID_FIELDS" and {v.field for v in err.value.violations} == fields
    assert store.state.audit == [] and store.commits == 0


# ---------------------------------------------------------------------------- differential privacy at a node

POLICY = Policy(epsilon_per_query=0.4, budget_epsilon=1.0, visits_per_person=2)


def noisy(uow, who: str = "analyst-imdi", subject: str = "0c5e7a2e-analyst", start="2026-01-01", end="2026-12-31",
          policy: Policy = POLICY, actor=HUB) -> handlers.Report:
    cmd = commands.GetStatistics("organizations/mir", start, end, disclosure_secret=SECRET, actor=actor,
                                 requested_by=who, requested_by_subject=subject, privacy=policy)
    return handlers.get_statistics(cmd, uow())


def budget_of(uow, who: str = "analyst-imdi", subject: str = "0c5e7a2e-analyst", policy: Policy | None = POLICY):
    cmd = commands.GetPrivacyBudget("organizations/mir", HUB, requested_by=who, requested_by_subject=subject,
                                    privacy=policy)
    return handlers.get_privacy_budget(cmd, uow())


def test_with_privacy_on_the_hub_gets_noisy_figures_and_the_analyst_pays_for_them(uow, store, year_2026):
    report = noisy(uow)
    p = report.privacy
    mech = privacy.mechanism(POLICY.sensitivity, POLICY.epsilon_per_query)
    assert (p.epsilon, p.scale, p.sensitivity, p.visits_per_person, p.repeated) == (
        mech.epsilon, mech.scale, 14, 2, False)
    assert p.margin == privacy.margin(mech.scale) > 0
    assert (p.budget.analyst, p.budget.spent, p.budget.limit, p.budget.per_query) == ("analyst-imdi", 0.4, 1.0, 0.4)
    assert p.budget.remaining == pytest.approx(0.6)
    s = report.statistics
    assert s.min_cell_size == 0 and len(s.participants) == 24 and len(s.referrals) == len(ReferralState)
    assert all(not f.suppressed and f.value >= 0 for f in (s.members, s.paying_members, s.sessions, s.visits_total))
    # Kept under the analyst's subject, which a change of user name keeps; the answer under period and records.
    assert table(store, "privacy_budgets") == {"0c5e7a2e-analyst": 400_000}
    [(period, _)] = table(store, "privacy_answers")
    assert period == "2026-01-01/2026-12-31"
    assert [(a.actor, a.action) for a in store.state.audit] == [("analyst-imdi", "statistics.read")]


def test_asking_again_of_unchanged_records_gives_the_same_answer_at_no_cost(uow, store, year_2026):
    first = noisy(uow)
    again = noisy(uow)
    assert again.statistics == first.statistics and again.privacy.repeated and not first.privacy.repeated
    assert again.privacy.budget.spent == 0.4 and len(table(store, "privacy_answers")) == 1
    assert [a.action for a in store.state.audit] == ["statistics.read"] * 2  # every query is audited


def test_another_analyst_gets_the_same_answer_to_the_same_question_but_pays_for_it(uow, store, year_2026):
    first = noisy(uow)
    theirs = noisy(uow, who="analyst-bufdir", subject="77aa")
    assert theirs.statistics == first.statistics and not theirs.privacy.repeated
    assert table(store, "privacy_budgets") == {"0c5e7a2e-analyst": 400_000, "77aa": 400_000}
    assert len(table(store, "privacy_answers")) == 1  # pooling their answers teaches them nothing more


def test_changed_records_or_another_period_are_a_new_answer_at_a_new_cost(uow, store, year_2026):
    noisy(uow)
    noisy(uow, start="2026-04-01", end="2026-06-30")
    assert table(store, "privacy_budgets") == {"0c5e7a2e-analyst": 800_000}
    seed(uow, [MembershipYearRecord("new", 2026, PaymentState.PAID, 1990)])
    with pytest.raises(FailedPrecondition):
        noisy(uow)  # the year's records changed: a new answer, which the budget no longer covers
    assert len(table(store, "privacy_answers")) == 2


def test_once_the_budget_is_spent_new_answers_are_refused_with_what_was_spent_and_who_can_raise_it(
        uow, store, year_2026):
    noisy(uow, start="2026-01-01", end="2026-03-31")
    noisy(uow, start="2026-04-01", end="2026-06-30")
    with pytest.raises(FailedPrecondition) as err:
        noisy(uow, start="2026-07-01", end="2026-09-30")
    e = err.value
    assert (e.code, e.reason) == ("FAILED_PRECONDITION", "PRIVACY_BUDGET_EXHAUSTED")
    assert "analyst-imdi" in e.message and "0.8 of 1 epsilon used" in e.message and "operator" in e.message
    assert e.metadata == {"epsilon_spent": "0.8", "epsilon_limit": "1", "epsilon_per_query": "0.4"}
    # Nothing spent or drawn for the refusal, which is audited; answers already given are still free.
    assert table(store, "privacy_budgets") == {"0c5e7a2e-analyst": 800_000} and len(table(store, "privacy_answers")) == 2
    assert [a.action for a in store.state.audit][-1] == "statistics.refused"
    assert noisy(uow, start="2026-01-01", end="2026-03-31").privacy.repeated
    # The operator raises the limit: the analyst may ask again.
    raised = Policy(0.4, 2.0, 2)
    assert noisy(uow, start="2026-07-01", end="2026-09-30", policy=raised).privacy.budget.spent == pytest.approx(1.2)


def test_the_nodes_own_coordinators_are_answered_under_disclosure_control_without_noise(uow, store, year_2026):
    report = noisy(uow, actor=COORDINATOR)
    assert report.privacy is None and report.statistics.min_cell_size == 5
    assert table(store, "privacy_budgets") == {} and table(store, "privacy_answers") == {}


def test_a_hub_naming_nobody_spends_its_own_budget(uow, store, year_2026):
    noisy(uow, who="", subject="")
    assert table(store, "privacy_budgets") == {"service-account-brobygger-hub": 400_000}


def test_a_subject_that_is_not_one_line_is_refused(uow, store, year_2026):
    with pytest.raises(InvalidArgument) as err:
        noisy(uow, subject="a\nb")
    assert [v.field for v in err.value.violations] == ["requested_by.subject"]
    assert table(store, "privacy_budgets") == {}


def test_a_named_persons_visits_beyond_the_bound_are_not_counted(uow, store):
    # Twenty visits of one girl; with two counted per person and no noise to speak of, two visits remain.
    seed(uow, [attendance(f"g{n}", d(2026, 2, 1 + n), "g1", F, CHILD) for n in range(20)])
    precise = Policy(epsilon_per_query=10.0, budget_epsilon=100.0, visits_per_person=2)
    s = noisy(uow, policy=precise).statistics
    assert abs(s.visits_total.value - 2) < 10  # 20 counted would be 18 off; the noise's scale is 0.9


class ContendedLedger(FakePrivacyLedger):
    """Another answer spends from the same budget first, the first time only."""

    collisions = 1

    def spend(self, *args):
        if ContendedLedger.collisions:
            ContendedLedger.collisions -= 1
            raise ConcurrentSpend()
        return super().spend(*args)


class ContendedUnitOfWork(FakeReportingUnitOfWork):
    def open(self, state: State) -> None:
        super().open(state)
        self.privacy = ContendedLedger(state)


def test_a_concurrent_spend_runs_the_answer_again_and_spends_once(store, year_2026):
    ContendedLedger.collisions = 1
    report = noisy(lambda: ContendedUnitOfWork(store))
    assert report.privacy.budget.spent == 0.4 and table(store, "privacy_budgets") == {"0c5e7a2e-analyst": 400_000}
    assert ContendedLedger.collisions == 0 and len(store.state.audit) == 1
    ContendedLedger.collisions = 10 ** 6
    with pytest.raises(Unavailable) as err:
        noisy(lambda: ContendedUnitOfWork(store), start="2026-04-01", end="2026-06-30")
    assert err.value.reason == "CONCURRENT_QUERIES"


def test_the_analyst_reads_their_budget_and_the_read_is_audited(uow, store, year_2026):
    assert (budget_of(uow).spent, budget_of(uow).enabled) == (0, True)
    noisy(uow)
    b = budget_of(uow)
    assert (b.analyst, b.spent, b.limit, b.per_query) == ("analyst-imdi", 0.4, 1.0, 0.4)
    assert b.remaining == pytest.approx(0.6)
    off = budget_of(uow, policy=None)
    assert not off.enabled and (off.spent, off.limit) == (0, 0)
    lines = [(a.actor, a.client, a.action, a.resource) for a in store.state.audit if a.action != "statistics.read"]
    assert lines[-1] == ("analyst-imdi", "service-account-brobygger-hub on behalf of analyst-imdi",
                         "privacy_budget.read", "organizations/mir/privacyBudget")
    assert len(lines) == 4


# ---------------------------------------------------------------------------- the hub


class FakeNodes(ReportingNodes):
    """Each node answers as told: figures, a failure code, a delay within its deadline, or a hang."""

    def __init__(self, behaviour: dict[str, object]) -> None:
        self.behaviour = behaviour
        self.asked: list[tuple[str, dt.date, dt.date, float]] = []
        self.requested_by: list[tuple[str, object]] = []  # (org, who the hub named to it)
        self.contexts: list[tuple[str, object]] = []  # (org, the span context the node was asked in)
        self.release = threading.Event()
        self.hanging = 0
        self.together = threading.Barrier(2, timeout=5)  # for nodes that answer only when asked at once
        self.closed = False

    def get_statistics(self, org, period, timeout, requested_by=None):
        self.asked.append((org, period.start, period.end, timeout))
        self.requested_by.append((org, requested_by))
        self.contexts.append((org, trace.get_current_span().get_span_context()))
        how = self.behaviour[org]
        if how == "hang":  # a client that does not keep its deadline
            self.hanging += 1
            try:
                self.release.wait(10)
            finally:
                self.hanging -= 1
            raise NodeFailed("CANCELLED")
        if how == "together":  # answers once another "together" node is being asked at the same time
            try:
                self.together.wait()
            except threading.BrokenBarrierError:
                raise NodeFailed("ASKED_ALONE") from None
            return {"org": org}
        if isinstance(how, float):  # answers after `how` seconds, or hits its deadline first
            if how > timeout:
                time.sleep(timeout)
                raise NodeFailed("DEADLINE_EXCEEDED")
            time.sleep(how)
            return {"org": org}
        if isinstance(how, Exception):
            raise how
        return how

    def get_privacy_budget(self, org, timeout, requested_by=None):
        self.requested_by.append((org, requested_by))
        how = self.behaviour[org]
        if isinstance(how, Exception):
            raise how
        return {"budget": org}

    def close(self):
        self.closed = True


class FakeTokens:
    def __init__(self, broken: bool = False) -> None:
        self.broken = broken
        self.invalidated = 0

    def token(self):
        if self.broken:
            raise RuntimeError("the issuer is down")
        return "t"

    def invalidate(self):
        self.invalidated += 1


@pytest.fixture
def hub():
    made = []

    def make(behaviour: dict, tokens: FakeTokens | None = None,
             limiter: RateLimiter | None = None) -> tuple[Federation, FakeNodes, FakeTokens]:
        nodes, tokens = FakeNodes(behaviour), tokens or FakeTokens()
        federation = Federation([Node(org, name=org.upper()) for org in behaviour], nodes, tokens, slack_s=0.05,
                                limiter=limiter)
        made.append((federation, nodes))
        return federation, nodes, tokens

    yield make
    for federation, nodes in made:
        nodes.release.set()
        federation.close()


def query(federation: Federation, timeout_ms: int = 0, start="2026-01-01", end="2026-12-31", given=True,
          actor=ANALYST):
    return federation.query(commands.QueryStatistics(start, end, given, timeout_ms, actor))


def test_answers_come_in_directory_order_and_missing_nodes_are_named(hub):
    federation, nodes, tokens = hub({"mir": {"org": "mir"}, "mkr": NodeFailed("UNAVAILABLE"), "mira": {"org": "mira"},
                                     "sor": RuntimeError("token expired mid-query")})
    report = query(federation)
    assert [(a.org, a.statistics, a.error) for a in report.answers] == [
        ("mir", {"org": "mir"}, ""), ("mkr", None, "UNAVAILABLE"), ("mira", {"org": "mira"}, ""),
        ("sor", None, "UNAVAILABLE")]
    assert report.missing == ["mkr", "sor"] and tokens.invalidated == 0
    # Every node was asked for the same period under the hub's default deadline of three seconds.
    assert sorted(nodes.asked) == [(org, d(2026, 1, 1), d(2026, 12, 31), 3.0) for org in ("mir", "mira", "mkr", "sor")]
    assert [(n.org, n.name) for n in federation.list_nodes()] == [("mir", "MIR"), ("mkr", "MKR"), ("mira", "MIRA"),
                                                                  ("sor", "SOR")]


def test_slow_nodes_are_asked_in_parallel_and_cut_off_at_their_deadline(hub):
    # sor and nord answer only while both are being asked: asked one after the other, neither would.
    federation, nodes, _ = hub({"mir": {"org": "mir"}, "sor": "together", "nord": "together", "vest": 5.0})
    report = query(federation, timeout_ms=300)
    by_org = {a.org: a for a in report.answers}
    assert (by_org["sor"].statistics, by_org["nord"].statistics) == ({"org": "sor"}, {"org": "nord"})
    assert [by_org[o].error for o in ("sor", "nord", "vest")] == ["", "", "DEADLINE_EXCEEDED"]
    assert by_org["vest"].latency_ms >= 290 and report.missing == ["vest"]


def test_a_node_that_does_not_keep_its_deadline_is_not_waited_for(hub):
    federation, nodes, _ = hub({"mir": {"org": "mir"}, "hung": "hang"})
    report = query(federation, timeout_ms=50)
    # The answer came while the hung call was still hanging: the hub did not wait for it to return.
    assert nodes.hanging == 1
    assert [(a.org, a.error) for a in report.answers] == [("mir", ""), ("hung", "DEADLINE_EXCEEDED")]
    nodes.release.set()


def test_a_node_refusing_the_token_makes_the_hub_fetch_a_fresh_one(hub):
    federation, _, tokens = hub({"mir": NodeFailed("UNAUTHENTICATED"), "mira": {"org": "mira"}})
    report = query(federation)
    assert [(a.org, a.error) for a in report.answers] == [("mir", "UNAUTHENTICATED"), ("mira", "")]
    assert tokens.invalidated == 1


def test_without_its_own_token_the_hub_asks_nobody(hub):
    federation, nodes, _ = hub({"mir": {"org": "mir"}}, FakeTokens(broken=True))
    with pytest.raises(Unavailable) as err:
        query(federation)
    assert err.value.reason == "SERVICE_TOKEN_UNAVAILABLE" and nodes.asked == []


@pytest.mark.parametrize("kw, fields", [
    (dict(start="2026-12-31", end="2026-01-01"), {"period"}),
    (dict(start="", end="", given=False), {"period"}),
    (dict(timeout_ms=-5), {"node_timeout_ms"}),
    (dict(timeout_ms=60_001), {"node_timeout_ms"}),
])
def test_the_hub_checks_the_query_before_asking_anyone(hub, kw, fields):
    federation, nodes, _ = hub({"mir": {"org": "mir"}})
    with pytest.raises(InvalidArgument) as err:
        query(federation, **kw)
    assert {v.field for v in err.value.violations} == fields and nodes.asked == []


def test_a_node_deadline_is_passed_on_in_seconds(hub):
    federation, nodes, _ = hub({"mir": {"org": "mir"}})
    query(federation, timeout_ms=1500)
    assert nodes.asked[0][3] == 1.5


def test_closing_the_hub_closes_its_node_clients(hub):
    federation, nodes, _ = hub({"mir": {"org": "mir"}})
    federation.close()
    assert nodes.closed


# ---------------------------------------------------------------------------- the hub: who asked, how often


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_hub_names_the_analyst_to_every_node(hub):
    federation, nodes, _ = hub({"mir": {"org": "mir"}, "mkr": NodeFailed("UNAVAILABLE"), "mira": {"org": "mira"}})
    query(federation, actor=IMDI)
    assert sorted(nodes.requested_by) == [("mir", IMDI), ("mira", IMDI), ("mkr", IMDI)]


def test_each_analyst_gets_a_burst_then_a_steady_rate_and_a_clear_429(hub):
    clock = Clock()
    federation, nodes, _ = hub({"mir": {"org": "mir"}}, limiter=RateLimiter(per_minute=30, burst=3, clock=clock))
    for _ in range(3):
        query(federation, actor=IMDI)
    with pytest.raises(ResourceExhausted) as err:
        query(federation, actor=IMDI)
    assert err.value.code == "RESOURCE_EXHAUSTED" and err.value.reason == "RATE_LIMITED"
    assert err.value.retry_delay_s == pytest.approx(2.0)  # 30 a minute: one every two seconds
    assert "at most 30 queries a minute" in err.value.message and "Try again in 2 seconds" in err.value.message
    assert err.value.metadata == {"queries_per_minute": "30", "burst": "3", "retry_after_seconds": "2"}
    assert len(nodes.asked) == 3  # a refused query asks no node
    query(federation, actor=ANALYST)  # another analyst has a bucket of their own
    clock.now += 1.0
    with pytest.raises(ResourceExhausted) as err:
        query(federation, actor=IMDI)
    assert err.value.retry_delay_s == pytest.approx(1.0)
    clock.now += 1.0
    query(federation, actor=IMDI)
    assert len(nodes.asked) == 5


def test_an_invalid_query_is_refused_without_counting_against_the_limit(hub):
    federation, _, _ = hub({"mir": {"org": "mir"}}, limiter=RateLimiter(per_minute=1, burst=1, clock=Clock()))
    with pytest.raises(InvalidArgument):
        query(federation, start="2026-02-03", actor=IMDI)
    query(federation, actor=IMDI)


def test_the_rate_limiter_refills_up_to_its_burst_and_forgets_full_buckets(monkeypatch):
    from services.reporting.service_layer import federation as module

    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=2, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]
    clock.now += 0.5
    assert limiter.take("a") == pytest.approx(0.5)  # refused calls take nothing
    clock.now += 3600  # a long pause fills the bucket to its burst, no further
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]
    monkeypatch.setattr(module, "MAX_TRACKED_ANALYSTS", 2)
    clock.now += 3600
    limiter.take("b")
    limiter.take("c")  # three tracked: "a" has refilled and is forgotten, "b" and "c" are not
    assert set(limiter._buckets) == {"b", "c"}
    with pytest.raises(ValueError):
        RateLimiter(per_minute=0)


def test_the_hub_logs_every_query_and_every_nodes_outcome_by_the_analysts_subject(hub, caplog):
    caplog.set_level(logging.INFO, logger="services.reporting.service_layer.federation")
    federation, _, _ = hub({"mir": {"org": "mir"}, "mkr": NodeFailed("DEADLINE_EXCEEDED")},
                           limiter=RateLimiter(per_minute=1, burst=1, clock=Clock()))
    query(federation, actor=IMDI)
    with pytest.raises(ResourceExhausted):
        query(federation, actor=IMDI)
    with pytest.raises(InvalidArgument):
        query(federation, start="2026-02-03", actor=IMDI)
    lines = [r for r in caplog.records if r.name == "services.reporting.service_layer.federation"]
    fields = [(getattr(r, "organization", None), r.outcome, r.period) for r in lines]
    assert fields == [("mir", "answered", "2026-01-01/2026-12-31"),
                      ("mkr", "DEADLINE_EXCEEDED", "2026-01-01/2026-12-31"),
                      (None, "answered", "2026-01-01/2026-12-31"),
                      (None, "RATE_LIMITED", "2026-01-01/2026-12-31"),
                      (None, "INVALID_FIELDS", "-")]
    assert all(r.analyst == IMDI.subject and r.latency_ms >= 0 for r in lines)
    assert (lines[2].answered, lines[2].nodes, lines[2].missing) == (1, 2, "mkr")
    text = [r.getMessage() for r in lines]
    assert text[1].startswith("statistics query node analyst=0c5e7a2e-analyst period=2026-01-01/2026-12-31 "
                              "organization=mkr outcome=DEADLINE_EXCEEDED latency_ms=")
    assert not any("analyst-imdi" in t for t in text)  # the user name goes to the nodes' audit logs only


def test_each_node_is_asked_in_a_child_span_of_the_query(hub):
    federation, nodes, _ = hub({"mir": {"org": "mir"}, "mira": {"org": "mira"}, "mkr": {"org": "mkr"}})
    with trace.get_tracer(__name__).start_as_current_span("QueryStatistics") as parent:
        query(federation, actor=IMDI)
    ours = parent.get_span_context()
    assert ours.is_valid  # (the tests set up a tracer provider)
    assert sorted(org for org, _ in nodes.contexts) == ["mir", "mira", "mkr"]
    spans = [ctx for _, ctx in nodes.contexts]
    assert all(ctx.trace_id == ours.trace_id and ctx.span_id != ours.span_id for ctx in spans)
    assert len({ctx.span_id for ctx in spans}) == 3  # a span per node


# ---------------------------------------------------------------------------- the hub: privacy budgets


def test_a_node_whose_budget_is_spent_is_refused_with_its_reason_and_the_others_answer(hub):
    spent = NodeFailed("PRIVACY_BUDGET_EXHAUSTED", "The privacy budget of analyst-imdi at this node is spent.")
    federation, _, _ = hub({"mir": {"org": "mir"}, "mira": spent, "mkr": NodeFailed("UNAVAILABLE")})
    report = query(federation, actor=IMDI)
    assert [(a.org, a.statistics, a.error, a.message) for a in report.answers] == [
        ("mir", {"org": "mir"}, "", ""),
        ("mira", None, "PRIVACY_BUDGET_EXHAUSTED", "The privacy budget of analyst-imdi at this node is spent."),
        ("mkr", None, "UNAVAILABLE", "")]
    assert report.missing == ["mira", "mkr"]


def test_the_hub_reads_the_analysts_budget_at_every_node(hub, caplog):
    caplog.set_level(logging.INFO, logger="services.reporting.service_layer.federation")
    federation, nodes, _ = hub({"mir": {"org": "mir"}, "mkr": NodeFailed("UNAVAILABLE"), "mira": {"org": "mira"}})
    report = federation.privacy_budgets(commands.QueryPrivacyBudgets(0, IMDI))
    assert [(a.org, a.budget, a.error) for a in report.answers] == [
        ("mir", {"budget": "mir"}, ""), ("mkr", None, "UNAVAILABLE"), ("mira", {"budget": "mira"}, "")]
    assert report.missing == ["mkr"]
    assert sorted(nodes.requested_by) == [("mir", IMDI), ("mira", IMDI), ("mkr", IMDI)]
    [line] = [r for r in caplog.records if r.getMessage().startswith("privacy budget query")]
    assert (line.analyst, line.outcome, line.nodes, line.missing) == (IMDI.subject, "answered", 3, "mkr")
    with pytest.raises(InvalidArgument):
        federation.privacy_budgets(commands.QueryPrivacyBudgets(-1, IMDI))
