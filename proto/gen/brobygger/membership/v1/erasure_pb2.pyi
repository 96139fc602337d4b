import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ErasureReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERASURE_REASON_UNSPECIFIED: _ClassVar[ErasureReason]
    ERASURE_REASON_NO_LONGER_NECESSARY: _ClassVar[ErasureReason]
    ERASURE_REASON_CONSENT_WITHDRAWN: _ClassVar[ErasureReason]
    ERASURE_REASON_OBJECTION: _ClassVar[ErasureReason]
    ERASURE_REASON_UNLAWFUL_PROCESSING: _ClassVar[ErasureReason]
    ERASURE_REASON_LEGAL_OBLIGATION: _ClassVar[ErasureReason]
    ERASURE_REASON_CHILD: _ClassVar[ErasureReason]
ERASURE_REASON_UNSPECIFIED: ErasureReason
ERASURE_REASON_NO_LONGER_NECESSARY: ErasureReason
ERASURE_REASON_CONSENT_WITHDRAWN: ErasureReason
ERASURE_REASON_OBJECTION: ErasureReason
ERASURE_REASON_UNLAWFUL_PROCESSING: ErasureReason
ERASURE_REASON_LEGAL_OBLIGATION: ErasureReason
ERASURE_REASON_CHILD: ErasureReason

class Erasure(_message.Message):
    __slots__ = ("name", "reason", "requester_role", "state", "create_time", "complete_time", "services")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Erasure.State]
        STATE_IN_PROGRESS: _ClassVar[Erasure.State]
        STATE_COMPLETED: _ClassVar[Erasure.State]
    STATE_UNSPECIFIED: Erasure.State
    STATE_IN_PROGRESS: Erasure.State
    STATE_COMPLETED: Erasure.State
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUESTER_ROLE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    name: str
    reason: ErasureReason
    requester_role: str
    state: Erasure.State
    create_time: _timestamp_pb2.Timestamp
    complete_time: _timestamp_pb2.Timestamp
    services: _containers.RepeatedCompositeFieldContainer[ServiceErasure]
    def __init__(self, name: _Optional[str] = ..., reason: _Optional[_Union[ErasureReason, str]] = ..., requester_role: _Optional[str] = ..., state: _Optional[_Union[Erasure.State, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., services: _Optional[_Iterable[_Union[ServiceErasure, _Mapping]]] = ...) -> None: ...

class ServiceErasure(_message.Message):
    __slots__ = ("service", "complete_time")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_TIME_FIELD_NUMBER: _ClassVar[int]
    service: str
    complete_time: _timestamp_pb2.Timestamp
    def __init__(self, service: _Optional[str] = ..., complete_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RequestErasureRequest(_message.Message):
    __slots__ = ("person", "reason", "confirm", "request_id")
    PERSON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CONFIRM_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    person: str
    reason: ErasureReason
    confirm: bool
    request_id: str
    def __init__(self, person: _Optional[str] = ..., reason: _Optional[_Union[ErasureReason, str]] = ..., confirm: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetErasureRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListErasuresRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListErasuresResponse(_message.Message):
    __slots__ = ("erasures", "next_page_token")
    ERASURES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    erasures: _containers.RepeatedCompositeFieldContainer[Erasure]
    next_page_token: str
    def __init__(self, erasures: _Optional[_Iterable[_Union[Erasure, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ResendErasureRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...
