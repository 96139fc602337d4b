"""Volunteer hours on in-memory fakes: logging, retries, corrections, withdrawals, listings and their audit."""
from __future__ import annotations

import dataclasses

import pytest

from brobygger.events.v1 import events_facts_pb2 as facts
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound, Unavailable
from services.common.timestamps import today
from services.events.adapters.repository import HoursFilter
from services.events.domain.hours import HoursEntry
from services.events.service_layer import hours
from services.events.service_layer.handlers import cancel_session
from services.events.service_layer import commands
from tests.service_layer.test_events import (  # noqa: F401  (fixtures)
    COORDINATOR, DAUGHTER, MOTHER, OTHER, create_activity, create_session, membership, staged, store, uow,
)

GUIDE = MOTHER  # a person of the node's membership, who gives time as a volunteer


def entry(activity_id: str, person=GUIDE, date="2026-03-04", minutes=90, session_id="", task="") -> HoursEntry:
    return HoursEntry(id="", activity_id=activity_id, person_id=person, date=date, minutes=minutes,
                      session_id=session_id, task=task)


def log(uow, membership, e: HoursEntry, request_id="", actor=COORDINATOR) -> HoursEntry:
    session_name = (f"organizations/mir/activities/{e.activity_id}/sessions/{e.session_id}" if e.session_id else "")
    cmd = hours.LogVolunteerHours(e, f"organizations/mir/activities/{e.activity_id}", session_name, actor,
                                  request_id)
    return hours.log_volunteer_hours(cmd, uow(), membership)


def name(e: HoursEntry) -> str:
    return f"organizations/mir/activities/{e.activity_id}/hoursEntries/{e.id}"


def listing(uow, where: HoursFilter, purpose="volunteer hours report", token="", size=0, resource="parent"):
    return hours.list_hours_entries(hours.ListHoursEntries(where, resource, purpose, size, token, "",
                                                           COORDINATOR), uow())


def test_logging_hours_stores_the_entry_and_stages_a_fact_without_task_or_name(uow, store, membership):
    a = create_activity(uow)
    e = log(uow, membership, entry(a.id, task="homework help, maths"))
    assert e.id and e.logged_by == "coordinator-mir" and e.revision == 1 and e.task == "homework help, maths"
    [fact] = staged(store, facts.VolunteerHoursLogged)
    assert fact.key == a.id
    assert fact.message == facts.VolunteerHoursLogged(entry_id=e.id, activity_id=a.id, person_id=GUIDE,
                                                      date="2026-03-04", minutes=90, revision=1)
    assert membership.asked == [GUIDE] and membership.on_behalf_of == ["coordinator-mir"]


def test_a_retry_with_the_same_request_id_logs_once_and_asks_membership_once(uow, store, membership):
    a = create_activity(uow)
    first = log(uow, membership, entry(a.id), request_id="r-1")
    again = log(uow, membership, entry(a.id, minutes=30), request_id="r-1")
    assert again == first
    assert len(store.state.table("hours_entries")) == 1 and len(staged(store, facts.VolunteerHoursLogged)) == 1
    assert membership.asked == [GUIDE]


def test_hours_at_a_session_take_its_date_and_refuse_another(uow, store, membership):
    a = create_activity(uow)
    s = create_session(uow, a.id, date="2026-03-04")
    e = log(uow, membership, entry(a.id, date="", session_id=s.id))
    assert e.date == "2026-03-04" and e.session_id == s.id
    with pytest.raises(InvalidArgument) as err:
        log(uow, membership, entry(a.id, date="2026-03-05", session_id=s.id))
    assert [v.field for v in err.value.violations] == ["hours_entry.date"]
    assert "2026-03-04" in err.value.violations[0].description


def test_a_cancelled_session_takes_no_hours(uow, membership):
    a = create_activity(uow)
    s = create_session(uow, a.id)
    cancel_session(commands.CancelSession(a.id, s.id, "x", "pool closed", COORDINATOR), uow())
    with pytest.raises(FailedPrecondition) as err:
        log(uow, membership, entry(a.id, date="", session_id=s.id))
    assert err.value.reason == "SESSION_CANCELLED"


