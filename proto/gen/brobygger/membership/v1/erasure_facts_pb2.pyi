from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class PersonErasureRequested(_message.Message):
    __slots__ = ("erasure_id", "person_id", "requested_date")
    ERASURE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_DATE_FIELD_NUMBER: _ClassVar[int]
    erasure_id: str
    person_id: str
    requested_date: str
    def __init__(self, erasure_id: _Optional[str] = ..., person_id: _Optional[str] = ..., requested_date: _Optional[str] = ...) -> None: ...
