"""Reporting follows the events service's corrections, on fakes: an activity or session updated, a session
cancelled, an attendance withdrawn; each counted once, in either order, however often it is delivered."""
from __future__ import annotations

import dataclasses

import pytest

from brobygger.events.v1 import events_facts_pb2 as ev
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.model import Period
from services.reporting.domain.records import AttendanceRecord, SessionRecord
from services.reporting.service_layer import handlers
from tests.service_layer.test_reporting import (  # noqa: F401  (fixtures)
    ADULT, CHILD, COMMUNITY, QUALIFICATION, F, M, consumer, d, envelope, store, table, uow,
)

MARCH = Period(d(2026, 3, 1), d(2026, 3, 31))
APRIL = Period(d(2026, 4, 1), d(2026, 4, 30))
KEYS = CellKeys("a test secret of the node's disclosure")


def raw(uow, period=MARCH):
    with uow() as unit:
        return handlers.raw_statistics(unit, period, KEYS)


def recorded(attendance_id: str, *, person: str = "", count: int = 1, gender=F, band=ADULT, session="s1",
             date="2026-03-04") -> ev.AttendanceRecorded:
    return ev.AttendanceRecorded(attendance_id=attendance_id, session_id=session, activity_id="swim", date=date,
                                 person_id=person, gender=gender, age_band=band, count=count)


def withdrawn(attendance_id: str, session="s1", date="2026-03-04") -> ev.AttendanceWithdrawn:
    return ev.AttendanceWithdrawn(attendance_id=attendance_id, session_id=session, activity_id="swim", date=date)


@pytest.fixture
def swim(consumer):
    consumer.process(envelope(ev.ActivityCreated(activity_id="swim", subgoal=COMMUNITY, theme="swimming")))
    consumer.process(envelope(ev.SessionScheduled(session_id="s1", activity_id="swim", date="2026-03-04",
                                                  subgoal=COMMUNITY)))
    consumer.process(envelope(ev.SessionScheduled(session_id="s2", activity_id="swim", date="2026-03-18",
                                                  subgoal=COMMUNITY)))
    return consumer


def test_a_withdrawn_attendance_stops_counting_once_however_often_it_arrives(uow, store, swim):
    for fact in (recorded("a1", person="p1"), recorded("a2", count=9), recorded("a3", count=4, gender=M, band=CHILD)):
        swim.process(envelope(fact))
    before = raw(uow)
    assert (before.visits_total.value, before.participants_unique_total.value) == (14, 1)
    undo = envelope(withdrawn("a2"))
    assert swim.process(undo) is True
    assert swim.process(undo) is False  # redelivered: the same ce_id
    assert swim.process(dataclasses.replace(undo, id="re-sent")) is True  # a new ce_id: the record says it is done
    after = raw(uow)
    assert (after.visits_total.value, after.participants_unique_total.value) == (5, 1)
    assert table(store, "fact_attendances")[("a2",)].withdrawn  # kept, not counted
    swim.process(envelope(withdrawn("a1")))
    assert (raw(uow).visits_total.value, raw(uow).participants_unique_total.value) == (4, 0)


def test_a_withdrawal_that_arrives_before_its_attendance_still_counts_it_never(uow, store, swim):
    assert swim.process(envelope(withdrawn("a1")))  # the AttendanceRecorded was dead-lettered or sent late
    assert table(store, "fact_attendances")[("a1",)] == AttendanceRecord("a1", "s1", "swim", d(2026, 3, 4), "", 0,
                                                                         0, 0, withdrawn=True)
    assert raw(uow).visits_total.value == 0
    swim.process(envelope(recorded("a1", count=7)))
    swim.process(envelope(recorded("a2", count=2)))
    assert raw(uow).visits_total.value == 2
    assert table(store, "fact_attendances")[("a1",)].withdrawn


def test_the_minus_of_a_head_count_is_a_withdrawal_and_a_smaller_entry(uow, swim):
    swim.process(envelope(recorded("a1", count=3)))
    swim.process(envelope(withdrawn("a1")))
    swim.process(envelope(recorded("a1b", count=2)))
    cells = {(p.gender, p.age_band): p.visits.value for p in raw(uow).participants}
    assert cells[(F, ADULT)] == 2 and raw(uow).visits_total.value == 2


def test_a_cancelled_session_is_not_counted(uow, store, swim):
    assert raw(uow).sessions.value == 2 and raw(uow).activities.value == 1
    swim.process(envelope(ev.SessionCancelled(session_id="s2", activity_id="swim", date="2026-03-18")))
    got = raw(uow)
    assert got.sessions.value == 1 and dict(got.sessions_by_subgoal)[COMMUNITY].value == 1
    swim.process(envelope(ev.SessionCancelled(session_id="s1", activity_id="swim", date="2026-03-04")))
    assert (raw(uow).sessions.value, raw(uow).activities.value) == (0, 0)
    # Scheduled again by a late or re-sent fact: a cancelled session stays cancelled.
    swim.process(envelope(ev.SessionScheduled(session_id="s1", activity_id="swim", date="2026-03-04",
                                              subgoal=COMMUNITY)))
    assert raw(uow).sessions.value == 0