def test_a_session_of_another_activity_is_not_found(uow, membership):
    a, b = create_activity(uow), create_activity(uow)
    s = create_session(uow, b.id)
    with pytest.raises(NotFound) as err:
        log(uow, membership, entry(a.id, date="", session_id=s.id))
    assert err.value.reason == "SESSION_NOT_FOUND"


def test_bad_entries_name_every_field_and_store_nothing(uow, store, membership):
    a = create_activity(uow)
    future = (today().replace(year=today().year + 1)).isoformat()
    with pytest.raises(InvalidArgument) as err:
        log(uow, membership, entry(a.id, person="", date=future, minutes=0, task="a\u202etask"))
    assert {v.field for v in err.value.violations} == {"hours_entry.person", "hours_entry.date",
                                                       "hours_entry.duration_minutes", "hours_entry.task"}
    with pytest.raises(InvalidArgument):
        log(uow, membership, entry(a.id, minutes=12 * 60 + 1))
    assert not store.state.table("hours_entries") and not store.state.facts[1:]
    assert membership.asked == []


def test_a_person_membership_does_not_know_is_refused(uow, store, membership):
    a = create_activity(uow)
    with pytest.raises(NotFound) as err:
        log(uow, membership, entry(a.id, person="p-nobody"))
    assert err.value.reason == "PERSON_NOT_FOUND" and err.value.violations[0].field == "hours_entry.person"
    membership.down = True
    with pytest.raises(Unavailable):
        log(uow, membership, entry(a.id))
    assert not store.state.table("hours_entries")


def test_an_unknown_activity_is_not_found(uow, membership):
    with pytest.raises(NotFound) as err:
        log(uow, membership, entry("nope"))
    assert err.value.reason == "ACTIVITY_NOT_FOUND"


def correct(uow, e, mask, request_id="", **values):
    patch = dataclasses.replace(e, **values)
    return hours.update_hours_entry(hours.UpdateHoursEntry(e.activity_id, e.id, name(e), patch, mask, COORDINATOR,
                                                           request_id), uow())


def test_a_correction_changes_the_masked_fields_and_stages_the_next_revision(uow, store, membership):
    a = create_activity(uow)
    e = log(uow, membership, entry(a.id))
    fixed = correct(uow, e, ("duration_minutes", "task"), minutes=120, task="guiding", date="2026-03-01")
    assert (fixed.minutes, fixed.task, fixed.date, fixed.revision) == (120, "guiding", "2026-03-04", 2)
    assert fixed.update_time is not None
    [fact] = staged(store, facts.VolunteerHoursCorrected)
    assert (fact.message.minutes, fact.message.revision, list(fact.message.changed_fields)) == (
        120, 2, ["duration_minutes", "task"])
    same = correct(uow, fixed, ("duration_minutes",), minutes=120)
    assert same == fixed and len(staged(store, facts.VolunteerHoursCorrected)) == 1


def test_a_correction_is_validated_and_needs_a_mask(uow, membership):
    a = create_activity(uow)
    e = log(uow, membership, entry(a.id))
    with pytest.raises(InvalidArgument) as err:
        correct(uow, e, (), minutes=5)
    assert err.value.reason == "UPDATE_MASK_REQUIRED"
    with pytest.raises(InvalidArgument) as err:
        correct(uow, e, ("person",), person_id=DAUGHTER)
    assert err.value.reason == "INVALID_UPDATE_MASK"
    with pytest.raises(InvalidArgument) as err:
        correct(uow, e, ("duration_minutes",), minutes=0)
    assert [v.field for v in err.value.violations] == ["hours_entry.duration_minutes"]


def test_an_entry_at_a_session_keeps_the_sessions_date(uow, membership):
    a = create_activity(uow)
    s = create_session(uow, a.id)
    e = log(uow, membership, entry(a.id, date="", session_id=s.id))
    with pytest.raises(InvalidArgument) as err:
        correct(uow, e, ("date",), date="2026-03-01")
    assert [v.field for v in err.value.violations] == ["hours_entry.date"]


