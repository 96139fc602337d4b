"""The filters of a listing of persons beyond name and chapter: membership of a group or a household, a
membership year (optionally paid or waived), and a role held on a day. Plain Python, no I/O.

Every filter given must hold. The SQL repository answers each as an indexed semi-join on the person's id
(adapters.repository); the fakes of the tests check the same in memory.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.common.errors import Violations
from services.common.vocabulary import CHAPTER_HINT, CHAPTER_RE
from services.membership.domain.roles import Role, parse_day

MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class PersonFilter:
    group_id: str = ""
    household_id: str = ""
    membership_year: int = 0
    paying: bool = False
    role: int = 0
    role_date: dt.date | None = None  # set whenever role is

    def __bool__(self) -> bool:
        return bool(self.group_id or self.household_id or self.membership_year or self.role)

    def token(self) -> dict:
        """What a page token keeps of the filter (ids, a year, a role and a date: no personal data)."""
        return {"g": self.group_id, "h": self.household_id, "y": self.membership_year, "p": self.paying,
                "r": self.role, "d": self.role_date.isoformat() if self.role_date else ""}


def _id_of(value: str, collection: str) -> str:
    """The id of 'organizations/{org}/{collection}/{id}' or of a bare id (the caller checked the organisation)."""
    value = (value or "").strip()
    marker = f"/{collection}/"
    return value.rsplit(marker, 1)[1] if marker in value else value


def person_filter(group: str, household: str, membership_year: int, paying: bool, role: int, role_date: str,
                  today: dt.date, org: str) -> PersonFilter:
    """The filter of a ListPersons request; InvalidArgument naming every field that is wrong."""
    v = Violations()
    group_id, household_id = _id_of(group, "groups"), _id_of(household, "households")
    for field, value, collection in (("group", group, "groups"), ("household", household, "households")):
        value = (value or "").strip()
        if "/" in value and not value.startswith(f"organizations/{org}/{collection}/"):
            v.add(field, f"must be organizations/{org}/{collection}/{{id}} or the id alone")
    v.check(not group_id or bool(CHAPTER_RE.match(group_id)), "group",
            "a group id " + CHAPTER_HINT.removeprefix("must be "))
    v.check(not household_id or len(household_id) <= 64, "household", "a household id of at most 64 characters")
    v.check(membership_year == 0 or MIN_YEAR <= membership_year <= MAX_YEAR, "membership_year",
            f"must be a year from {MIN_YEAR} to {MAX_YEAR}, or 0 for any")
    v.check(not paying or bool(membership_year), "paying", "needs membership_year: paying in which year?")
    v.check(role == 0 or Role.is_set(role), "role", "must be one of " + Role.choices())
    day = parse_day(role_date, "role_date", v, required=False)
    v.check(not role_date.strip() or bool(role), "role_date", "needs role: which role held on that day?")
    v.raise_if_any("listing")
    return PersonFilter(group_id, household_id, membership_year, paying, role,
                        (day or today) if role else None)
