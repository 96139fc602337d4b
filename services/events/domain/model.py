"""Activities, sessions and attendance: plain Python, no I/O."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Sequence, TypeVar

from services.common.errors import AlreadyExists, FailedPrecondition, FieldViolation, InvalidArgument, Violations
from services.common.text import check_text
from services.common.vocabulary import (
    CHAPTER_HINT, CHAPTER_RE, AgeBand, Gender, ImdiSubgoal, WireEnum, age_band,
)

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_CAPACITY = 10_000
MAX_HEAD_COUNT = 10_000
MAX_DURATION_MINUTES = 24 * 60
MAX_CANCEL_REASON = 200

# What UpdateActivity and UpdateSession may change (their update_mask paths).
ACTIVITY_UPDATABLE = ("title", "description", "theme", "subgoal", "target_group", "funder", "chapter", "capacity")
SESSION_UPDATABLE = ("date", "start_time", "duration_minutes", "location")

T = TypeVar("T")


class SessionState(WireEnum):
    SCHEDULED = 1
    CANCELLED = 2


class AttendanceState(WireEnum):
    RECORDED = 1
    WITHDRAWN = 2


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
    update_time: dt.datetime | None = None

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
    state: int = SessionState.SCHEDULED
    cancel_reason: str = ""
    update_time: dt.datetime | None = None

    @property
    def year(self) -> int:
        return int(self.date[:4])

    @property
    def cancelled(self) -> bool:
        return self.state == SessionState.CANCELLED


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
    # Set when the attendance was withdrawn: kept for the record, no longer counted.
    withdraw_time: dt.datetime | None = None

    @property
    def is_named(self) -> bool:
        return bool(self.person_id)

    @property
    def withdrawn(self) -> bool:
        return self.withdraw_time is not None

    @property
    def state(self) -> AttendanceState:
        return AttendanceState.WITHDRAWN if self.withdrawn else AttendanceState.RECORDED

    @property
    def cell(self) -> tuple[int, int]:
        return (self.gender, self.age_band)


@dataclass(frozen=True)
class SessionSummary:
    """A session's totals of what counts (withdrawn attendances aside): no one named."""

    session: Session
    capacity: int
    named_count: int
    head_counts: tuple[HeadCount, ...]  # one per (gender, age band) with people, in that order

    @property
    def head_count_total(self) -> int:
        return sum(h.count for h in self.head_counts)


def summarize(session: Session, activity: Activity, attendances: Iterable[Attendance]) -> SessionSummary:
    """The totals of a session's attendances that count."""
    named = 0
    cells: dict[tuple[int, int], int] = {}
    for a in attendances:
        if a.withdrawn:
            continue
        if a.is_named:
            named += 1
        else:
            cells[a.cell] = cells.get(a.cell, 0) + a.count
    heads = tuple(HeadCount(g, b, n) for (g, b), n in sorted(cells.items()) if n > 0)
    return SessionSummary(session, activity.capacity, named, heads)


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


# ---------------------------------------------------------------------------- changes


def check_update_mask(paths: Sequence[str], allowed: Sequence[str], prefix: str) -> tuple[str, ...]:
    """The update_mask's paths, each once, in the order given; InvalidArgument naming update_mask when it is
    empty, '*', or names a field that cannot be changed (AIP-134: a mask names the fields)."""
    hint = f"name the fields to change, comma separated, from {', '.join(allowed)}"
    clean = [p.strip() for p in paths]
    if not clean or clean == ["*"]:
        raise InvalidArgument(f"update_mask is required: {hint}.", reason="UPDATE_MASK_REQUIRED",
                              violations=[FieldViolation("update_mask", hint)])
    unknown = [p.removeprefix(f"{prefix}.") for p in clean
               if p.removeprefix(f"{prefix}.") not in allowed]
    if unknown:
        raise InvalidArgument(
            f"update_mask names fields that cannot be changed: {', '.join(unknown[:5])}; {hint}.",
            reason="INVALID_UPDATE_MASK", violations=[FieldViolation("update_mask", hint)])
    return tuple(dict.fromkeys(p.removeprefix(f"{prefix}.") for p in clean))


