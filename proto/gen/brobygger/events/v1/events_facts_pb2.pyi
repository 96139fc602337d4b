from brobygger.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CancelCause(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANCEL_CAUSE_UNSPECIFIED: _ClassVar[CancelCause]
    CANCEL_CAUSE_CANCELLED: _ClassVar[CancelCause]
    CANCEL_CAUSE_SCHEDULE_CHANGED: _ClassVar[CancelCause]
CANCEL_CAUSE_UNSPECIFIED: CancelCause
CANCEL_CAUSE_CANCELLED: CancelCause
CANCEL_CAUSE_SCHEDULE_CHANGED: CancelCause

class ActivityCreated(_message.Message):
    __slots__ = ("activity_id", "subgoal", "theme", "funder", "anonymous_attendance")
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    SUBGOAL_FIELD_NUMBER: _ClassVar[int]
    THEME_FIELD_NUMBER: _ClassVar[int]
    FUNDER_FIELD_NUMBER: _ClassVar[int]
    ANONYMOUS_ATTENDANCE_FIELD_NUMBER: _ClassVar[int]
    activity_id: str
    subgoal: _types_pb2.ImdiSubgoal
    theme: str
    funder: str
    anonymous_attendance: bool
    def __init__(self, activity_id: _Optional[str] = ..., subgoal: _Optional[_Union[_types_pb2.ImdiSubgoal, str]] = ..., theme: _Optional[str] = ..., funder: _Optional[str] = ..., anonymous_attendance: _Optional[bool] = ...) -> None: ...

class SessionScheduled(_message.Message):
    __slots__ = ("session_id", "activity_id", "date", "subgoal")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    SUBGOAL_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    activity_id: str
    date: str
    subgoal: _types_pb2.ImdiSubgoal
    def __init__(self, session_id: _Optional[str] = ..., activity_id: _Optional[str] = ..., date: _Optional[str] = ..., subgoal: _Optional[_Union[_types_pb2.ImdiSubgoal, str]] = ...) -> None: ...

class AttendanceRecorded(_message.Message):
    __slots__ = ("attendance_id", "session_id", "activity_id", "date", "person_id", "gender", "age_band", "count")
    ATTENDANCE_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    AGE_BAND_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    attendance_id: str
    session_id: str
    activity_id: str
    date: str
    person_id: str
    gender: _types_pb2.Gender
    age_band: _types_pb2.AgeBand
    count: int
    def __init__(self, attendance_id: _Optional[str] = ..., session_id: _Optional[str] = ..., activity_id: _Optional[str] = ..., date: _Optional[str] = ..., person_id: _Optional[str] = ..., gender: _Optional[_Union[_types_pb2.Gender, str]] = ..., age_band: _Optional[_Union[_types_pb2.AgeBand, str]] = ..., count: _Optional[int] = ...) -> None: ...

class ActivityUpdated(_message.Message):
    __slots__ = ("activity_id", "subgoal", "theme", "funder", "anonymous_attendance", "changed_fields")
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    SUBGOAL_FIELD_NUMBER: _ClassVar[int]
    THEME_FIELD_NUMBER: _ClassVar[int]
    FUNDER_FIELD_NUMBER: _ClassVar[int]
    ANONYMOUS_ATTENDANCE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    activity_id: str
    subgoal: _types_pb2.ImdiSubgoal
    theme: str
    funder: str
    anonymous_attendance: bool
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, activity_id: _Optional[str] = ..., subgoal: _Optional[_Union[_types_pb2.ImdiSubgoal, str]] = ..., theme: _Optional[str] = ..., funder: _Optional[str] = ..., anonymous_attendance: _Optional[bool] = ..., changed_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class SessionUpdated(_message.Message):
    __slots__ = ("session_id", "activity_id", "date", "previous_date", "changed_fields", "start_time", "previous_start_time")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_DATE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_START_TIME_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    activity_id: str
    date: str
    previous_date: str
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    start_time: str
    previous_start_time: str
    def __init__(self, session_id: _Optional[str] = ..., activity_id: _Optional[str] = ..., date: _Optional[str] = ..., previous_date: _Optional[str] = ..., changed_fields: _Optional[_Iterable[str]] = ..., start_time: _Optional[str] = ..., previous_start_time: _Optional[str] = ...) -> None: ...

class SessionCancelled(_message.Message):
    __slots__ = ("session_id", "activity_id", "date", "start_time", "cause")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    activity_id: str
    date: str
    start_time: str
    cause: CancelCause
    def __init__(self, session_id: _Optional[str] = ..., activity_id: _Optional[str] = ..., date: _Optional[str] = ..., start_time: _Optional[str] = ..., cause: _Optional[_Union[CancelCause, str]] = ...) -> None: ...

class AttendanceWithdrawn(_message.Message):
    __slots__ = ("attendance_id", "session_id", "activity_id", "date")
    ATTENDANCE_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    attendance_id: str
    session_id: str
    activity_id: str
    date: str
    def __init__(self, attendance_id: _Optional[str] = ..., session_id: _Optional[str] = ..., activity_id: _Optional[str] = ..., date: _Optional[str] = ...) -> None: ...

class VolunteerHoursLogged(_message.Message):
    __slots__ = ("entry_id", "activity_id", "session_id", "person_id", "date", "minutes", "revision")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    activity_id: str
    session_id: str
    person_id: str
    date: str
    minutes: int
    revision: int
    def __init__(self, entry_id: _Optional[str] = ..., activity_id: _Optional[str] = ..., session_id: _Optional[str] = ..., person_id: _Optional[str] = ..., date: _Optional[str] = ..., minutes: _Optional[int] = ..., revision: _Optional[int] = ...) -> None: ...

class VolunteerHoursCorrected(_message.Message):
    __slots__ = ("entry_id", "activity_id", "session_id", "person_id", "date", "minutes", "revision", "changed_fields")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    activity_id: str
    session_id: str
    person_id: str
    date: str
    minutes: int
    revision: int
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, entry_id: _Optional[str] = ..., activity_id: _Optional[str] = ..., session_id: _Optional[str] = ..., person_id: _Optional[str] = ..., date: _Optional[str] = ..., minutes: _Optional[int] = ..., revision: _Optional[int] = ..., changed_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class VolunteerHoursWithdrawn(_message.Message):
    __slots__ = ("entry_id", "activity_id", "date")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    activity_id: str
    date: str
    def __init__(self, entry_id: _Optional[str] = ..., activity_id: _Optional[str] = ..., date: _Optional[str] = ...) -> None: ...
