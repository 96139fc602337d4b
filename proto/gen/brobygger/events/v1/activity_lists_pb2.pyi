import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Theme(_message.Message):
    __slots__ = ("name", "label", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    label: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., label: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TargetGroup(_message.Message):
    __slots__ = ("name", "label", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    label: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., label: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateThemeRequest(_message.Message):
    __slots__ = ("parent", "theme", "theme_id", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    THEME_FIELD_NUMBER: _ClassVar[int]
    THEME_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    theme: Theme
    theme_id: str
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., theme: _Optional[_Union[Theme, _Mapping]] = ..., theme_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListThemesRequest(_message.Message):
    __slots__ = ("parent",)
    PARENT_FIELD_NUMBER: _ClassVar[int]
    parent: str
    def __init__(self, parent: _Optional[str] = ...) -> None: ...

class ListThemesResponse(_message.Message):
    __slots__ = ("themes",)
    THEMES_FIELD_NUMBER: _ClassVar[int]
    themes: _containers.RepeatedCompositeFieldContainer[Theme]
    def __init__(self, themes: _Optional[_Iterable[_Union[Theme, _Mapping]]] = ...) -> None: ...

class UpdateThemeRequest(_message.Message):
    __slots__ = ("theme", "update_mask", "request_id")
    THEME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    theme: Theme
    update_mask: _field_mask_pb2.FieldMask
    request_id: str
    def __init__(self, theme: _Optional[_Union[Theme, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateTargetGroupRequest(_message.Message):
    __slots__ = ("parent", "target_group", "target_group_id", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    TARGET_GROUP_FIELD_NUMBER: _ClassVar[int]
    TARGET_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    target_group: TargetGroup
    target_group_id: str
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., target_group: _Optional[_Union[TargetGroup, _Mapping]] = ..., target_group_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListTargetGroupsRequest(_message.Message):
    __slots__ = ("parent",)
    PARENT_FIELD_NUMBER: _ClassVar[int]
    parent: str
    def __init__(self, parent: _Optional[str] = ...) -> None: ...

class ListTargetGroupsResponse(_message.Message):
    __slots__ = ("target_groups",)
    TARGET_GROUPS_FIELD_NUMBER: _ClassVar[int]
    target_groups: _containers.RepeatedCompositeFieldContainer[TargetGroup]
    def __init__(self, target_groups: _Optional[_Iterable[_Union[TargetGroup, _Mapping]]] = ...) -> None: ...

class UpdateTargetGroupRequest(_message.Message):
    __slots__ = ("target_group", "update_mask", "request_id")
    TARGET_GROUP_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    target_group: TargetGroup
    update_mask: _field_mask_pb2.FieldMask
    request_id: str
    def __init__(self, target_group: _Optional[_Union[TargetGroup, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...
