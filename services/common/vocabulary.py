"""The words every service's domain shares: genders, age bands, IMDi's sub-goals,
payment and referral states (which facts carry from one service to another),
language tags and chapter ids. Plain Python: the domain modules use these, not
the generated protobuf code. Each enum has the numbers and names of its
protobuf twin in brobygger/type/v1/types.proto (tests/contracts checks that they agree).
"""
from __future__ import annotations

import enum
import re

# A BCP 47 language tag as people are registered with: 'ur', 'so', 'nb', 'pa-Arab'.
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# A short lower-case id of a local chapter or group: 'linderud', 'mir-ung'.
CHAPTER_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
CHAPTER_HINT = "must be a short lower-case id like 'linderud' or 'mir-ung'"
LANGUAGE_HINT = "must be a language tag like 'ur', 'so', 'nb'"


class WireEnum(enum.IntEnum):
    """An enum whose members are written on the wire as PREFIX + name, e.g. GENDER_FEMALE."""

    @classmethod
    def prefix(cls) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).upper() + "_"

    @property
    def wire_name(self) -> str:
        return self.prefix() + self.name

    @classmethod
    def is_set(cls, value: int) -> bool:
        """Whether value is one of the members (0, the unspecified value, is not)."""
        return value in cls._value2member_map_

    @classmethod
    def choices(cls) -> str:
        """'GENDER_FEMALE, GENDER_MALE or GENDER_OTHER', for error messages."""
        names = [m.wire_name for m in cls]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


class Gender(WireEnum):
    FEMALE = 1
    MALE = 2
    OTHER = 3
    UNDISCLOSED = 4


class AgeBand(WireEnum):
    AGE_0_12 = 1
    AGE_13_19 = 2
    AGE_20_25 = 3
    AGE_26_66 = 4
    AGE_67_PLUS = 5
    UNKNOWN = 6

    @classmethod
    def prefix(cls) -> str:
        return "AGE_BAND_"

    @property
    def wire_name(self) -> str:
        return "AGE_BAND_" + self.name.removeprefix("AGE_")

    @property
    def label(self) -> str:
        """'13-19', '67+', 'unknown'."""
        return self.name.removeprefix("AGE_").lower().replace("_plus", "+").replace("_", "-")


class ImdiSubgoal(WireEnum):
    COMMUNITY = 1
    QUALIFICATION = 2
    SOCIAL_CONTROL = 3


class PaymentState(WireEnum):
    """A membership year's payment (membership records it; reporting counts it)."""

    UNPAID = 1
    PAID = 2
    WAIVED = 3  # waived by the board; counts as paying where a funder's rule allows it
    CANCELLED = 4  # the membership was ended for the year (resigned, cancelled): not a member, not renewed


PAYING_STATES = frozenset({PaymentState.PAID, PaymentState.WAIVED})


class ReferralState(WireEnum):
    """A referral's state after FHIR Task (referral changes it; reporting counts it)."""

    REQUESTED = 1
    ACCEPTED = 2
    REJECTED = 3
    CANCELLED = 4
    IN_PROGRESS = 5
    ON_HOLD = 6
    COMPLETED = 7
    FAILED = 8


# (lowest age, highest age or None, band)
AGE_BANDS = (
    (0, 12, AgeBand.AGE_0_12),
    (13, 19, AgeBand.AGE_13_19),
    (20, 25, AgeBand.AGE_20_25),
    (26, 66, AgeBand.AGE_26_66),
    (67, None, AgeBand.AGE_67_PLUS),
)


def age_band(birth_year: int, on_year: int) -> AgeBand:
    """The band of someone born in birth_year during on_year (age reached that year)."""
    if not birth_year:
        return AgeBand.UNKNOWN
    age = on_year - birth_year
    for low, high, band in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return band
    return AgeBand.UNKNOWN
