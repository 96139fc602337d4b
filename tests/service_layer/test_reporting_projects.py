"""Reporting gives figures per project and per grant from the events service's GrantsService facts, under the
node's disclosure control; an activity of two projects of a grant counts once, an unlinked one not at all."""
from __future__ import annotations

import pytest

from brobygger.events.v1 import events_facts_pb2 as ev
from brobygger.events.v1 import grants_facts_pb2 as gf
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.vocabulary import AgeBand, Gender, ImdiSubgoal
from services.reporting.adapters.project_facts import ProjectFacts
from services.reporting.service_layer import facts
from services.common.consumer import IdempotentConsumer
from tests.fakes import State
from tests.service_layer.test_reporting import (  # noqa: F401  (fixtures)
    COORDINATOR, HUB, FakeReportingUnitOfWork, envelope, statistics, store,
)

F, ADULT = int(Gender.FEMALE), int(AgeBand.AGE_26_66)


class FakeProjectFacts(ProjectFacts):
    def __init__(self, state: State) -> None:
        self.grants = state.table("fact_project_grants")
        self.links = state.table("fact_activity_projects")

    def set_grants(self, project_id, grants):
        for key in [k for k in self.grants if k[0] == project_id]:
            del self.grants[key]
        for g, f in grants:
            self.grants[(project_id, g)] = f

    def set_link(self, activity_id, project_id, linked):
        self.links[(activity_id, project_id)] = linked

    def knows_project(self, project_id):
        return any(p == project_id for p, _ in self.grants)

    def knows_grant(self, grant_id):
        return any(g == grant_id for _, g in self.grants)

    def activities(self, *, project_id=None, grant_id=None):
        projects = {p for p, g in self.grants if grant_id is None or g == grant_id}
        return frozenset(a for (a, p), on in self.links.items()
                         if on and p in projects and (project_id is None or p == project_id))


class FakeProjectsUnitOfWork(FakeReportingUnitOfWork):
    def open(self, state: State) -> None:
        super().open(state)
        self.projects = FakeProjectFacts(state)


@pytest.fixture
def uow(store):  # noqa: F811
    return lambda: FakeProjectsUnitOfWork(store)


@pytest.fixture
def consumer(uow):
    return IdempotentConsumer(uow, "kafka.invalid:9092", consumer_name="mir-reporting", group_id="mir.reporting",
                              topics=facts.topics("mir"), handler=facts.apply, source_prefix="/organizations/mir/")


def activity(consumer, activity_id: str, sessions: int, people: int) -> None:
    """An activity with sessions in March 2026, each with the same people."""
    consumer.process(envelope(ev.ActivityCreated(activity_id=activity_id, subgoal=int(ImdiSubgoal.COMMUNITY))))
    for s in range(sessions):
        sid = f"{activity_id}-s{s}"
        consumer.process(envelope(ev.SessionScheduled(session_id=sid, activity_id=activity_id,
                                                      date=f"2026-03-{s + 1:02d}")))
        for p in range(people):
            consumer.process(envelope(ev.AttendanceRecorded(
                attendance_id=f"{sid}-{p}", session_id=sid, activity_id=activity_id, date=f"2026-03-{s + 1:02d}",
                person_id=f"{activity_id}-p{p}", gender=F, age_band=ADULT, count=1)))


