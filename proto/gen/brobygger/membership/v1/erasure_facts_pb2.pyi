from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class PersonErasureRequested(_message.Message):
    __slots__ = ("erasure_id", "person_id", "requested_date", "services")
    ERASURE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_DATE_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    erasure_id: str
    person_id: str
    requested_date: str
    services: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, erasure_id: _Optional[str] = ..., person_id: _Optional[str] = ..., requested_date: _Optional[str] = ..., services: _Optional[_Iterable[str]] = ...) -> None: ...
