"""Reporting rules: plain Python, no I/O. Numbers, never people.

The fact tables hold pseudonymous ids, genders, age bands, dates and states;
the figures below are computed from them for an inclusive period of dates.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from services.common import counting
from services.common.errors import Violations
from services.common.vocabulary import (  # noqa: F401  (PaymentState is counted here)
    PAYING_STATES, AgeBand, Gender, ImdiSubgoal, PaymentState, ReferralState,
)
from services.reporting.domain.cellkey import MODULUS, ZERO, CellKeys, Count

ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NO_SUBGOAL = 0  # a session whose activity names no sub-goal either




@dataclass(frozen=True)
class Period:
    """An inclusive period of calendar dates."""

    start: dt.date
    end: dt.date

    @property
    def first_year(self) -> int:
        return self.start.year

    @property
    def last_year(self) -> int:
        return self.end.year

    def iso(self) -> str:
        """ISO 8601 interval notation, e.g. 2026-01-01/2026-12-31."""
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


GRID_HINT = ("must be a calendar month, quarter or year: start_date the first day and end_date the last day of it, "
             "e.g. 2026-03-01 and 2026-03-31, 2026-01-01 and 2026-03-31, or 2026-01-01 and 2026-12-31")


def _last_day(year: int, month: int) -> dt.date:
    if month == 12:  # not via 1 January of the next year: after 9999 there is none (dt.date.max)
        return dt.date(year, 12, 31)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def grid_shape(start: dt.date, end: dt.date) -> str | None:
    """'month', 'quarter' or 'year' when the period is one whole calendar month, quarter or year; else None.

    Statistics are answered for these periods only. An analyst who may choose any start and end day can
    subtract one period from another that is a day longer and learn what happened on that day; on the grid
    there are seventeen periods a year (twelve months, four quarters, the year), each a sum of whole months.
    """
    if start.day != 1:
        return None
    if start.month == 1 and end == dt.date(start.year, 12, 31):
        return "year"
    if start.month in (1, 4, 7, 10) and end == _last_day(start.year, start.month + 2):
        return "quarter"
    if end == _last_day(start.year, start.month):
        return "month"
    return None


def parse_date(value: str) -> dt.date | None:
    """An ISO calendar date (YYYY-MM-DD), or None when value is not one."""
    if not ISO_DATE_RE.match(value or ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_period(start_date: str, end_date: str, *, given: bool = True, prefix: str = "period") -> Period:
    """Validate a requested period; every problem is named by its field."""
    v = Violations()
    if not given or (not start_date and not end_date):
        v.add(prefix, "is required: give start_date and end_date as ISO dates, e.g. 2026-01-01 and 2026-12-31")
        v.raise_if_any("statistics request")
    start = parse_date(start_date.strip())
    end = parse_date(end_date.strip())
    for name, raw, parsed in (("start_date", start_date, start), ("end_date", end_date, end)):
        if not raw.strip():
            v.add(f"{prefix}.{name}", "is required, an ISO date like 2026-01-01")
        elif parsed is None:
            v.add(f"{prefix}.{name}", "must be an ISO date like 2026-01-01")
    if start is not None and end is not None and grid_shape(start, end) is None:
        v.add(prefix, GRID_HINT)
    v.raise_if_any("statistics request")
    assert start is not None and end is not None
    return Period(start, end)


def is_paying(payment_state: int) -> bool:
    return payment_state in PAYING_STATES


def referral_state_name(state: int) -> str:
    """The ReferralState name, e.g. REFERRAL_STATE_COMPLETED; a state newer than this code keeps its number."""
    if ReferralState.is_set(state):
        return ReferralState(state).wire_name
    return f"{ReferralState.prefix()}{state}"


def session_subgoal(session_subgoal_value: int, activity_subgoal_value: int | None) -> int:
    """A session counts under its own sub-goal, or its activity's when it names none."""
    if session_subgoal_value:
        return session_subgoal_value
    return activity_subgoal_value or NO_SUBGOAL


# ---------------------------------------------------------------------------- what is counted


@dataclass(frozen=True)
class Member:
    """A person with a membership year in the period's years; paying when any of those years is paid or waived."""

    person_id: str
    paying: bool


@dataclass(frozen=True)
class SessionRow:
    session_id: str
    activity_id: str
    subgoal: int
    activity_subgoal: int | None  # None when the activity's fact has not arrived