def withdraw(uow, e, request_id=""):
    return hours.withdraw_hours_entry(hours.WithdrawHoursEntry(e.activity_id, e.id, name(e), COORDINATOR,
                                                               request_id), uow())


def test_a_withdrawal_keeps_the_entry_stages_one_fact_and_blocks_corrections(uow, store, membership):
    a = create_activity(uow)
    e = log(uow, membership, entry(a.id))
    gone = withdraw(uow, e)
    assert gone.withdrawn and store.state.table("hours_entries")[e.id].withdrawn
    again = withdraw(uow, e)
    assert again == gone
    assert [f.message for f in staged(store, facts.VolunteerHoursWithdrawn)] == [
        facts.VolunteerHoursWithdrawn(entry_id=e.id, activity_id=a.id, date="2026-03-04")]
    with pytest.raises(FailedPrecondition) as err:
        correct(uow, gone, ("duration_minutes",), minutes=10)
    assert err.value.reason == "HOURS_ENTRY_WITHDRAWN"


def test_an_entry_of_another_activity_is_not_found(uow, membership):
    a, b = create_activity(uow), create_activity(uow)
    e = log(uow, membership, entry(a.id))
    with pytest.raises(NotFound) as err:
        withdraw(uow, dataclasses.replace(e, activity_id=b.id))
    assert err.value.reason == "HOURS_ENTRY_NOT_FOUND"


def test_listings_per_activity_session_and_person_page_newest_first_with_totals(uow, store, membership):
    a, b = create_activity(uow), create_activity(uow)
    s = create_session(uow, a.id, date="2026-03-04")
    at_session = log(uow, membership, entry(a.id, date="", session_id=s.id, minutes=90))
    other_day = log(uow, membership, entry(a.id, date="2026-03-10", minutes=30))
    daughter = log(uow, membership, entry(b.id, person=DAUGHTER, date="2026-02-01", minutes=60))
    mistake = log(uow, membership, entry(b.id, date="2026-02-02", minutes=45))
    withdraw(uow, mistake)

    page, token, total = listing(uow, HoursFilter(activity_id=a.id), size=1)
    assert [e.id for e in page] == [other_day.id] and token and total == 120
    page, token, _ = listing(uow, HoursFilter(activity_id=a.id), size=1, token=token)
    assert [e.id for e in page] == [at_session.id] and token == ""
    assert [e.id for e in listing(uow, HoursFilter(activity_id=a.id, session_id=s.id))[0]] == [at_session.id]
    mine, _, minutes = listing(uow, HoursFilter(person_id=GUIDE))
    assert [e.id for e in mine] == [other_day.id, at_session.id] and minutes == 120
    every, _, _ = listing(uow, HoursFilter(show_withdrawn=True))
    assert [e.id for e in every] == [other_day.id, at_session.id, mistake.id, daughter.id]
    with pytest.raises(InvalidArgument) as err:
        listing(uow, HoursFilter(person_id=DAUGHTER), token=token or listing(uow, HoursFilter(), size=1)[1])
    assert err.value.reason == "INVALID_PAGE_TOKEN"


def test_every_read_is_audited_with_its_purpose_and_needs_one(uow, store, membership):
    a = create_activity(uow)
    e = log(uow, membership, entry(a.id))
    with pytest.raises(InvalidArgument) as err:
        listing(uow, HoursFilter(activity_id=a.id), purpose=" ")
    assert err.value.reason == "PURPOSE_REQUIRED"
    listing(uow, HoursFilter(activity_id=a.id), resource=f"organizations/mir/activities/{a.id}")
    got = hours.get_hours_entry(hours.GetHoursEntry(a.id, e.id, name(e), "annual report", OTHER), uow())
    assert got == e
    lines = [(line.actor, line.action, line.resource, line.purpose) for line in store.state.audit]
    assert lines[-2:] == [
        ("coordinator-mir", "hours.list", f"organizations/mir/activities/{a.id}/hoursEntries", "volunteer hours report"),
        ("coordinator-2", "hours.read", name(e), "annual report")]
