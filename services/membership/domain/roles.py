"""Roles a person holds in the organisation for a period: board member, coordinator, volunteer, guide,
paid assistant; optionally within a group (board member of MiR-Ung). Plain Python, no I/O.

A period runs from its start date to its end date, both days included; without an end date the role goes
on. A role is *held on* a day inside its period. Reporting counts, per period of the statistics, the
distinct people who held each role on at least one day of it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from services.common.errors import FailedPrecondition, FieldViolation, InvalidArgument, Violations
from services.common.vocabulary import WireEnum

DATE_HINT = "must be a date like 2026-03-01"
EARLIEST = dt.date(1950, 1, 1)
# A role may be given or ended ahead of time, but not further than this.
AHEAD = dt.timedelta(days=366)


class Role(WireEnum):
    BOARD_MEMBER = 1
    COORDINATOR = 2
    VOLUNTEER = 3
    GUIDE = 4
    PAID_ASSISTANT = 5


@dataclass
class RoleAssignment:
    id: str
    person_id: str
    role: int
    start_date: dt.date
    end_date: dt.date | None = None
    group_id: str = ""
    create_time: dt.datetime | None = None
    update_time: dt.datetime | None = None

    def held_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


def parse_day(value: str, field: str, v: Violations, *, required: bool) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) or None; a violation of field when it is missing (and required) or not a date."""
    text = (value or "").strip()
    if not text:
        if required:
            v.add(field, "is required: " + DATE_HINT)
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        v.add(field, DATE_HINT)
        return None


def check_role(role: int, v: Violations, field: str = "role_assignment.role") -> None:
    v.check(Role.is_set(role), field, "is required: " + Role.choices())


def check_period(start: dt.date | None, end: dt.date | None, today: dt.date, v: Violations,
                 prefix: str = "role_assignment") -> None:
    latest = today + AHEAD
    if start is not None:
        v.check(EARLIEST <= start <= latest, f"{prefix}.start_date",
                f"must be from {EARLIEST.isoformat()} to {latest.isoformat()}")
    if end is not None:
        v.check(end <= latest, f"{prefix}.end_date", f"cannot be after {latest.isoformat()}")
        if start is not None:
            v.check(start <= end, f"{prefix}.end_date", "cannot be before the start date")


def validate_assignment(a: RoleAssignment, today: dt.date) -> None:
    v = Violations()
    check_role(a.role, v)
    check_period(a.start_date, a.end_date, today, v)
    v.raise_if_any("role assignment")


def ended(a: RoleAssignment, end: dt.date, today: dt.date, resource: str) -> RoleAssignment:
    """The assignment ended on end (the last day held); FailedPrecondition when it ended on another day already,
    InvalidArgument when end is before its start or too far ahead."""
    if a.end_date is not None and a.end_date != end:
        raise FailedPrecondition(
            f"{resource} ended on {a.end_date.isoformat()} already; to hold the role again, assign it anew.",
            reason="ROLE_ALREADY_ENDED",
            violations=[FieldViolation("end_date", f"the role ended on {a.end_date.isoformat()}")])
    v = Violations()
    check_period(a.start_date, end, today, v, prefix="")
    if v.items:
        raise InvalidArgument(
            f"end_date must be on or after the start date {a.start_date.isoformat()} and at most a year ahead.",
            reason="INVALID_FIELDS",
            violations=[FieldViolation("end_date", x.description) for x in v.items])
    return dataclasses.replace(a, end_date=end)