@dataclass(frozen=True)
class AttendanceRow:
    attendance_id: str
    person_id: str  # empty for a head count
    gender: int
    age_band: int
    visits: int
    date: dt.date
    activity_id: str = ""


@dataclass(frozen=True)
class HoursRow:
    """A volunteer hours entry that counts, with the sub-goal of its activity (NO_SUBGOAL when unknown)."""

    entry_id: str
    person_id: str
    minutes: int
    subgoal: int
    activity_id: str = ""


@dataclass(frozen=True)
class RoleRow:
    """A role assignment held on at least one day of the period (membership's RoleAssignmentChanged)."""

    person_id: str
    role: int


# The roles counted (brobygger.membership.v1.Role: board member, coordinator, volunteer, guide, paid assistant),
# each always listed: which rows exist must tell nothing.
ROLES = (1, 2, 3, 4, 5)
ROLE_NAMES = {1: "ROLE_BOARD_MEMBER", 2: "ROLE_COORDINATOR", 3: "ROLE_VOLUNTEER", 4: "ROLE_GUIDE",
              5: "ROLE_PAID_ASSISTANT"}


def role_name(role: int) -> str:
    """The Role name, e.g. ROLE_VOLUNTEER; a role newer than this code keeps its number."""
    return ROLE_NAMES.get(role, f"ROLE_{role}")


@dataclass(frozen=True)
class ReferralRow:
    referral_id: str
    state: int


Cell = tuple[int, int]  # (gender, age band)


@dataclass(frozen=True)
class ParticipantCount:
    gender: int
    age_band: int
    unique: Count
    visits: Count


@dataclass(frozen=True)
class RawStatistics:
    """A node's figures before disclosure control, each with its cell key. Never leaves the node."""

    members: Count
    paying_members: Count
    activities: Count
    sessions: Count
    participants: tuple[ParticipantCount, ...]
    participants_unique_total: Count
    visits_total: Count
    referrals: tuple[tuple[str, Count], ...]
    sessions_by_subgoal: tuple[tuple[int, Count], ...]
    # Distinct volunteers, their whole hours (the sum of the sub-goals'), and per sub-goal (volunteers, hours).
    volunteers: Count = ZERO
    volunteer_hours: Count = ZERO
    volunteers_by_subgoal: tuple[tuple[int, Count, Count], ...] = ()
    # Counted members per funder: each of the node's counting rules with its basis year and count for the
    # period's year, and whether those it counts are among the period's members (the basis year is one of the
    # period's years).
    counted_members: tuple[tuple[counting.CountingRule, int, Count, bool], ...] = ()
    # Distinct people who held each role on a day of the period, by Role number (every role of ROLES listed).
    role_holders: tuple[tuple[int, Count], ...] = ()

    @property
    def non_paying_members(self) -> Count:
        """Not published, but anyone can subtract: protected with the two figures it follows from."""
        return Count(self.members.value - self.paying_members.value,
                     (self.members.key - self.paying_members.key) % MODULUS)


def _place(attendances: Iterable[AttendanceRow]) -> dict[str, Cell]:
    """Each named person's cell: that of their latest attendance in the period (ties go to the cell that
    sorts first), so a person counts once and the unique cells add up to the unique total."""
    latest: dict[str, tuple[dt.date, Cell]] = {}
    for a in attendances:
        if not a.person_id:
            continue
        cell = (a.gender, a.age_band)
        known = latest.get(a.person_id)
        if known is None or a.date > known[0] or (a.date == known[0] and cell < known[1]):
            latest[a.person_id] = (a.date, cell)
    return {person: cell for person, (_, cell) in latest.items()}


def _grouped(rows: Iterable[tuple[object, str, int]], keys: CellKeys, kind: str) -> dict:
    """Counts by group from (group, record id, weight) rows."""
    groups: dict[object, list[tuple[str, int]]] = {}
    for group, record_id, weight in rows:
        groups.setdefault(group, []).append((record_id, weight))
    return {g: keys.count(kind, [i for i, _ in items], [w for _, w in items]) for g, items in groups.items()}


def whole_hours(minutes: int) -> int:
    """Minutes as whole hours, half an hour rounded up (90 minutes are 2 hours, 89 are 1)."""
    return (minutes + 30) // 60


