import datetime

from brobygger.type.v1 import audit_pb2 as _audit_pb2
from brobygger.type.v1 import types_pb2 as _types_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SessionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SESSION_STATE_UNSPECIFIED: _ClassVar[SessionState]
    SESSION_STATE_SCHEDULED: _ClassVar[SessionState]
    SESSION_STATE_CANCELLED: _ClassVar[SessionState]

class AttendanceState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTENDANCE_STATE_UNSPECIFIED: _ClassVar[AttendanceState]
    ATTENDANCE_STATE_RECORDED: _ClassVar[AttendanceState]
    ATTENDANCE_STATE_WITHDRAWN: _ClassVar[AttendanceState]

class HoursEntryState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOURS_ENTRY_STATE_UNSPECIFIED: _ClassVar[HoursEntryState]
    HOURS_ENTRY_STATE_RECORDED: _ClassVar[HoursEntryState]
    HOURS_ENTRY_STATE_WITHDRAWN: _ClassVar[HoursEntryState]
SESSION_STATE_UNSPECIFIED: SessionState
SESSION_STATE_SCHEDULED: SessionState
SESSION_STATE_CANCELLED: SessionState
ATTENDANCE_STATE_UNSPECIFIED: AttendanceState
ATTENDANCE_STATE_RECORDED: AttendanceState
ATTENDANCE_STATE_WITHDRAWN: AttendanceState
HOURS_ENTRY_STATE_UNSPECIFIED: HoursEntryState
HOURS_ENTRY_STATE_RECORDED: HoursEntryState
HOURS_ENTRY_STATE_WITHDRAWN: HoursEntryState

