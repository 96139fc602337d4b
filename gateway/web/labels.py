"""What the pages call the values of the contracts' enums, in the user's language.

Never show an enum's wire name (GENDER_FEMALE) to a person: every value a page shows has a label here
(or in its area's module, for values only that area shows)."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from google.protobuf.descriptor import EnumDescriptor

GENDER = {"GENDER_FEMALE": _l("woman / girl"), "GENDER_MALE": _l("man / boy"), "GENDER_OTHER": _l("another gender"),
          "GENDER_UNDISCLOSED": _l("not given")}
AGE_BAND = {"AGE_BAND_0_12": _l("0–12 years"), "AGE_BAND_13_19": _l("13–19 years"),
            "AGE_BAND_20_25": _l("20–25 years"), "AGE_BAND_26_66": _l("26–66 years"),
            "AGE_BAND_67_PLUS": _l("67 years or older"), "AGE_BAND_UNKNOWN": _l("age not known")}
SUBGOAL = {"IMDI_SUBGOAL_COMMUNITY": _l("A: community and belonging"),
           "IMDI_SUBGOAL_QUALIFICATION": _l("B: Norwegian skills and qualification"),
           "IMDI_SUBGOAL_SOCIAL_CONTROL": _l("C: preventing negative social control")}
PAYMENT_STATE = {"PAYMENT_STATE_UNPAID": _l("not paid"), "PAYMENT_STATE_PAID": _l("paid"),
                 "PAYMENT_STATE_WAIVED": _l("waived by the board"), "PAYMENT_STATE_CANCELLED": _l("cancelled")}
HOUSEHOLD_ROLE = {"HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN": _l("parent or guardian"), "HOUSEHOLD_ROLE_CHILD": _l("child"),
                  "HOUSEHOLD_ROLE_PARTNER": _l("partner"), "HOUSEHOLD_ROLE_OTHER": _l("other")}
ROLE = {"ROLE_BOARD_MEMBER": _l("board member"), "ROLE_COORDINATOR": _l("coordinator"),
        "ROLE_VOLUNTEER": _l("volunteer"), "ROLE_GUIDE": _l("guide"), "ROLE_PAID_ASSISTANT": _l("paid assistant")}
GROUP_KIND = {"GROUP_KIND_CHAPTER": _l("local chapter"), "GROUP_KIND_GROUP": _l("group")}

REFERRAL_STATE = {
    "REFERRAL_STATE_REQUESTED": _l("Requested"),
    "REFERRAL_STATE_ACCEPTED": _l("Accepted"),
    "REFERRAL_STATE_REJECTED": _l("Rejected"),
    "REFERRAL_STATE_CANCELLED": _l("Cancelled"),
    "REFERRAL_STATE_IN_PROGRESS": _l("In progress"),
    "REFERRAL_STATE_ON_HOLD": _l("On hold"),
    "REFERRAL_STATE_COMPLETED": _l("Completed"),
    "REFERRAL_STATE_FAILED": _l("Failed"),
}


def label(labels: Mapping[str, Any], enum: EnumDescriptor, number: int) -> str:
    """The label of an enum value by number; '' for the unspecified zero."""
    value = enum.values_by_number.get(number)
    if value is None or value.number == 0:
        return ""
    return str(labels.get(value.name, value.name))


def choices(labels: Mapping[str, Any], enum: EnumDescriptor, *, blank: Any = None) -> list[tuple[str, str]]:
    """(wire name, label) for a <select>, in the enum's order; a first blank choice when blank is given."""
    options = [(v.name, str(labels[v.name])) for v in enum.values if v.name in labels]
    return ([("", str(blank))] if blank is not None else []) + options


def number_of(enum: EnumDescriptor, name: str) -> int:
    """The number of a wire name chosen in a form; 0 (unspecified) for '' or an unknown name."""
    value = enum.values_by_name.get(name or "")
    return value.number if value is not None else 0
