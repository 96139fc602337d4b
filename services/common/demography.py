"""Age bands and genders as every report uses them (see brobygger.type.v1)."""
from __future__ import annotations

from brobygger.type.v1 import types_pb2

# (lowest age, highest age or None, band)
AGE_BANDS = (
    (0, 12, types_pb2.AGE_BAND_0_12),
    (13, 19, types_pb2.AGE_BAND_13_19),
    (20, 25, types_pb2.AGE_BAND_20_25),
    (26, 66, types_pb2.AGE_BAND_26_66),
    (67, None, types_pb2.AGE_BAND_67_PLUS),
)


def age_band(birth_year: int, on_year: int) -> int:
    """The band of someone born in birth_year during on_year (age reached that year)."""
    if not birth_year:
        return types_pb2.AGE_BAND_UNKNOWN
    age = on_year - birth_year
    for low, high, band in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return band
    return types_pb2.AGE_BAND_UNKNOWN


def age_band_label(band: int) -> str:
    return types_pb2.AgeBand.Name(band).removeprefix("AGE_BAND_").lower().replace("_plus", "+").replace("_", "-")


def gender_label(gender: int) -> str:
    return types_pb2.Gender.Name(gender).removeprefix("GENDER_").lower()
