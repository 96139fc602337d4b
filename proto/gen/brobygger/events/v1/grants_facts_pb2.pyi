from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class ProjectGrantsChanged(_message.Message):
    __slots__ = ("project_id", "grant_ids", "funder_ids")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GRANT_IDS_FIELD_NUMBER: _ClassVar[int]
    FUNDER_IDS_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    grant_ids: _containers.RepeatedScalarFieldContainer[str]
    funder_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project_id: _Optional[str] = ..., grant_ids: _Optional[_Iterable[str]] = ..., funder_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ActivityProjectLinked(_message.Message):
    __slots__ = ("activity_id", "project_id")
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    activity_id: str
    project_id: str
    def __init__(self, activity_id: _Optional[str] = ..., project_id: _Optional[str] = ...) -> None: ...

class ActivityProjectUnlinked(_message.Message):
    __slots__ = ("activity_id", "project_id")
    ACTIVITY_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    activity_id: str
    project_id: str
    def __init__(self, activity_id: _Optional[str] = ..., project_id: _Optional[str] = ...) -> None: ...
