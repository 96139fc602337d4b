"""Reporting counts volunteer hours from the events service's facts: once per entry, corrections and
withdrawals adjusting the totals, under the node's disclosure control; left out of noisy answers."""
from __future__ import annotations

import pytest

from brobygger.events.v1 import events_facts_pb2 as ev
from services.reporting.domain.disclosure import Figure, Suppression
from services.reporting.domain.privacy import Policy
from services.common.vocabulary import ImdiSubgoal
from tests.service_layer.test_reporting import (  # noqa: F401  (fixtures)
    HUB, COORDINATOR, consumer, envelope, statistics, store, table, uow,
)

COMMUNITY, QUALIFICATION = int(ImdiSubgoal.COMMUNITY), int(ImdiSubgoal.QUALIFICATION)


def logged(entry: str, person: str, minutes: int, date="2026-03-04", activity="a-homework", revision=1):
    return ev.VolunteerHoursLogged(entry_id=entry, activity_id=activity, person_id=person, date=date,
                                   minutes=minutes, revision=revision)


def corrected(entry: str, person: str, minutes: int, revision: int, date="2026-03-04", activity="a-homework"):
    return ev.VolunteerHoursCorrected(entry_id=entry, activity_id=activity, person_id=person, date=date,
                                      minutes=minutes, revision=revision, changed_fields=["duration_minutes"])


@pytest.fixture
def programme(consumer):
    consumer.process(envelope(ev.ActivityCreated(activity_id="a-homework", subgoal=QUALIFICATION)))
    consumer.process(envelope(ev.ActivityCreated(activity_id="a-guides", subgoal=COMMUNITY)))


def figures(uow, **kw):
    s = statistics(uow, actor=COORDINATOR, **kw).statistics
    by_goal = {g: (v, h) for g, v, h in s.volunteers_by_subgoal}
    return s.volunteers, s.volunteer_hours, by_goal


def test_hours_of_many_volunteers_are_counted_by_sub_goal(uow, consumer, programme):
    for i in range(12):  # twelve homework helpers, two hours each: 24 hours
        consumer.process(envelope(logged(f"e{i}", f"p{i}", 120)))
    for i in range(6):  # six guides, 90 minutes each: 9 hours (the minutes added up, then rounded)
        consumer.process(envelope(logged(f"g{i}", f"q{i}", 90, activity="a-guides")))
    volunteers, hours, by_goal = figures(uow)
    assert volunteers.value in (15, 20) and volunteers.value % 5 == 0
    assert hours.value in (30, 35) and hours.value % 5 == 0
    assert by_goal[QUALIFICATION][1].value in (20, 25) and by_goal[COMMUNITY][1].value in (5, 10)
    assert by_goal[COMMUNITY][0].value in (5, 10)


def test_a_redelivered_fact_counts_once_and_a_correction_replaces_the_entry(uow, store, consumer, programme):
    for i in range(10):
        consumer.process(envelope(logged(f"e{i}", f"p{i}", 60), ce_id=f"log-{i}"))
    consumer.process(envelope(logged("e0", "p0", 60), ce_id="log-0"))     # the same fact again
    consumer.process(envelope(logged("e0", "p0", 60), ce_id="other-id"))  # the same entry under a new fact id
    assert len(table(store, "fact_volunteer_hours")) == 10
    assert sum(r.minutes for r in table(store, "fact_volunteer_hours").values()) == 600
    consumer.process(envelope(corrected("e0", "p0", 600, revision=3)))
    consumer.process(envelope(corrected("e0", "p0", 300, revision=2)))  # overtaken: ignored
    assert table(store, "fact_volunteer_hours")[("e0",)].minutes == 600
    assert sum(r.minutes for r in table(store, "fact_volunteer_hours").values()) == 1140


def test_a_withdrawal_stops_counting_once_and_also_before_its_entry(uow, store, consumer, programme):
    for i in range(5):
        consumer.process(envelope(logged(f"e{i}", f"p{i}", 120)))
    consumer.process(envelope(ev.VolunteerHoursWithdrawn(entry_id="e0", activity_id="a-homework", date="2026-03-04")))
    consumer.process(envelope(ev.VolunteerHoursWithdrawn(entry_id="e0", activity_id="a-homework", date="2026-03-04")))
    # A withdrawal that arrives first leaves a withdrawn placeholder that the late facts do not revive.
    consumer.process(envelope(ev.VolunteerHoursWithdrawn(entry_id="late", activity_id="a-homework",
                                                         date="2026-03-04")))
    consumer.process(envelope(logged("late", "p9", 120)))
    consumer.process(envelope(corrected("late", "p9", 240, revision=2)))
    counted = [r for r in table(store, "fact_volunteer_hours").values() if not r.withdrawn]
    assert sorted(r.entry_id for r in counted) == ["e1", "e2", "e3", "e4"]
    volunteers, hours, _ = figures(uow)
    # Four volunteers are fewer than k = 5: their hours are hidden with them, whatever their size (8 hours).
    assert volunteers == Figure.hidden(Suppression.PRIMARY) and hours == Figure.hidden(Suppression.PRIMARY)


def test_hours_of_one_or_two_volunteers_are_never_shown_even_when_many(uow, consumer, programme):
    consumer.process(envelope(logged("big", "p1", 720)))
    for i in range(5):
        consumer.process(envelope(logged(f"g{i}", f"q{i}", 120, activity="a-guides")))
    volunteers, hours, by_goal = figures(uow)
    assert by_goal[QUALIFICATION] == (Figure.hidden(Suppression.PRIMARY), Figure.hidden(Suppression.PRIMARY))
    # What follows for the hidden 12 hours from the total and the community cell spans at least 2k.
    if not hours.suppressed and not by_goal[COMMUNITY][1].suppressed:
        low = max(0, hours.value - 4 - (by_goal[COMMUNITY][1].value + 4))
        high = hours.value + 4 - max(5, by_goal[COMMUNITY][1].value - 4)
        assert high - low >= 10


def test_a_hidden_magnitude_that_would_follow_within_2k_hides_another():
    from services.reporting.domain.cellkey import Count
    from services.reporting.domain.disclosure import Table
    t = Table(5)
    # One volunteer gave 8 hours; six others a few minutes each (0 whole hours): the total would be that one's.
    t.add("volunteers", Count(7, 1)), t.add("hours", Count(8, 7))
    t.add("volunteers/a", Count(1, 2)), t.add("hours/a", Count(8, 3))
    t.add("volunteers/b", Count(6, 4)), t.add("hours/b", Count(0, 0))
    t.sums.append(("hours", ["hours/a", "hours/b"]))
    t.at_most += [("volunteers/a", "volunteers"), ("volunteers/b", "volunteers")]
    t.at_most_sum.append(("volunteers", ["volunteers/a", "volunteers/b"]))
    t.frequency.update({"hours": "volunteers", "hours/a": "volunteers/a", "hours/b": "volunteers/b"})
    f = t.publish()
    assert f["hours/a"] == Figure.hidden(Suppression.PRIMARY) and f["hours/b"] == Figure(0)
    # Shown, the total (5 or 10) would put hours/a within 2k: it is hidden too.
    assert f["hours"] == Figure.hidden(Suppression.SECONDARY)
