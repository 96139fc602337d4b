"""Recurring sessions on in-memory fakes: setting a rule makes sessions, a change regenerates only untouched
future ones, retries are no-ops, and every change is told in a fact without names."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from brobygger.events.v1 import events_facts_pb2 as facts
from services.common.consumer import IdempotentConsumer
from services.common.errors import InvalidArgument, NotFound
from services.common.vocabulary import AgeBand, Gender
from services.events.adapters.recurrence_repository import RecurrenceRepository
from services.events.domain.model import HeadCount, Session
from services.events.domain.recurrence import Held, Recurrence
from services.events.service_layer import commands, handlers
from services.events.service_layer import recurrence as rec
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.model import Period
from services.reporting.service_layer import facts as reporting_facts
from services.reporting.service_layer import handlers as reporting
from tests.fakes import Store
from tests.service_layer.test_reporting import FakeReportingUnitOfWork, envelope
from tests.service_layer.test_events import (  # noqa: F401  (fixtures)
    COORDINATOR, EventsStore, FakeEventsUnitOfWork, attend, create_activity, membership, staged,
)


class FakeRecurrences(RecurrenceRepository):
    def __init__(self, state) -> None:
        self.rows = state.table("recurrences")
        self.occurrences = state.table("recurrence_occurrences")
        self.sessions = state.table("sessions")
        self.attendances = state.table("attendances")

    def get(self, activity_id, *, for_update=False):
        return self.rows.get(activity_id)

    def add(self, recurrence):
        if recurrence.activity_id in self.rows:
            return False
        self.rows[recurrence.activity_id] = recurrence
        return True

    def update(self, recurrence):
        assert recurrence.activity_id in self.rows
        self.rows[recurrence.activity_id] = recurrence

    def add_occurrence(self, occurrence):
        assert occurrence.session_id in self.sessions
        self.occurrences[occurrence.session_id] = occurrence

    def update_occurrence(self, occurrence):
        assert occurrence.session_id in self.occurrences
        self.occurrences[occurrence.session_id] = occurrence

    def held(self, activity_id):
        mine = sorted((o for o in self.occurrences.values() if o.activity_id == activity_id),
                      key=lambda o: (o.slot.date, o.session_id))
        return [Held(o, self.sessions[o.session_id],
                     any(a.session_id == o.session_id and not a.withdrawn for a in self.attendances.values()))
                for o in mine]


class FakeRecurrenceUnitOfWork(FakeEventsUnitOfWork):
    def open(self, state) -> None:
        super().open(state)
        self.recurrences = FakeRecurrences(state)


TODAY = dt.date(2026, 12, 4)
LANGUAGE_CAFE = Recurrence(activity_id="", rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", start_date="2027-01-13",
                           end_date="2027-06-16", start_time="17:00", duration_minutes=120, location="Linderud",
                           exception_dates=("2027-02-22/2027-02-26",))


@pytest.fixture
def store():
    return EventsStore()


@pytest.fixture
def uow(store, monkeypatch):
    monkeypatch.setattr(rec, "today", lambda: TODAY)
    return lambda: FakeRecurrenceUnitOfWork(store)


def activity_name(activity_id: str) -> str:
    return f"organizations/mir/activities/{activity_id}"


def set_rule(uow, activity_id: str, request_id="", **changes) -> rec.RecurrenceView:
    r = dataclasses.replace(LANGUAGE_CAFE, activity_id=activity_id, **changes)
    return rec.set_recurrence(rec.SetRecurrence(r, activity_name(activity_id), COORDINATOR, request_id), uow())


def occurrences(uow, activity_id: str) -> list[Held]:
    found, _token = rec.list_occurrences(rec.ListOccurrences(activity_id, activity_name(activity_id)), uow())
    return found


def scheduled_dates(uow, activity_id: str) -> list[str]:
    return [h.session.date for h in occurrences(uow, activity_id) if not h.session.cancelled]


CAFE_DATES = ["2027-01-13", "2027-01-27", "2027-02-10", "2027-03-10", "2027-03-24", "2027-04-07", "2027-04-21",
              "2027-05-05", "2027-05-19", "2027-06-02", "2027-06-16"]  # 24 February is in the winter break


def test_setting_a_rule_makes_a_session_for_every_date_outside_the_exceptions(uow, store):
    a = create_activity(uow)
    view = set_rule(uow, a.id)
    assert view.scheduled_count == 11 and view.recurrence.revision == 1
    assert scheduled_dates(uow, a.id) == CAFE_DATES
    sessions = sorted(store.state.table("sessions").values(), key=lambda s: s.date)
    assert {(s.start_time, s.duration_minutes, s.location) for s in sessions} == {("17:00", 120, "Linderud")}
    assert [f.message.date for f in staged(store, facts.SessionScheduled)] == CAFE_DATES


def test_the_preview_gives_the_dates_and_saves_nothing(uow, store):
    a = create_activity(uow)
    r = dataclasses.replace(LANGUAGE_CAFE, activity_id=a.id)
    preview = rec.preview_recurrence(rec.PreviewRecurrence(r, activity_name(a.id)), uow())
    assert list(preview.dates) == CAFE_DATES and [s.date for s in preview.plan.create] == CAFE_DATES
    assert not store.state.table("sessions") and not store.state.table("recurrences")


def test_a_retry_with_the_same_request_id_makes_the_sessions_once(uow, store):
    a = create_activity(uow)
    first = set_rule(uow, a.id, request_id="r-1")
    again = set_rule(uow, a.id, request_id="r-1", start_time="18:00")
    assert again.recurrence == first.recurrence
    assert len(store.state.table("sessions")) == 11 and len(staged(store, facts.SessionScheduled)) == 11


def test_setting_the_same_rule_again_changes_nothing(uow, store):
    a = create_activity(uow)
    set_rule(uow, a.id)
    view = set_rule(uow, a.id)
    assert view.recurrence.revision == 1 and len(store.state.table("sessions")) == 11
    assert not staged(store, facts.SessionCancelled) and not staged(store, facts.SessionUpdated)


def session_name(s: Session) -> str:
    return f"{activity_name(s.activity_id)}/sessions/{s.id}"


def test_a_change_of_the_rule_keeps_what_coordinators_changed_and_regenerates_the_rest(uow, store, membership):
    a = create_activity(uow)
    set_rule(uow, a.id)
    held = {h.session.date: h.session for h in occurrences(uow, a.id)}
    # 27 January moved to the Thursday, 10 February cancelled, 10 March attended.
    handlers.update_session(commands.UpdateSession(a.id, held["2027-01-27"].id, session_name(held["2027-01-27"]),
                                                   dataclasses.replace(held["2027-01-27"], date="2027-01-28"),
                                                   ("date",), COORDINATOR), uow())
    handlers.cancel_session(commands.CancelSession(a.id, held["2027-02-10"].id, session_name(held["2027-02-10"]),
                                                   "pool closed", COORDINATOR), uow())
    attend(uow, membership, held["2027-03-10"], head=HeadCount(Gender.FEMALE, AgeBand.AGE_26_66, 3))
    store.state.facts.clear()
    # Every week on Thursdays from now on, at 18:00.
    view = set_rule(uow, a.id, rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", start_time="18:00")
    assert view.recurrence.revision == 2
    after = {h.occurrence.slot.date: h for h in occurrences(uow, a.id)}
    assert after["2027-01-27"].session.date == "2027-01-28" and after["2027-01-27"].moved
    assert after["2027-02-10"].session.cancelled and after["2027-02-10"].session.cancel_reason == "pool closed"
    assert not after["2027-03-10"].session.cancelled and after["2027-03-10"].session.start_time == "17:00"
    dropped = sorted(h.occurrence.slot.date for h in after.values() if h.occurrence.dropped)
    assert dropped == ["2027-01-13", "2027-03-24", "2027-04-07", "2027-04-21", "2027-05-05", "2027-05-19",
                       "2027-06-02", "2027-06-16"]
    cancelled = staged(store, facts.SessionCancelled)
    assert sorted(f.message.date for f in cancelled) == dropped
    assert {f.message.cause for f in cancelled} == {facts.CANCEL_CAUSE_SCHEDULE_CHANGED}
    new = sorted(h.session.date for h in after.values() if not h.session.cancelled and not h.attended
                 and not h.moved)
    assert new[0] == "2027-01-14" and all(dt.date.fromisoformat(d).weekday() == 3 for d in new)
    assert {h.session.start_time for h in after.values() if h.session.date in new} == {"18:00"}


def test_a_new_time_brings_untouched_sessions_in_line_and_says_old_and_new_time(uow, store):
    a = create_activity(uow)
    set_rule(uow, a.id)
    ids = {s.date: s.id for s in store.state.table("sessions").values()}
    store.state.facts.clear()
    set_rule(uow, a.id, start_time="17:30")
    assert {s.id for s in store.state.table("sessions").values()} == set(ids.values())  # same sessions
    updated = staged(store, facts.SessionUpdated)
    assert len(updated) == 11
    assert {(f.message.previous_start_time, f.message.start_time) for f in updated} == {("17:00", "17:30")}
    assert set(updated[0].message.changed_fields) == {"start_time"}


def test_past_sessions_are_never_touched(uow, store, monkeypatch):
    a = create_activity(uow)
    set_rule(uow, a.id)
    monkeypatch.setattr(rec, "today", lambda: dt.date(2027, 4, 1))
    set_rule(uow, a.id, rule="FREQ=WEEKLY;BYDAY=WE")
    dates = scheduled_dates(uow, a.id)
    assert [d for d in dates if d < "2027-04-01"] == CAFE_DATES[:5]  # fortnightly before
    assert "2027-04-14" in dates and "2027-03-17" not in dates  # weekly from today on


def test_an_invalid_rule_is_refused_with_the_field_and_nothing_changes(uow, store):
    a = create_activity(uow)
    with pytest.raises(InvalidArgument) as err:
        set_rule(uow, a.id, end_date="")
    assert {v.field for v in err.value.violations} == {"recurrence.end_date"}
    with pytest.raises(InvalidArgument) as err:
        set_rule(uow, a.id, rule="FREQ=DAILY", end_date="2027-12-31")
    assert "more than 200 sessions" in err.value.violations[0].description
    assert not store.state.table("sessions")


def test_an_unknown_activity_or_recurrence_is_not_found(uow):
    with pytest.raises(NotFound):
        set_rule(uow, "nope")
    a = create_activity(uow)
    with pytest.raises(NotFound) as err:
        rec.get_recurrence(rec.GetRecurrence(a.id, activity_name(a.id)), uow())
    assert err.value.reason == "RECURRENCE_NOT_FOUND"


def test_occurrences_are_listed_in_pages(uow):
    a = create_activity(uow)
    set_rule(uow, a.id)
    first, token = rec.list_occurrences(rec.ListOccurrences(a.id, activity_name(a.id), page_size=4), uow())
    second, token2 = rec.list_occurrences(rec.ListOccurrences(a.id, activity_name(a.id), 4, token), uow())
    assert [h.session.date for h in first + second] == CAFE_DATES[:8] and token2


def test_reporting_counts_the_schedule_as_it_is_after_a_change(uow, store):
    """The facts a recurrence and its change stage, consumed by reporting: a dropped session is not counted,
    a kept one is, and sessions brought to a new time are counted once."""
    a = create_activity(uow)
    set_rule(uow, a.id)
    set_rule(uow, a.id, start_time="18:00", end_date="2027-05-31")  # drops 2 June and 16 June
    reporting_store = Store()
    counted = lambda: FakeReportingUnitOfWork(reporting_store)  # noqa: E731
    consumer = IdempotentConsumer(counted, "kafka.invalid:9092", consumer_name="mir-reporting",
                                  group_id="mir.reporting", topics=reporting_facts.topics("mir"),
                                  handler=reporting_facts.apply, source_prefix="/organizations/mir/")
    for fact in store.state.facts:
        consumer.process(envelope(fact.message))
    with counted() as unit:
        got = reporting.raw_statistics(unit, Period(dt.date(2027, 1, 1), dt.date(2027, 12, 31)),
                                       CellKeys("a test secret"))
    assert got.sessions.value == 9 and got.activities.value == 1
