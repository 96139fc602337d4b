from brobygger.events.v1 import registration_pb2 as _registration_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegistrationChanged(_message.Message):
    __slots__ = ("registration_id", "activity_id", "session_id", "person_id", "state", "previous_state", "promoted", "date")
    REGISTRATION_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    registration_id: str
    activity_id: str
    session_id: str
    person_id: str
    state: _registration_pb2.RegistrationState
    previous_state: _registration_pb2.RegistrationState
    promoted: bool
    date: str
    def __init__(self, registration_id: _Optional[str] = ..., activity_id: _Optional[str] = ..., session_id: _Optional[str] = ..., person_id: _Optional[str] = ..., state: _Optional[_Union[_registration_pb2.RegistrationState, str]] = ..., previous_state: _Optional[_Union[_registration_pb2.RegistrationState, str]] = ..., promoted: _Optional[bool] = ..., date: _Optional[str] = ...) -> None: ...
