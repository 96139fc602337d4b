"""Households: people who live together as a family. Plain Python, no I/O.

A person is a member of at most one household, with one role in it. Adding a person who is a member of
another household is refused: they are taken out there first, so that no household loses a member by a
mistyped id elsewhere.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.common.errors import FailedPrecondition, FieldViolation, Violations
from services.common.text import check_text
from services.common.vocabulary import WireEnum

MAX_DISPLAY_NAME = 100


class HouseholdRole(WireEnum):
    PARENT_OR_GUARDIAN = 1
    CHILD = 2
    PARTNER = 3
    OTHER = 4


@dataclass
class Household:
    id: str
    display_name: str = ""
    create_time: dt.datetime | None = None


@dataclass
class HouseholdMember:
    household_id: str
    person_id: str
    role: int
    create_time: dt.datetime | None = None


def validate_household(h: Household, prefix: str = "household") -> None:
    v = Violations()
    v.check(len(h.display_name) <= MAX_DISPLAY_NAME, f"{prefix}.display_name",
            f"at most {MAX_DISPLAY_NAME} characters, e.g. 'Familien Hussain'")
    check_text(v, h.display_name, f"{prefix}.display_name")
    v.raise_if_any("household")


def check_role(role: int, field: str = "role") -> HouseholdRole:
    v = Violations()
    v.check(HouseholdRole.is_set(role), field, "is required: " + HouseholdRole.choices())
    v.raise_if_any("household member")
    return HouseholdRole(role)


def check_joinable(current: HouseholdMember | None, household_id: str, person: str, current_name: str) -> None:
    """FailedPrecondition when the person (named person) is already a member of a household other than
    household_id (named current_name): a person is in at most one household."""
    if current is not None and current.household_id != household_id:
        raise FailedPrecondition(
            f"{person} is already a member of household {current_name}; a person is in at most one household: "
            "remove them there first (RemoveHouseholdMember), then add them here.",
            reason="ALREADY_IN_HOUSEHOLD",
            violations=[FieldViolation("person", f"already a member of {current_name}")])
