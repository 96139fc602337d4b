"""Activities, sessions and attendance: plain Python, no I/O."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from services.common.errors import AlreadyExists, FailedPrecondition, Violations
from services.common.text import check_text
from services.common.vocabulary import CHAPTER_HINT, CHAPTER_RE, AgeBand, Gender, ImdiSubgoal, age_band

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_CAPACITY = 10_000
MAX_HEAD_COUNT = 10_000
MAX_DURATION_MINUTES = 24 * 60


@dataclass
class Activity:
    id: str
    title: str
    subgoal: int
    description: str = ""
    theme: str = ""
    target_group: str = ""
    funder: str = ""
    chapter: str = ""
    capacity: int = 0
    anonymous_attendance: bool = False
    create_time: dt.datetime | None = None

    def is_full(self, named_count: int) -> bool:
        """Whether named attendances at one session have reached the capacity (0 = no limit)."""
        return self.capacity > 0 and named_count >= self.capacity


@dataclass
class Session:
    id: str
    activity_id: str
    date: str
    start_time: str = ""
    duration_minutes: int = 0
    location: str = ""
    create_time: dt.datetime | None = None

    @property
    def year(self) -> int:
        return int(self.date[:4])


@dataclass(frozen=True)
class HeadCount:
    gender: int
    age_band: int
    count: int


@dataclass(frozen=True)
class PersonProfile:
    """What the membership service tells about a person for statistics: no name."""

    birth_year: int
    gender: int


@dataclass
class Attendance:
    id: str
    session_id: str
    activity_id: str
    gender: int
    age_band: int
    count: int
    # Pseudonymous id of a named participant; empty for a head count.
    person_id: str = ""
    create_time: dt.datetime | None = None

    @property
    def is_named(self) -> bool:
        return bool(self.person_id)


def validate_activity(a: Activity, prefix: str = "activity") -> None:
    v = Violations()
    v.check(bool(a.title.strip()), f"{prefix}.title", "is required, e.g. 'Homework help'")
    v.check(len(a.title) <= 200, f"{prefix}.title", "at most 200 characters")
    v.check(len(a.description) <= 2000, f"{prefix}.description", "at most 2000 characters")
    v.check(len(a.theme) <= 100, f"{prefix}.theme", "at most 100 characters")
    v.check(ImdiSubgoal.is_set(a.subgoal), f"{prefix}.subgoal", "is required: " + ImdiSubgoal.choices())
    v.check(len(a.target_group) <= 200, f"{prefix}.target_group", "at most 200 characters")
    v.check(len(a.funder) <= 200, f"{prefix}.funder", "at most 200 characters")
    for name in ("title", "theme", "target_group", "funder"):
        check_text(v, getattr(a, name), f"{prefix}.{name}")
    check_text(v, a.description, f"{prefix}.description", line_breaks=True)
    v.check(not a.chapter or bool(CHAPTER_RE.match(a.chapter)), f"{prefix}.chapter", CHAPTER_HINT)
    v.check(0 <= a.capacity <= MAX_CAPACITY, f"{prefix}.capacity",
            f"must be 0..{MAX_CAPACITY} participants per session; 0 means no limit")
    v.raise_if_any("activity")


def validate_session(s: Session, today: dt.date, prefix: str = "session") -> None:
    v = Violations()
    last_year = today.year + 1
    date_ok = False
    if DATE_RE.match(s.date):
        try:
            date_ok = 2000 <= dt.date.fromisoformat(s.date).year <= last_year
        except ValueError:
            pass
    v.check(date_ok, f"{prefix}.date", f"must be a date like 2026-03-04 in the years 2000 to {last_year}")
    v.check(not s.start_time or bool(TIME_RE.match(s.start_time)), f"{prefix}.start_time",
            "must be a local time HH:MM like 17:30, or empty when not known")
    v.check(0 <= s.duration_minutes <= MAX_DURATION_MINUTES, f"{prefix}.duration_minutes",
            f"must be 0..{MAX_DURATION_MINUTES} minutes; 0 when not known")
    v.check(len(s.location) <= 200, f"{prefix}.location", "at most 200 characters")
    check_text(v, s.location, f"{prefix}.location")
    v.raise_if_any("session")


def validate_participant(person_id: str | None, head: HeadCount | None, prefix: str = "attendance") -> None:
    """Exactly one of a named person or a head count; a head count must be complete."""
    v = Violations()
    if (person_id is None) == (head is None):
        hint = (f"set exactly one of {prefix}.person (a named participant) or "
                f"{prefix}.head_count (people counted without names)")
        v.add(f"{prefix}.person", hint)
        v.add(f"{prefix}.head_count", hint)
    if head is not None:
        v.check(1 <= head.count <= MAX_HEAD_COUNT, f"{prefix}.head_count.count", f"must be 1..{MAX_HEAD_COUNT}")
        v.check(Gender.is_set(head.gender), f"{prefix}.head_count.gender", "is required: " + Gender.choices())
        v.check(AgeBand.is_set(head.age_band), f"{prefix}.head_count.age_band",
                "is required: " + AgeBand.choices())
    v.raise_if_any("attendance")


def attended_already() -> AlreadyExists:
    return AlreadyExists("This person's attendance at this session is already recorded.", reason="ALREADY_ATTENDED")


def check_named_allowed(activity: Activity) -> None:
    if activity.anonymous_attendance:
        raise FailedPrecondition(
            "This activity counts attendance anonymously; record a head count by gender and age band instead "
            "of a named person.",
            reason="ANONYMOUS_ACTIVITY",
        )


def check_can_admit(activity: Activity, *, already_attended: bool, named_count: int) -> None:
    """The rules for one more named participant at a session of activity."""
    check_named_allowed(activity)
    if already_attended:
        raise attended_already()
    if activity.is_full(named_count):
        raise FailedPrecondition(
            f"The session is full: the activity takes at most {activity.capacity} named participants per session. "
            "Raise the capacity or record the person at another session.",
            reason="CAPACITY_REACHED",
        )


def named_attendance(attendance_id: str, session: Session, person_id: str, profile: PersonProfile,
                     now: dt.datetime) -> Attendance:
    """A named participant, counted by the gender and age band they had in the session's year."""
    return Attendance(
        id=attendance_id, session_id=session.id, activity_id=session.activity_id, person_id=person_id,
        gender=profile.gender, age_band=age_band(profile.birth_year, session.year), count=1, create_time=now,
    )


def head_count_attendance(attendance_id: str, session: Session, head: HeadCount, now: dt.datetime) -> Attendance:
    return Attendance(
        id=attendance_id, session_id=session.id, activity_id=session.activity_id, gender=head.gender,
        age_band=head.age_band, count=head.count, create_time=now,
    )
