import datetime

from brobygger.events.v1 import events_pb2 as _events_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Recurrence(_message.Message):
    __slots__ = ("name", "rule", "start_date", "end_date", "start_time", "duration_minutes", "location", "exception_dates", "scheduled_count", "revision", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    DURATION_MINUTES_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    EXCEPTION_DATES_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    rule: str
    start_date: str
    end_date: str
    start_time: str
    duration_minutes: int
    location: str
    exception_dates: _containers.RepeatedScalarFieldContainer[str]
    scheduled_count: int
    revision: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., rule: _Optional[str] = ..., start_date: _Optional[str] = ..., end_date: _Optional[str] = ..., start_time: _Optional[str] = ..., duration_minutes: _Optional[int] = ..., location: _Optional[str] = ..., exception_dates: _Optional[_Iterable[str]] = ..., scheduled_count: _Optional[int] = ..., revision: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PreviewRecurrenceRequest(_message.Message):
    __slots__ = ("parent", "recurrence")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    RECURRENCE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    recurrence: Recurrence
    def __init__(self, parent: _Optional[str] = ..., recurrence: _Optional[_Union[Recurrence, _Mapping]] = ...) -> None: ...

class PreviewRecurrenceResponse(_message.Message):
    __slots__ = ("dates", "new_dates", "dropped_dates", "kept_dates")
    DATES_FIELD_NUMBER: _ClassVar[int]
    NEW_DATES_FIELD_NUMBER: _ClassVar[int]
    DROPPED_DATES_FIELD_NUMBER: _ClassVar[int]
    KEPT_DATES_FIELD_NUMBER: _ClassVar[int]
    dates: _containers.RepeatedScalarFieldContainer[str]
    new_dates: _containers.RepeatedScalarFieldContainer[str]
    dropped_dates: _containers.RepeatedScalarFieldContainer[str]
    kept_dates: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, dates: _Optional[_Iterable[str]] = ..., new_dates: _Optional[_Iterable[str]] = ..., dropped_dates: _Optional[_Iterable[str]] = ..., kept_dates: _Optional[_Iterable[str]] = ...) -> None: ...

class SetRecurrenceRequest(_message.Message):
    __slots__ = ("recurrence", "request_id")
    RECURRENCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    recurrence: Recurrence
    request_id: str
    def __init__(self, recurrence: _Optional[_Union[Recurrence, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetRecurrenceRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class Occurrence(_message.Message):
    __slots__ = ("session", "rule_date", "rule_start_time", "moved", "edited", "dropped")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    RULE_DATE_FIELD_NUMBER: _ClassVar[int]
    RULE_START_TIME_FIELD_NUMBER: _ClassVar[int]
    MOVED_FIELD_NUMBER: _ClassVar[int]
    EDITED_FIELD_NUMBER: _ClassVar[int]
    DROPPED_FIELD_NUMBER: _ClassVar[int]
    session: _events_pb2.Session
    rule_date: str
    rule_start_time: str
    moved: bool
    edited: bool
    dropped: bool
    def __init__(self, session: _Optional[_Union[_events_pb2.Session, _Mapping]] = ..., rule_date: _Optional[str] = ..., rule_start_time: _Optional[str] = ..., moved: _Optional[bool] = ..., edited: _Optional[bool] = ..., dropped: _Optional[bool] = ...) -> None: ...

class ListOccurrencesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOccurrencesResponse(_message.Message):
    __slots__ = ("occurrences", "next_page_token")
    OCCURRENCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    occurrences: _containers.RepeatedCompositeFieldContainer[Occurrence]
    next_page_token: str
    def __init__(self, occurrences: _Optional[_Iterable[_Union[Occurrence, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