def test_a_cancellation_before_its_schedule_leaves_a_cancelled_session(uow, store, consumer):
    consumer.process(envelope(ev.SessionCancelled(session_id="s9", activity_id="swim", date="2026-03-10")))
    consumer.process(envelope(ev.SessionScheduled(session_id="s9", activity_id="swim", date="2026-03-10",
                                                  subgoal=QUALIFICATION)))
    held = table(store, "fact_sessions")[("s9",)]
    assert (held.cancelled, held.subgoal) == (True, QUALIFICATION) and raw(uow).sessions.value == 0


def test_a_moved_session_counts_with_its_attendances_in_its_new_period(uow, store, swim):
    swim.process(envelope(recorded("a1", person="p1", session="s2", date="2026-03-18")))
    swim.process(envelope(recorded("a2", count=5, session="s2", date="2026-03-18")))
    swim.process(envelope(ev.SessionUpdated(session_id="s2", activity_id="swim", date="2026-04-01",
                                            previous_date="2026-03-18", changed_fields=["date"])))
    march, april = raw(uow), raw(uow, APRIL)
    assert (march.sessions.value, march.visits_total.value) == (1, 0)
    assert (april.sessions.value, april.visits_total.value, april.participants_unique_total.value) == (1, 6, 1)
    # An attendance recorded after the move carries the new date.
    swim.process(envelope(recorded("a3", count=2, session="s2", date="2026-04-01")))
    assert raw(uow, APRIL).visits_total.value == 8 and raw(uow).visits_total.value == 0


def test_an_update_before_the_schedule_keeps_the_new_date(uow, store, consumer):
    consumer.process(envelope(ev.ActivityCreated(activity_id="swim", subgoal=COMMUNITY)))
    consumer.process(envelope(ev.SessionUpdated(session_id="s5", activity_id="swim", date="2026-04-02",
                                                previous_date="2026-03-02", changed_fields=["date"])))
    consumer.process(envelope(ev.SessionScheduled(session_id="s5", activity_id="swim", date="2026-03-02",
                                                  subgoal=COMMUNITY)))
    assert table(store, "fact_sessions")[("s5",)] == SessionRecord("s5", "swim", d(2026, 4, 2), COMMUNITY)
    assert (raw(uow).sessions.value, raw(uow, APRIL).sessions.value) == (0, 1)


def test_a_corrected_sub_goal_moves_every_session_of_the_activity(uow, store, swim):
    swim.process(envelope(ev.ActivityUpdated(activity_id="swim", subgoal=QUALIFICATION, theme="swimming lessons",
                                             funder="Bydel Bjerke", changed_fields=["subgoal", "theme", "funder"])))
    activity = table(store, "fact_activities")[("swim",)]
    assert (activity.subgoal, activity.theme, activity.funder) == (QUALIFICATION, "swimming lessons", "Bydel Bjerke")
    by_goal = {g: c.value for g, c in raw(uow).sessions_by_subgoal}
    assert (by_goal[COMMUNITY], by_goal[QUALIFICATION]) == (0, 2)
    # ActivityCreated arriving again (or late) does not undo the correction.
    swim.process(envelope(ev.ActivityCreated(activity_id="swim", subgoal=COMMUNITY, theme="swimming")))
    assert table(store, "fact_activities")[("swim",)].subgoal == QUALIFICATION


def test_an_update_of_other_fields_leaves_the_sessions_sub_goal(uow, store, swim):
    swim.process(envelope(ev.ActivityUpdated(activity_id="swim", subgoal=COMMUNITY, theme="swimming",
                                             funder="IMDi", changed_fields=["funder"])))
    assert {s.subgoal for s in table(store, "fact_sessions").values()} == {COMMUNITY}


@pytest.mark.parametrize("fact", [
    ev.AttendanceWithdrawn(session_id="s1", date="2026-03-04"),
    ev.AttendanceWithdrawn(attendance_id="a1", session_id="s1", date="4 March"),
    ev.SessionCancelled(activity_id="swim", date="2026-03-04"),
    ev.SessionUpdated(session_id="s1", activity_id="swim", date=""),
])
def test_a_correction_that_cannot_be_applied_is_dead_lettered(uow, store, consumer, fact):
    assert consumer.process(envelope(fact)) is False
    assert [dead["consumer"] for dead in store.state.dead_letters] == ["mir-reporting"]
