"""Reporting rules: plain Python, no I/O. Numbers, never people.

The fact tables hold pseudonymous ids, genders, age bands, dates and states;
the figures below are computed from them for an inclusive period of dates.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from services.common.errors import Violations
from services.common.vocabulary import PAYING_STATES, ImdiSubgoal, PaymentState, ReferralState  # noqa: F401

MAX_PERIOD_YEARS = 5
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


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return dt.date(day.year + years, 3, 1)


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
    if start is not None and end is not None:
        if end < start:
            v.add(f"{prefix}.end_date", f"must not be before {prefix}.start_date")
        elif end >= _add_years(start, MAX_PERIOD_YEARS):
            v.add(f"{prefix}.end_date",
                  f"must be less than {MAX_PERIOD_YEARS} years after {prefix}.start_date; "
                  f"a period spans at most {MAX_PERIOD_YEARS} years")
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


def sessions_per_subgoal(rows: Iterable[tuple[int, int | None, int]]) -> dict[int, int]:
    """Sessions by the sub-goal they count under, from (session's, activity's, sessions) rows."""
    counts: dict[int, int] = {}
    for own, of_activity, n in rows:
        goal = session_subgoal(own, of_activity)
        counts[goal] = counts.get(goal, 0) + n
    return counts


@dataclass(frozen=True)
class ParticipantCount:
    gender: int
    age_band: int
    unique: int
    visits: int


Cell = tuple[int, int]  # (gender, age band)


@dataclass(frozen=True)
class NamedVisit:
    """The latest attendance of one named person in a cell: enough to place the person."""

    person_id: str
    gender: int
    age_band: int
    last_date: dt.date


def participants_table(visits: Mapping[Cell, int],
                       named: Iterable[NamedVisit]) -> tuple[list[ParticipantCount], int, int]:
    """Participants by gender and age band, and the unique and visit totals.

    Visits (named attendances plus head counts) count in the cell each
    attendance names. A named person counts once, in the cell of their latest
    attendance in the period (ties go to the cell that sorts first), so the
    unique cells add up to the unique total.
    """
    place: dict[str, tuple[dt.date, Cell]] = {}
    for n in named:
        cell = (n.gender, n.age_band)
        known = place.get(n.person_id)
        if known is None or n.last_date > known[0] or (n.last_date == known[0] and cell < known[1]):
            place[n.person_id] = (n.last_date, cell)
    unique: dict[Cell, int] = {}
    for _, cell in place.values():
        unique[cell] = unique.get(cell, 0) + 1
    cells = sorted(set(visits) | set(unique))
    rows = [ParticipantCount(g, b, unique.get((g, b), 0), visits.get((g, b), 0)) for g, b in cells]
    rows = [r for r in rows if r.unique or r.visits]
    return rows, len(place), sum(r.visits for r in rows)


@dataclass(frozen=True)
class RawStatistics:
    """A node's figures before disclosure control. Never leaves the node."""

    members: int
    paying_members: int
    activities: int
    sessions: int
    participants: tuple[ParticipantCount, ...]
    participants_unique_total: int
    visits_total: int
    referrals: tuple[tuple[str, int], ...]
    sessions_by_subgoal: tuple[tuple[int, int], ...]


def subgoal_rows(counts: Mapping[int, int]) -> tuple[tuple[int, int], ...]:
    """IMDi's three sub-goals always (0 when none), sessions without a sub-goal when there are any."""
    named = list(ImdiSubgoal)
    rows = [(g, counts.get(g, 0)) for g in named]
    rest = sorted((g, n) for g, n in counts.items() if g not in named and n)
    return tuple(rows + rest)


def referral_rows(counts: Mapping[int, int]) -> tuple[tuple[str, int], ...]:
    """Referrals by current state, in the order of the states; states with none are left out."""
    return tuple((referral_state_name(s), n) for s, n in sorted(counts.items()) if n)
