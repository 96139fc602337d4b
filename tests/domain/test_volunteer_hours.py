"""Volunteer hours' rules, no I/O: an entry's limits, hours at a session, corrections; how reporting makes
figures of them and hides the hours of few volunteers."""
from __future__ import annotations

import datetime as dt

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument
from services.events.domain.hours import (
    MAX_MINUTES, HoursEntry, HoursEntryState, at_session, corrected, total_minutes, validate_entry,
)
from services.events.domain.model import Session, SessionState
from services.reporting.domain.cellkey import CellKeys
from services.reporting.domain.disclosure import Figure, Suppression, publish
from services.reporting.domain.model import HoursRow, statistics, volunteer_figures, whole_hours

TODAY = dt.date(2026, 5, 14)
NOW = dt.datetime(2026, 5, 14, 12, tzinfo=dt.timezone.utc)
KEYS = CellKeys("a-disclosure-secret-of-at-least-32-chars")


def entry(**fields) -> HoursEntry:
    values = dict(id="e1", activity_id="a1", person_id="p1", date="2026-05-14", minutes=90)
    values.update(fields)
    return HoursEntry(**values)


@pytest.mark.parametrize("minutes", [1, 90, MAX_MINUTES])
def test_an_entry_of_one_minute_to_twelve_hours_today_or_before_is_valid(minutes):
    validate_entry(entry(minutes=minutes), TODAY)
    validate_entry(entry(date="2000-01-01", minutes=minutes), TODAY)
    validate_entry(entry(date="2026-05-15", minutes=minutes), TODAY)  # Oslo's day may be ahead of UTC's


@pytest.mark.parametrize("fields, field", [
    ({"minutes": 0}, "hours_entry.duration_minutes"), ({"minutes": MAX_MINUTES + 1}, "hours_entry.duration_minutes"),
    ({"date": "2026-05-16"}, "hours_entry.date"), ({"date": "1999-12-31"}, "hours_entry.date"),
    ({"date": "14.05.2026"}, "hours_entry.date"), ({"date": ""}, "hours_entry.date"),
    ({"person_id": ""}, "hours_entry.person"), ({"task": "x" * 201}, "hours_entry.task"),
    ({"task": "two\nlines"}, "hours_entry.task"), ({"task": "hidden\u200bspace"}, "hours_entry.task"),
])
def test_a_bad_entry_names_its_field(fields, field):
    with pytest.raises(InvalidArgument) as err:
        validate_entry(entry(**fields), TODAY)
    assert [v.field for v in err.value.violations] == [field]


def test_hours_at_a_session_are_on_its_date_and_never_at_a_cancelled_one():
    session = Session(id="s1", activity_id="a1", date="2026-05-12")
    assert at_session(entry(date="", session_id="s1"), session, "s").date == "2026-05-12"
    assert at_session(entry(date="2026-05-12", session_id="s1"), session, "s").date == "2026-05-12"
    with pytest.raises(InvalidArgument):
        at_session(entry(date="2026-05-13", session_id="s1"), session, "s")
    with pytest.raises(FailedPrecondition) as err:
        at_session(entry(session_id="s1"), Session(id="s1", activity_id="a1", date="2026-05-12",
                                                   state=SessionState.CANCELLED), "s")
    assert err.value.reason == "SESSION_CANCELLED"


def test_a_correction_counts_a_revision_only_when_something_changed():
    current = entry(task="maths")
    same, changed = corrected(current, entry(minutes=90, task="maths"), ("duration_minutes", "task"), None, NOW)
    assert same is current and changed == ()
    fixed, changed = corrected(current, entry(minutes=120), ("duration_minutes",), None, NOW)
    assert (fixed.minutes, fixed.task, fixed.revision, fixed.update_time, changed) == (
        120, "maths", 2, NOW, ("duration_minutes",))
    with pytest.raises(InvalidArgument):
        corrected(entry(session_id="s1"), entry(date="2026-05-01"), ("date",),
                  Session(id="s1", activity_id="a1", date="2026-05-14"), NOW)


def test_withdrawn_entries_do_not_add_up():
    gone = entry(id="e2", withdraw_time=NOW)
    assert gone.state == HoursEntryState.WITHDRAWN and entry().state == HoursEntryState.RECORDED
    assert total_minutes([entry(), gone, entry(id="e3", minutes=30)]) == 120


@pytest.mark.parametrize("minutes, hours", [(0, 0), (29, 0), (30, 1), (89, 1), (90, 2), (720, 12)])
def test_minutes_become_whole_hours_half_an_hour_up(minutes, hours):
    assert whole_hours(minutes) == hours


def test_the_total_is_the_sum_of_the_sub_goals_whole_hours_and_a_volunteer_counts_once():
    rows = [HoursRow("e1", "p1", 50, 1), HoursRow("e2", "p1", 50, 2), HoursRow("e3", "p2", 20, 2)]
    volunteers, hours, cells = volunteer_figures(rows, KEYS)
    by_goal = {g: (v.value, h.value) for g, v, h in cells}
    assert volunteers.value == 2 and by_goal[1] == (1, 1) and by_goal[2] == (2, 1) and hours.value == 2
    assert set(by_goal) == {1, 2, 3}  # every sub-goal, with hours or not
    assert by_goal[3] == (0, 0)


def test_published_hours_of_few_volunteers_are_hidden_and_of_many_rounded():
    many = [HoursRow(f"e{i}", f"p{i}", 120, 2) for i in range(12)]
    few = [HoursRow(f"f{i}", f"q{i}", 600, 1) for i in range(2)]
    raw = statistics([], [], [], [], KEYS, many + few)
    published = publish(raw, 5)
    cells = {g: (v, h) for g, v, h in published.volunteers_by_subgoal}
    assert cells[1] == (Figure.hidden(Suppression.PRIMARY), Figure.hidden(Suppression.PRIMARY))
    assert cells[2][0].value in (10, 15) and cells[2][1].value in (20, 25)
    assert cells[3] == (Figure(0), Figure(0))
    # What the total and the other cell tell of the hidden 20 hours spans at least 2k = 10 hours.
    if not published.volunteer_hours.suppressed and not cells[2][1].suppressed:
        total, other = published.volunteer_hours.value, cells[2][1].value
        low, high = max(0, total - 4 - (other + 4)), total + 4 - max(5, other - 4)
        assert low <= 20 <= high and high - low >= 10