@pytest.fixture
def programme(consumer):
    activity(consumer, "a-yoga", sessions=10, people=10)      # 10 sessions, 10 people, 100 visits
    activity(consumer, "a-homework", sessions=5, people=20)   # 5 sessions, 20 people, 100 visits
    activity(consumer, "a-swim", sessions=6, people=3)        # in no project
    consumer.process(envelope(gf.ProjectGrantsChanged(project_id="p-health", grant_ids=["g-bjerke"],
                                                      funder_ids=["f-bjerke"])))
    consumer.process(envelope(gf.ProjectGrantsChanged(project_id="p-school", grant_ids=["g-ude", "g-imdi"],
                                                      funder_ids=["f-ude", "f-imdi"])))
    consumer.process(envelope(gf.ProjectGrantsChanged(project_id="p-drift", grant_ids=["g-imdi"],
                                                      funder_ids=["f-imdi"])))
    for a, p in [("a-yoga", "p-health"), ("a-homework", "p-school"), ("a-homework", "p-drift"),
                 ("a-yoga", "p-drift")]:
        consumer.process(envelope(gf.ActivityProjectLinked(activity_id=a, project_id=p)))


def test_figures_of_a_project_count_its_activities_only(uow, programme):
    s = statistics(uow, actor=COORDINATOR, project_id="p-health").statistics
    assert (s.sessions.value, s.participants_unique_total.value, s.visits_total.value) == (10, 10, 100)
    assert s.members.value == 0 and s.referrals == ()
    school = statistics(uow, actor=COORDINATOR, project_id="p-school").statistics
    assert (school.sessions.value, school.participants_unique_total.value, school.visits_total.value) == (5, 20, 100)
    everything = statistics(uow, actor=COORDINATOR).statistics
    assert everything.sessions.value in (20, 25) and everything.visits_total.value in (215, 220)  # 218 in all


def test_a_grant_counts_every_project_it_pays_for_each_activity_once(uow, consumer, programme):
    imdi = statistics(uow, actor=COORDINATOR, grant_id="g-imdi").statistics
    assert (imdi.sessions.value, imdi.participants_unique_total.value, imdi.visits_total.value) == (15, 30, 200)
    consumer.process(envelope(gf.ActivityProjectUnlinked(activity_id="a-yoga", project_id="p-drift")))
    after = statistics(uow, actor=COORDINATOR, grant_id="g-imdi").statistics
    assert (after.sessions.value, after.participants_unique_total.value) == (5, 20)
    # A project's grants changed: Bydel Bjerke pays for the homework project too.
    consumer.process(envelope(gf.ProjectGrantsChanged(project_id="p-school", grant_ids=["g-ude", "g-bjerke"],
                                                      funder_ids=["f-ude", "f-bjerke"])))
    assert statistics(uow, actor=COORDINATOR, grant_id="g-bjerke").statistics.sessions.value == 15
    assert statistics(uow, actor=COORDINATOR, grant_id="g-imdi").statistics.sessions.value == 5  # p-drift still


def test_small_figures_of_a_project_are_suppressed_as_every_figure_is(uow, consumer, programme):
    consumer.process(envelope(gf.ProjectGrantsChanged(project_id="p-swim", grant_ids=["g-gjensidige"],
                                                      funder_ids=["f-gjensidige"])))
    consumer.process(envelope(gf.ActivityProjectLinked(activity_id="a-swim", project_id="p-swim")))
    s = statistics(uow, actor=COORDINATOR, project_id="p-swim").statistics
    assert s.participants_unique_total.suppressed  # three mothers: fewer than the minimum cell size
    assert s.sessions.value == 5  # six sessions, rounded to a multiple of five


def test_unknown_scopes_both_at_once_and_the_hub_are_refused(uow, programme):
    with pytest.raises(NotFound) as err:
        statistics(uow, actor=COORDINATOR, project_id="p-none")
    assert err.value.reason == "PROJECT_NOT_FOUND"
    with pytest.raises(NotFound) as err:
        statistics(uow, actor=COORDINATOR, grant_id="g-none")
    assert err.value.reason == "GRANT_NOT_FOUND"
    with pytest.raises(InvalidArgument):
        statistics(uow, actor=COORDINATOR, project_id="p-health", grant_id="g-imdi")
    with pytest.raises(FailedPrecondition) as err:
        statistics(uow, actor=HUB, project_id="p-health")
    assert err.value.reason == "SCOPE_NOT_FEDERATED"
