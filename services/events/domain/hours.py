"""Volunteer hours: time a person gave to an activity, or to one of its sessions. Plain Python, no I/O.

An entry names the volunteer by their pseudonymous person id (as attendance does), the activity, optionally
a session of it, the day and the minutes, and an optional one-line task. Entries are corrected and withdrawn,
never deleted: a withdrawn entry is kept for the record and no longer counts.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from services.common.errors import FailedPrecondition, Violations
from services.common.text import check_text
from services.common.vocabulary import WireEnum
from services.events.domain.model import DATE_RE, Session

MIN_MINUTES = 1
# One entry is one stretch of work: a longer day is two entries.
MAX_MINUTES = 12 * 60
MAX_TASK = 200
FIRST_YEAR = 2000

# What UpdateHoursEntry may change (its update_mask paths).
HOURS_UPDATABLE = ("date", "duration_minutes", "task")


class HoursEntryState(WireEnum):
    RECORDED = 1
    WITHDRAWN = 2


@dataclass
class HoursEntry:
    id: str
    activity_id: str
    person_id: str
    date: str
    minutes: int
    session_id: str = ""
    task: str = ""
    logged_by: str = ""
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None
    withdraw_time: dt.datetime | None = None
    # 1 when logged; one more with every correction (facts carry it, so a consumer keeps the newest).
    revision: int = 1

    @property
    def withdrawn(self) -> bool:
        return self.withdraw_time is not None

    @property
    def state(self) -> HoursEntryState:
        return HoursEntryState.WITHDRAWN if self.withdrawn else HoursEntryState.RECORDED


def _valid_day(value: str) -> dt.date | None:
    if not DATE_RE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def minutes_hint() -> str:
    return (f"must be {MIN_MINUTES} to {MAX_MINUTES} minutes ({MAX_MINUTES // 60} hours) in one entry; "
            "log a longer day as two entries")


def validate_entry(entry: HoursEntry, today: dt.date, prefix: str = "hours_entry") -> None:
    """The rules of an entry as it would be stored: a person, a day from 2000 to today, 1..720 minutes, and a
    task of one plain line."""
    v = Violations()
    v.check(bool(entry.person_id), f"{prefix}.person",
            "is required: the volunteer, organizations/{org}/persons/{person}")
    day = _valid_day(entry.date)
    # today is the UTC date; the node's own day (Oslo's) may already be the next one.
    latest = today + dt.timedelta(days=1)
    v.check(day is not None and FIRST_YEAR <= day.year and day <= latest, f"{prefix}.date",
            f"must be a date like 2026-03-04 from {FIRST_YEAR} to today: hours are logged once they are given")
    v.check(MIN_MINUTES <= entry.minutes <= MAX_MINUTES, f"{prefix}.duration_minutes", minutes_hint())
    v.check(len(entry.task) <= MAX_TASK, f"{prefix}.task", f"at most {MAX_TASK} characters")
    check_text(v, entry.task, f"{prefix}.task")
    v.raise_if_any("hours entry")


def at_session(entry: HoursEntry, session: Session, session_name: str, prefix: str = "hours_entry") -> HoursEntry:
    """An entry at a session: of the session's activity, on the session's date (taken from it when the entry
    names none); a cancelled session took place for nobody."""
    if session.cancelled:
        raise FailedPrecondition(
            f"The session {session_name} is cancelled: nobody gave time at it. Log the hours on the activity, "
            "or at the session that took place.", reason="SESSION_CANCELLED")
    if not entry.date:
        return dataclasses.replace(entry, date=session.date)
    if entry.date != session.date:
        v = Violations()
        v.add(f"{prefix}.date", f"hours at a session are on its date, {session.date}: leave the date empty, or "
                                "log time on another day (preparation, say) on the activity without a session")
        v.raise_if_any("hours entry")
    return entry


def check_can_correct(entry: HoursEntry, name: str) -> None:
    if entry.withdrawn:
        raise FailedPrecondition(
            f"The hours entry {name} is withdrawn and cannot be corrected; log the hours again instead.",
            reason="HOURS_ENTRY_WITHDRAWN")


def corrected(current: HoursEntry, patch: HoursEntry, paths: tuple[str, ...], session: Session | None,
              now: dt.datetime) -> tuple[HoursEntry, tuple[str, ...]]:
    """current with the masked fields of patch (date, duration_minutes, task), and the paths that changed. An
    entry at a session keeps the session's date."""
    fields = {"date": "date", "duration_minutes": "minutes", "task": "task"}
    values = {fields[p]: getattr(patch, fields[p]) for p in paths}
    changed = tuple(p for p in paths if getattr(current, fields[p]) != values[fields[p]])
    updated = dataclasses.replace(current, **values)
    if session is not None and "date" in changed:
        v = Violations()
        v.add("hours_entry.date", f"an entry at a session is on the session's date, {session.date}; withdraw it "
                                  "and log the hours again without the session to move them to another day")
        v.raise_if_any("hours entry")
    if not changed:
        return current, ()
    return dataclasses.replace(updated, update_time=now, revision=current.revision + 1), changed


def total_minutes(entries) -> int:
    """The minutes of the entries that count."""
    return sum(e.minutes for e in entries if not e.withdrawn)
