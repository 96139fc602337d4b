"""Recurrence rules as plain Python: examples, and properties with hypothesis."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.errors import InvalidArgument
from services.events.domain.model import Session, SessionState
from services.events.domain.recurrence import (
    MAX_OCCURRENCES, WEEKDAYS, Held, Occurrence, Recurrence, excluded_days, plan, simple_rule, slots,
    validate_recurrence,
)

TODAY = dt.date(2026, 12, 4)


def rule(**changes) -> Recurrence:
    base = Recurrence(activity_id="a", rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", start_date="2027-01-13",
                      end_date="2027-06-16", start_time="17:00", duration_minutes=120, location="Linderud",
                      exception_dates=("2027-02-22/2027-02-26",))
    return dataclasses.replace(base, **changes)


def fields(err) -> set[str]:
    return {v.field for v in err.value.violations}


def test_every_other_wednesday_without_the_winter_break():
    r = rule()
    validate_recurrence(r, TODAY)
    dates = [s.date for s in slots(r)]
    assert dates[:3] == ["2027-01-13", "2027-01-27", "2027-02-10"] and "2027-02-24" not in dates
    assert dates[-1] == "2027-06-16" and len(dates) == 11


def test_every_other_week_starts_on_the_first_such_weekday_from_the_first_day():
    r = rule(start_date="2027-01-14", end_date="2027-02-28", exception_dates=())  # a Thursday
    assert [s.date for s in slots(r)] == ["2027-01-20", "2027-02-03", "2027-02-17"]


def test_the_first_friday_of_every_month_with_a_count():
    r = rule(rule=simple_rule("FR", "monthly") + ";COUNT=4", end_date="", exception_dates=())
    validate_recurrence(r, TODAY)
    assert [s.date for s in slots(r)] == ["2027-02-05", "2027-03-05", "2027-04-02", "2027-05-07"]


@pytest.mark.parametrize("changes, field, words", [
    (dict(end_date=""), "recurrence.end_date", "is required"),
    (dict(rule="FREQ=WEEKLY;COUNT=3"), "recurrence.end_date", "must be empty when the rule has a COUNT"),
    (dict(rule="FREQ=HOURLY"), "recurrence.rule", "FREQ=DAILY, WEEKLY"),
    (dict(rule="FREQ=WEEKLY;UNTIL=20270101"), "recurrence.rule", "end_date instead"),
    (dict(rule="FREQ=WEEKLY;BYDAY=XX"), "recurrence.rule", "not a valid RRULE"),
    (dict(rule=""), "recurrence.rule", "is required"),
    (dict(rule="FREQ=DAILY", end_date="2027-12-31"), "recurrence.end_date", f"more than {MAX_OCCURRENCES}"),
    (dict(end_date="2027-01-01"), "recurrence.end_date", "must not be before start_date"),
    (dict(start_time="5pm"), "recurrence.start_time", "HH:MM"),
    (dict(exception_dates=("24.02.2027",)), "recurrence.exception_dates[0]", "a date like"),
    (dict(exception_dates=("2027-03-01/2027-02-01",)), "recurrence.exception_dates[0]", "a period like"),
    (dict(end_date="2027-01-19", rule="FREQ=WEEKLY;BYDAY=WE", exception_dates=("2027-01-13",)), "recurrence.rule",
     "gives no session"),
    (dict(end_date="2030-01-01"), "recurrence.end_date", "no later than 2027-12-31"),
    # Rules that would be searched for thousands of years, or never end, are refused before any search.
    (dict(rule="FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1", end_date=""), "recurrence.rule", "takes only"),
    (dict(rule="FREQ=WEEKLY;BYMONTH=13"), "recurrence.rule", "BYMONTH must be months 1..12"),
    (dict(rule="FREQ=WEEKLY;INTERVAL=0"), "recurrence.rule", "INTERVAL must be 1..99"),
    (dict(rule="FREQ=MONTHLY;COUNT=100", end_date=""), "recurrence.rule", "after 2027-12-31"),
    (dict(rule="FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2", end_date=""), "recurrence.rule", "gives no session"),
])
def test_a_bad_recurrence_is_refused_naming_the_field(changes, field, words):
    with pytest.raises(InvalidArgument) as err:
        validate_recurrence(rule(**changes), TODAY)
    assert field in fields(err)
    assert any(words in v.description for v in err.value.violations)


def test_the_form_choices_make_rules_and_refuse_others():
    assert simple_rule("WE", "biweekly") == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    assert simple_rule("TU", "weekly") == "FREQ=WEEKLY;BYDAY=TU"
    with pytest.raises(ValueError):
        simple_rule("XX", "weekly")
    with pytest.raises(ValueError):
        simple_rule("MO", "yearly")


# ---------------------------------------------------------------------------- properties

days = st.dates(min_value=dt.date(2027, 1, 1), max_value=dt.date(2027, 12, 31))


@st.composite
def recurrences(draw) -> Recurrence:
    start = draw(days)
    end = draw(st.dates(min_value=start, max_value=dt.date(2027, 12, 31)))
    freq = draw(st.sampled_from(["weekly", "biweekly", "monthly", "monthly_last", "daily", "every3"]))
    day = draw(st.sampled_from(WEEKDAYS))
    text = ("FREQ=DAILY" if freq == "daily" else f"FREQ=WEEKLY;INTERVAL=3;BYDAY={day}" if freq == "every3"
            else simple_rule(day, freq))
    exceptions = []
    for _ in range(draw(st.integers(0, 4))):
        first = draw(st.dates(min_value=start, max_value=end))
        last = first + dt.timedelta(days=draw(st.integers(0, 14)))
        exceptions.append(first.isoformat() if first == last else f"{first}/{last}")
    return Recurrence(activity_id="a", rule=text, start_date=start.isoformat(), end_date=end.isoformat(),
                      start_time=draw(st.sampled_from(["09:00", "17:00", "18:30"])), duration_minutes=90,
                      exception_dates=tuple(exceptions))


def _valid(r: Recurrence) -> bool:
    try:
        validate_recurrence(r, TODAY)
        return True
    except InvalidArgument:
        return False


@settings(max_examples=150, deadline=None)
@given(recurrences())
def test_every_occurrence_matches_the_rule_none_is_an_exception_and_never_more_than_the_cap(r):
    if not _valid(r):  # refused rules (too many, none at all) give no sessions
        with pytest.raises(InvalidArgument):
            validate_recurrence(r, TODAY)
        return
    got = slots(r)
    assert 1 <= len(got) <= MAX_OCCURRENCES
    start = dt.datetime.combine(dt.date.fromisoformat(r.start_date), dt.time.fromisoformat(r.start_time))
    # The interval counts from the first day from start_date that the rule's pattern gives.
    first = rrulestr(r.rule, dtstart=start).replace(interval=1, count=1)[0]
    by_rule = {d.date().isoformat() for d in rrulestr(r.rule, dtstart=first).between(
        start, dt.datetime.combine(dt.date.fromisoformat(r.end_date), dt.time(23, 59)), inc=True)}
    skipped = {d.isoformat() for d in excluded_days(r.exception_dates)}
    dates = [s.date for s in got]
    assert dates == sorted(set(dates))  # in order, each once
    assert set(dates) == by_rule - skipped  # exactly the rule's dates, none on an exception date
    assert all(r.start_date <= d <= r.end_date for d in dates)


def _held(slot, n: int, how: str, session_date: str | None = None) -> Held:
    s = Session(id=f"s{n}", activity_id="a", date=session_date or slot.date, start_time=slot.start_time,
                duration_minutes=slot.duration_minutes, location=slot.location,
                state=SessionState.CANCELLED if how == "cancelled" else SessionState.SCHEDULED)
    return Held(Occurrence(s.id, "a", slot), s, attended=how == "attended")


@settings(max_examples=150, deadline=None)
@given(recurrences(), recurrences(), st.lists(st.sampled_from(["untouched", "moved", "cancelled", "attended"]),
                                              min_size=1, max_size=40), days)
def test_regeneration_keeps_what_was_changed_and_gives_each_new_date_one_session(old, new, hows, today):
    if not (_valid(old) and _valid(new)):
        return
    held = []
    for n, (slot, how) in enumerate(zip(slots(old), hows + ["untouched"] * MAX_OCCURRENCES)):
        moved_to = (dt.date.fromisoformat(slot.date) + dt.timedelta(days=1)).isoformat() if how == "moved" else None
        held.append(_held(slot, n, how, moved_to))
    result = plan(slots(new), held, today, first=False)
    fixed = [h for h in held if not h.untouched(today)]
    # Nothing a coordinator changed, nothing attended and nothing past is updated or dropped.
    assert {h.session.id for h in fixed} <= {h.session.id for h in result.keep}
    touched = {h.session.id for h, _ in result.update} | {h.session.id for h in result.drop}
    assert not touched & {h.session.id for h in fixed}
    # Every session is in exactly one of keep, update, drop.
    assert len(result.keep) + len(result.update) + len(result.drop) == len(held)
    # The new rule's future dates each have one session, made or kept; no date gets two scheduled sessions.
    wanted = {s.date for s in slots(new) if s.date >= today.isoformat()}
    scheduled = ([s.date for s in result.create] + [slot.date for _h, slot in result.update]
                 + [h.session.date for h in result.keep if not h.session.cancelled and h.untouched(today)])
    assert len(scheduled) == len(set(scheduled))
    blocked = {h.occurrence.slot.date for h in fixed} | {h.session.date for h in fixed if not h.session.cancelled}
    assert wanted - blocked <= set(scheduled)
    assert all(d >= today.isoformat() for d in (s.date for s in result.create))
    assert not {s.date for s in result.create} & blocked
