from brobygger.membership.v1 import consent_pb2 as _consent_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConsentChanged(_message.Message):
    __slots__ = ("person_id", "consent_purpose", "change", "changed_date")
    class Change(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CHANGE_UNSPECIFIED: _ClassVar[ConsentChanged.Change]
        CHANGE_GIVEN: _ClassVar[ConsentChanged.Change]
        CHANGE_WITHDRAWN: _ClassVar[ConsentChanged.Change]
    CHANGE_UNSPECIFIED: ConsentChanged.Change
    CHANGE_GIVEN: ConsentChanged.Change
    CHANGE_WITHDRAWN: ConsentChanged.Change
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    CONSENT_PURPOSE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_DATE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    consent_purpose: _consent_pb2.ConsentPurpose
    change: ConsentChanged.Change
    changed_date: str
    def __init__(self, person_id: _Optional[str] = ..., consent_purpose: _Optional[_Union[_consent_pb2.ConsentPurpose, str]] = ..., change: _Optional[_Union[ConsentChanged.Change, str]] = ..., changed_date: _Optional[str] = ...) -> None: ...
