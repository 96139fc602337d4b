from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class Gender(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GENDER_UNSPECIFIED: _ClassVar[Gender]
    GENDER_FEMALE: _ClassVar[Gender]
    GENDER_MALE: _ClassVar[Gender]
    GENDER_OTHER: _ClassVar[Gender]
    GENDER_UNDISCLOSED: _ClassVar[Gender]

class AgeBand(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGE_BAND_UNSPECIFIED: _ClassVar[AgeBand]
    AGE_BAND_0_12: _ClassVar[AgeBand]
    AGE_BAND_13_19: _ClassVar[AgeBand]
    AGE_BAND_20_25: _ClassVar[AgeBand]
    AGE_BAND_26_66: _ClassVar[AgeBand]
    AGE_BAND_67_PLUS: _ClassVar[AgeBand]
    AGE_BAND_UNKNOWN: _ClassVar[AgeBand]

class ImdiSubgoal(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMDI_SUBGOAL_UNSPECIFIED: _ClassVar[ImdiSubgoal]
    IMDI_SUBGOAL_COMMUNITY: _ClassVar[ImdiSubgoal]
    IMDI_SUBGOAL_QUALIFICATION: _ClassVar[ImdiSubgoal]
    IMDI_SUBGOAL_SOCIAL_CONTROL: _ClassVar[ImdiSubgoal]
GENDER_UNSPECIFIED: Gender
GENDER_FEMALE: Gender
GENDER_MALE: Gender
GENDER_OTHER: Gender
GENDER_UNDISCLOSED: Gender
AGE_BAND_UNSPECIFIED: AgeBand
AGE_BAND_0_12: AgeBand
AGE_BAND_13_19: AgeBand
AGE_BAND_20_25: AgeBand
AGE_BAND_26_66: AgeBand
AGE_BAND_67_PLUS: AgeBand
AGE_BAND_UNKNOWN: AgeBand
IMDI_SUBGOAL_UNSPECIFIED: ImdiSubgoal
IMDI_SUBGOAL_COMMUNITY: ImdiSubgoal
IMDI_SUBGOAL_QUALIFICATION: ImdiSubgoal
IMDI_SUBGOAL_SOCIAL_CONTROL: ImdiSubgoal

class DateRange(_message.Message):
    __slots__ = ("start_date", "end_date")
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    start_date: str
    end_date: str
    def __init__(self, start_date: _Optional[str] = ..., end_date: _Optional[str] = ...) -> None: ...
