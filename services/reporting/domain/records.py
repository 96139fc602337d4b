"""What the fact tables hold: one record per fact's natural id, and nothing that
names or reaches a person (pseudonymous ids, genders, birth years, age bands,
dates, states and counts). Plain Python, no I/O."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.reporting.domain.model import is_paying

# The longest text kept of a theme or funder, and of an organisation id.
TEXT_MAX = 100
ORG_MAX = 64
# The sub-goal of a session whose SessionScheduled has not arrived: its activity's counts (model.session_subgoal).
NO_SUBGOAL = 0


@dataclass(frozen=True)
class PersonRecord:
    person_id: str
    gender: int
    birth_year: int
    registered_date: dt.date | None


@dataclass(frozen=True)
class MembershipYearRecord:
    person_id: str
    year: int
    payment_state: int
    birth_year: int
    fee_nok: int = 0  # the fee recorded, in whole kroner (what a counting rule's minimum fee reads)
    paid_date: str = ""  # ISO date the fee was paid, or ""

    @property
    def is_paying(self) -> bool:
        return is_paying(self.payment_state)


@dataclass(frozen=True)
class ActivityRecord:
    activity_id: str
    subgoal: int
    theme: str
    funder: str
    anonymous_attendance: bool


@dataclass(frozen=True)
class SessionRecord:
    session_id: str
    activity_id: str
    date: dt.date
    subgoal: int  # 0 when only a later fact than SessionScheduled has arrived: the activity's then counts
    # A cancelled session is not counted. Once cancelled, always (a session is never reinstated).
    cancelled: bool = False


@dataclass(frozen=True)
class AttendanceRecord:
    attendance_id: str
    session_id: str
    activity_id: str
    date: dt.date
    person_id: str  # empty for a head count
    gender: int
    age_band: int
    count: int
    # A withdrawn attendance is kept, and not counted. Once withdrawn, always: a person recorded again
    # at the session is a new attendance with its own id.
    withdrawn: bool = False


def withdrawn_placeholder(attendance_id: str, session_id: str, activity_id: str, date: dt.date) -> AttendanceRecord:
    """What a withdrawal leaves when it arrives before its attendance (a fact that was dead-lettered, or
    published out of order after a failed send): a withdrawn record counting nobody, which the late
    AttendanceRecorded then finds and leaves withdrawn."""
    return AttendanceRecord(attendance_id, session_id, activity_id, date, "", 0, 0, 0, withdrawn=True)


def visits(person_id: str, count: int) -> int | None:
    """The visits one attendance counts: a named participant is one visit, whatever the producer filled in;
    a head count is its count. None for a negative head count, which cannot be counted."""
    if person_id:
        return 1
    return count if count >= 0 else None


@dataclass(frozen=True)
class ReferralRecord:
    referral_id: str
    direction: int
    partner_kind: int
    reason_category: int
    state: int
    created_date: dt.date
    changed_date: dt.date
    target_organization: str

    def supersedes(self, held: ReferralRecord | None) -> bool:
        """Whether this state replaces the one held: a change dated before it is ignored; on the same date
        the later arrival wins."""
        return held is None or self.changed_date >= held.changed_date


@dataclass(frozen=True)
class HoursRecord:
    """A volunteer hours entry: who (pseudonymous), which activity, the day and the minutes. The newest
    revision seen is kept; once withdrawn, always."""

    entry_id: str
    activity_id: str
    person_id: str
    date: dt.date
    minutes: int
    revision: int
    withdrawn: bool = False


def hours_placeholder(entry_id: str, activity_id: str, date: dt.date) -> HoursRecord:
    """What a withdrawal leaves when it arrives before the entry's other facts: withdrawn, counting nothing,
    with a revision no fact reaches, so a late VolunteerHoursLogged or Corrected leaves it as it is."""
    return HoursRecord(entry_id, activity_id, "", date, 0, 2 ** 31 - 1, withdrawn=True)


@dataclass(frozen=True)
class RoleRecord:
    """A role assignment as its latest fact says: who (a pseudonymous id), which role, from when to when."""

    assignment_id: str
    person_id: str
    role: int
    start_date: dt.date
    end_date: dt.date | None  # None while the role goes on
    group_id: str = ""

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        """Whether the role was held on at least one day from start to end."""
        return self.start_date <= end and (self.end_date is None or self.end_date >= start)
