import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegistrationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REGISTRATION_STATE_UNSPECIFIED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_PENDING: _ClassVar[RegistrationState]
    REGISTRATION_STATE_REGISTERED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_WAITLISTED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_ATTENDED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_NO_SHOW: _ClassVar[RegistrationState]
    REGISTRATION_STATE_CANCELLED: _ClassVar[RegistrationState]
REGISTRATION_STATE_UNSPECIFIED: RegistrationState
REGISTRATION_STATE_PENDING: RegistrationState
REGISTRATION_STATE_REGISTERED: RegistrationState
REGISTRATION_STATE_WAITLISTED: RegistrationState
REGISTRATION_STATE_ATTENDED: RegistrationState
REGISTRATION_STATE_NO_SHOW: RegistrationState
REGISTRATION_STATE_CANCELLED: RegistrationState

class Registration(_message.Message):
    __slots__ = ("name", "person", "session", "state", "hold", "waitlist_position", "household", "create_time", "update_time", "promote_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    HOLD_FIELD_NUMBER: _ClassVar[int]
    WAITLIST_POSITION_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PROMOTE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    person: str
    session: str
    state: RegistrationState
    hold: bool
    waitlist_position: int
    household: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    promote_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., person: _Optional[str] = ..., session: _Optional[str] = ..., state: _Optional[_Union[RegistrationState, str]] = ..., hold: _Optional[bool] = ..., waitlist_position: _Optional[int] = ..., household: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., promote_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateRegistrationRequest(_message.Message):
    __slots__ = ("parent", "registration", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    registration: Registration
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., registration: _Optional[_Union[Registration, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RegisterHouseholdRequest(_message.Message):
    __slots__ = ("parent", "household", "purpose", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    household: str
    purpose: str
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., household: _Optional[str] = ..., purpose: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class HouseholdRegistrationResult(_message.Message):
    __slots__ = ("person", "registration", "already_registered")
    PERSON_FIELD_NUMBER: _ClassVar[int]
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    ALREADY_REGISTERED_FIELD_NUMBER: _ClassVar[int]
    person: str
    registration: Registration
    already_registered: bool
    def __init__(self, person: _Optional[str] = ..., registration: _Optional[_Union[Registration, _Mapping]] = ..., already_registered: _Optional[bool] = ...) -> None: ...

class RegisterHouseholdResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[HouseholdRegistrationResult]
    def __init__(self, results: _Optional[_Iterable[_Union[HouseholdRegistrationResult, _Mapping]]] = ...) -> None: ...

class ListRegistrationsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "purpose", "show_cancelled")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    SHOW_CANCELLED_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    purpose: str
    show_cancelled: bool
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., purpose: _Optional[str] = ..., show_cancelled: _Optional[bool] = ...) -> None: ...

class ListRegistrationsResponse(_message.Message):
    __slots__ = ("registrations", "next_page_token", "capacity", "taken", "waiting")
    REGISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    TAKEN_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    registrations: _containers.RepeatedCompositeFieldContainer[Registration]
    next_page_token: str
    capacity: int
    taken: int
    waiting: int
    def __init__(self, registrations: _Optional[_Iterable[_Union[Registration, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., capacity: _Optional[int] = ..., taken: _Optional[int] = ..., waiting: _Optional[int] = ...) -> None: ...

class CancelRegistrationRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CancelRegistrationResponse(_message.Message):
    __slots__ = ("registration", "promoted")
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_FIELD_NUMBER: _ClassVar[int]
    registration: Registration
    promoted: _containers.RepeatedCompositeFieldContainer[Registration]
    def __init__(self, registration: _Optional[_Union[Registration, _Mapping]] = ..., promoted: _Optional[_Iterable[_Union[Registration, _Mapping]]] = ...) -> None: ...

class ConfirmRegistrationRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class MarkNoShowsRequest(_message.Message):
    __slots__ = ("session", "request_id")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    session: str
    request_id: str
    def __init__(self, session: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class MarkNoShowsResponse(_message.Message):
    __slots__ = ("registrations", "attended_count", "no_show_count")
    REGISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    ATTENDED_COUNT_FIELD_NUMBER: _ClassVar[int]
    NO_SHOW_COUNT_FIELD_NUMBER: _ClassVar[int]
    registrations: _containers.RepeatedCompositeFieldContainer[Registration]
    attended_count: int
    no_show_count: int
    def __init__(self, registrations: _Optional[_Iterable[_Union[Registration, _Mapping]]] = ..., attended_count: _Optional[int] = ..., no_show_count: _Optional[int] = ...) -> None: ...