class Activity(_message.Message):
    __slots__ = ("name", "title", "description", "theme", "subgoal", "target_group", "funder", "chapter", "capacity", "anonymous_attendance", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    THEME_FIELD_NUMBER: _ClassVar[int]
    SUBGOAL_FIELD_NUMBER: _ClassVar[int]
    TARGET_GROUP_FIELD_NUMBER: _ClassVar[int]
    FUNDER_FIELD_NUMBER: _ClassVar[int]
    CHAPTER_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    ANONYMOUS_ATTENDANCE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    description: str
    theme: str
    subgoal: _types_pb2.ImdiSubgoal
    target_group: str
    funder: str
    chapter: str
    capacity: int
    anonymous_attendance: bool
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., theme: _Optional[str] = ..., subgoal: _Optional[_Union[_types_pb2.ImdiSubgoal, str]] = ..., target_group: _Optional[str] = ..., funder: _Optional[str] = ..., chapter: _Optional[str] = ..., capacity: _Optional[int] = ..., anonymous_attendance: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateActivityRequest(_message.Message):
    __slots__ = ("parent", "activity", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    activity: Activity
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., activity: _Optional[_Union[Activity, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetActivityRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListActivitiesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListActivitiesResponse(_message.Message):
    __slots__ = ("activities", "next_page_token")
    ACTIVITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    activities: _containers.RepeatedCompositeFieldContainer[Activity]
    next_page_token: str
    def __init__(self, activities: _Optional[_Iterable[_Union[Activity, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateActivityRequest(_message.Message):
    __slots__ = ("activity", "update_mask", "request_id")
    ACTIVITY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    activity: Activity
    update_mask: _field_mask_pb2.FieldMask
    request_id: str
    def __init__(self, activity: _Optional[_Union[Activity, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ("name", "date", "start_time", "duration_minutes", "location", "create_time", "state", "cancel_reason", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    DURATION_MINUTES_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    date: str
    start_time: str
    duration_minutes: int
    location: str
    create_time: _timestamp_pb2.Timestamp
    state: SessionState
    cancel_reason: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., date: _Optional[str] = ..., start_time: _Optional[str] = ..., duration_minutes: _Optional[int] = ..., location: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[SessionState, str]] = ..., cancel_reason: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateSessionRequest(_message.Message):
    __slots__ = ("parent", "session", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    session: Session
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., session: _Optional[_Union[Session, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetSessionRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "start_date", "end_date")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    start_date: str
    end_date: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., start_date: _Optional[str] = ..., end_date: _Optional[str] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ("sessions", "next_page_token")
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[Session]
    next_page_token: str
    def __init__(self, sessions: _Optional[_Iterable[_Union[Session, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateSessionRequest(_message.Message):
    __slots__ = ("session", "update_mask", "request_id")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    session: Session
    update_mask: _field_mask_pb2.FieldMask
    request_id: str
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CancelSessionRequest(_message.Message):
    __slots__ = ("name", "reason", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class HeadCount(_message.Message):
    __slots__ = ("gender", "age_band", "count")
    GENDER_FIELD_NUMBER: _ClassVar[int]
    AGE_BAND_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    gender: _types_pb2.Gender
    age_band: _types_pb2.AgeBand
    count: int
    def __init__(self, gender: _Optional[_Union[_types_pb2.Gender, str]] = ..., age_band: _Optional[_Union[_types_pb2.AgeBand, str]] = ..., count: _Optional[int] = ...) -> None: ...

class Attendance(_message.Message):
    __slots__ = ("name", "person", "head_count", "create_time", "state", "withdraw_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    HEAD_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    person: str
    head_count: HeadCount
    create_time: _timestamp_pb2.Timestamp
    state: AttendanceState
    withdraw_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., person: _Optional[str] = ..., head_count: _Optional[_Union[HeadCount, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[AttendanceState, str]] = ..., withdraw_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordAttendanceRequest(_message.Message):
    __slots__ = ("parent", "attendance", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ATTENDANCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    attendance: Attendance
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., attendance: _Optional[_Union[Attendance, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListAttendancesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "purpose", "show_withdrawn")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    SHOW_WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    purpose: str
    show_withdrawn: bool
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., purpose: _Optional[str] = ..., show_withdrawn: _Optional[bool] = ...) -> None: ...

class ListAttendancesResponse(_message.Message):
    __slots__ = ("attendances", "next_page_token")
    ATTENDANCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    attendances: _containers.RepeatedCompositeFieldContainer[Attendance]
    next_page_token: str
    def __init__(self, attendances: _Optional[_Iterable[_Union[Attendance, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WithdrawAttendanceRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class DecrementHeadCountRequest(_message.Message):
    __slots__ = ("session", "gender", "age_band", "request_id")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    AGE_BAND_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    session: str
    gender: _types_pb2.Gender
    age_band: _types_pb2.AgeBand
    request_id: str
    def __init__(self, session: _Optional[str] = ..., gender: _Optional[_Union[_types_pb2.Gender, str]] = ..., age_band: _Optional[_Union[_types_pb2.AgeBand, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetSessionSummaryRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class SessionSummary(_message.Message):
    __slots__ = ("name", "state", "named_count", "capacity", "head_counts", "head_count_total")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    NAMED_COUNT_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    HEAD_COUNTS_FIELD_NUMBER: _ClassVar[int]
    HEAD_COUNT_TOTAL_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: SessionState
    named_count: int
    capacity: int
    head_counts: _containers.RepeatedCompositeFieldContainer[HeadCount]
    head_count_total: int
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[SessionState, str]] = ..., named_count: _Optional[int] = ..., capacity: _Optional[int] = ..., head_counts: _Optional[_Iterable[_Union[HeadCount, _Mapping]]] = ..., head_count_total: _Optional[int] = ...) -> None: ...

class ListAuditEntriesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "resource", "actor")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    resource: str
    actor: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., resource: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class ListAuditEntriesResponse(_message.Message):
    __slots__ = ("audit_entries", "next_page_token")
    AUDIT_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    audit_entries: _containers.RepeatedCompositeFieldContainer[_audit_pb2.AuditEntry]
    next_page_token: str
    def __init__(self, audit_entries: _Optional[_Iterable[_Union[_audit_pb2.AuditEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class HoursEntry(_message.Message):
    __slots__ = ("name", "person", "session", "date", "duration_minutes", "task", "logged_by", "state", "create_time", "update_time", "withdraw_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    DURATION_MINUTES_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    LOGGED_BY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    person: str
    session: str
    date: str
    duration_minutes: int
    task: str
    logged_by: str
    state: HoursEntryState
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    withdraw_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., person: _Optional[str] = ..., session: _Optional[str] = ..., date: _Optional[str] = ..., duration_minutes: _Optional[int] = ..., task: _Optional[str] = ..., logged_by: _Optional[str] = ..., state: _Optional[_Union[HoursEntryState, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., withdraw_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LogVolunteerHoursRequest(_message.Message):
    __slots__ = ("parent", "hours_entry", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    HOURS_ENTRY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    hours_entry: HoursEntry
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., hours_entry: _Optional[_Union[HoursEntry, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetHoursEntryRequest(_message.Message):
    __slots__ = ("name", "purpose")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    name: str
    purpose: str
    def __init__(self, name: _Optional[str] = ..., purpose: _Optional[str] = ...) -> None: ...

class ListHoursEntriesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "purpose", "person", "show_withdrawn")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    SHOW_WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    purpose: str
    person: str
    show_withdrawn: bool
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., purpose: _Optional[str] = ..., person: _Optional[str] = ..., show_withdrawn: _Optional[bool] = ...) -> None: ...

class ListHoursEntriesResponse(_message.Message):
    __slots__ = ("hours_entries", "next_page_token", "total_minutes")
    HOURS_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MINUTES_FIELD_NUMBER: _ClassVar[int]
    hours_entries: _containers.RepeatedCompositeFieldContainer[HoursEntry]
    next_page_token: str
    total_minutes: int
    def __init__(self, hours_entries: _Optional[_Iterable[_Union[HoursEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_minutes: _Optional[int] = ...) -> None: ...

class UpdateHoursEntryRequest(_message.Message):
    __slots__ = ("hours_entry", "update_mask", "request_id")
    HOURS_ENTRY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    hours_entry: HoursEntry
    update_mask: _field_mask_pb2.FieldMask
    request_id: str
    def __init__(self, hours_entry: _Optional[_Union[HoursEntry, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class WithdrawHoursEntryRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...