def apply_mask(current: T, patch: T, paths: Iterable[str]) -> tuple[T, tuple[str, ...]]:
    """current with the masked fields taken from patch, and the paths whose value changed."""
    values = {p: getattr(patch, p) for p in paths}
    changed = tuple(p for p, v in values.items() if getattr(current, p) != v)
    return dataclasses.replace(current, **values), changed


def session_cancelled(session_name: str) -> FailedPrecondition:
    return FailedPrecondition(
        f"The session {session_name} is cancelled: it takes no attendance and cannot be changed. Add a new "
        "session to the activity instead.", reason="SESSION_CANCELLED")


def check_open(session: Session, session_name: str) -> None:
    """Attendance is taken, and a session changed, only while it is scheduled."""
    if session.cancelled:
        raise session_cancelled(session_name)


def check_can_move(current: Session, moved: Session, counted: int) -> None:
    """A session with attendance keeps its year: its participants were counted in the age band of that year."""
    if counted and moved.year != current.year:
        raise FailedPrecondition(
            f"The session has {counted} attendance(s) recorded in {current.year}, counted by their age in that "
            f"year; it cannot move to {moved.year}. Withdraw the attendance first, or add a new session.",
            reason="ATTENDANCE_RECORDED")


def check_reason(reason: str) -> str:
    """The reason a session is cancelled: required, one line of at most MAX_CANCEL_REASON characters."""
    text = reason.strip()
    v = Violations()
    v.check(bool(text), "reason", "is required: say why the session is cancelled, e.g. 'pool closed'")
    v.check(len(text) <= MAX_CANCEL_REASON, "reason", f"at most {MAX_CANCEL_REASON} characters")
    check_text(v, text, "reason")
    v.raise_if_any("cancellation")
    return text


def check_can_cancel(counted: int) -> None:
    """A session is cancelled only before anyone is counted at it: a session that took place is not cancelled."""
    if counted:
        raise FailedPrecondition(
            f"The session has {counted} attendance(s) recorded. Withdraw the attendance first (each wrong tap on "
            "the roster), then cancel the session.", reason="ATTENDANCE_RECORDED")


def check_head_cell(gender: int, band: int) -> None:
    v = Violations()
    v.check(Gender.is_set(gender), "gender", "is required: " + Gender.choices())
    v.check(AgeBand.is_set(band), "age_band", "is required: " + AgeBand.choices())
    v.raise_if_any("head count")


def no_head_count(gender: int, band: int) -> FailedPrecondition:
    return FailedPrecondition(
        f"The session has no head count of {Gender(gender).wire_name} {AgeBand(band).wire_name} to take one off: "
        "that cell is at 0.", reason="HEAD_COUNT_ZERO")


def decrement(latest: Attendance, replacement_id: str, now: dt.datetime) -> tuple[Attendance, Attendance | None]:
    """One person fewer in latest's cell: latest is withdrawn, and when it counted more than one, a
    replacement entry of one fewer is recorded, so every entry ever counted is a positive count."""
    if latest.is_named or latest.withdrawn or latest.count < 1:
        raise ValueError("only a head-count entry that counts can be decremented")
    withdrawn = dataclasses.replace(latest, withdraw_time=now)
    if latest.count == 1:
        return withdrawn, None
    return withdrawn, dataclasses.replace(latest, id=replacement_id, count=latest.count - 1, create_time=now,
                                          withdraw_time=None)


def check_date_range(start_date: str, end_date: str) -> tuple[str, str]:
    """Optional inclusive filters of a listing by date: each empty or an ISO date, the start not after the end."""
    v = Violations()
    parsed = {}
    for name, value in (("start_date", start_date.strip()), ("end_date", end_date.strip())):
        parsed[name] = value
        if not value:
            continue
        try:
            if not DATE_RE.match(value):
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            v.add(name, "must be a date written YYYY-MM-DD, e.g. 2026-03-04, or left out")
            parsed[name] = ""
    start, end = parsed["start_date"], parsed["end_date"]
    v.check(not (start and end and start > end), "end_date", "must not be before start_date")
    v.raise_if_any("listing's date filter")
    return start, end