def volunteer_figures(hours: Sequence[HoursRow], keys: CellKeys
                      ) -> tuple[Count, Count, tuple[tuple[int, Count, Count], ...]]:
    """(volunteers, hours, per sub-goal (sub-goal, volunteers, hours)). A sub-goal's hours are its entries'
    minutes added up and rounded to whole hours; the total is the sum of the sub-goals' (so that it adds up
    exactly, which the disclosure audit relies on). Each figure's key is that of the records it counts."""
    by_goal: dict[int, list[HoursRow]] = {}
    for h in hours:
        by_goal.setdefault(h.subgoal, []).append(h)
    goals = list(ImdiSubgoal) + sorted(g for g in by_goal if g not in list(ImdiSubgoal))
    cells = []
    total = ZERO
    for g in goals:
        rows = by_goal.get(g, [])
        volunteers = keys.count("person", sorted({h.person_id for h in rows}))
        key = keys.count("hours", [h.entry_id for h in rows]).key
        count = Count(whole_hours(sum(h.minutes for h in rows)), key)
        cells.append((int(g), volunteers, count))
        total = total + count
    return keys.count("person", sorted({h.person_id for h in hours})), total, tuple(cells)


def counted_members(rules: Sequence[counting.CountingRule], period: Period, years: Iterable[counting.YearFacts],
                    keys: CellKeys) -> tuple[tuple[counting.CountingRule, int, Count, bool], ...]:
    """Each rule's count of members for the period's year (counting.evaluate, as the node's membership service
    explains it), keyed as members are: the same persons give the same cell key as the member count."""
    years = list(years)
    out = []
    for rule in rules:
        ev = counting.evaluate(rule, period.first_year, years)
        ids = sorted({v.facts.person_id for v in ev.counted})
        out.append((rule, ev.basis_year, keys.count("member", ids),
                    period.first_year <= ev.basis_year <= period.last_year))
    return tuple(out)


def holders(roles: Iterable[RoleRow], keys: CellKeys) -> tuple[tuple[int, Count], ...]:
    """Distinct people per role (a person with two assignments of a role in the period counts once), every role
    of ROLES listed, and roles newer than this code after them."""
    people: dict[int, set[str]] = {r: set() for r in ROLES}
    for row in roles:
        people.setdefault(row.role, set()).add(row.person_id)
    return tuple((role, keys.count("person", sorted(people[role]))) for role in sorted(people))


def statistics(members: Sequence[Member], sessions: Sequence[SessionRow], attendances: Sequence[AttendanceRow],
               referrals: Sequence[ReferralRow], keys: CellKeys, hours: Sequence[HoursRow] = (),
               counted: tuple[tuple[counting.CountingRule, int, Count, bool], ...] = (),
               roles: Sequence[RoleRow] = ()) -> RawStatistics:
    """The figures of a period from the records it counts."""
    placed = _place(attendances)
    visits = _grouped((((a.gender, a.age_band), a.attendance_id, a.visits) for a in attendances), keys, "attendance")
    unique = _grouped(((cell, person, 1) for person, cell in placed.items()), keys, "person")
    # Every gender and age band, counted or not: which rows exist must tell nothing.
    cells = sorted(set(itertools.product(map(int, Gender), map(int, AgeBand))) | set(visits) | set(unique))
    participants = tuple(ParticipantCount(g, b, unique.get((g, b), ZERO), visits.get((g, b), ZERO)) for g, b in cells)
    by_goal = _grouped(((session_subgoal(s.subgoal, s.activity_subgoal), s.session_id, 1) for s in sessions),
                       keys, "session")
    goals = list(ImdiSubgoal) + sorted(g for g in by_goal if g not in list(ImdiSubgoal))
    by_state = _grouped(((r.state, r.referral_id, 1) for r in referrals), keys, "referral")
    volunteers, volunteer_hours, by_goal_hours = volunteer_figures(hours, keys)
    return RawStatistics(
        members=keys.count("member", [m.person_id for m in members]),
        paying_members=keys.count("member", [m.person_id for m in members if m.paying]),
        activities=keys.count("activity", sorted({s.activity_id for s in sessions})),
        sessions=keys.count("session", [s.session_id for s in sessions]),
        participants=participants,
        participants_unique_total=keys.count("person", list(placed)),
        visits_total=keys.count("attendance", [a.attendance_id for a in attendances], [a.visits for a in attendances]),
        referrals=tuple((referral_state_name(s), by_state[s]) for s in sorted(by_state)),
        sessions_by_subgoal=tuple((int(g), by_goal.get(g, ZERO)) for g in goals),
        volunteers=volunteers,
        volunteer_hours=volunteer_hours,
        volunteers_by_subgoal=by_goal_hours,
        counted_members=counted,
        role_holders=holders(roles, keys),
    )
