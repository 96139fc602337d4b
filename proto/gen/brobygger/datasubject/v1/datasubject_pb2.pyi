import datetime

from brobygger.type.v1 import audit_pb2 as _audit_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExportPersonDataRequest(_message.Message):
    __slots__ = ("person", "purpose")
    PERSON_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    person: str
    purpose: str
    def __init__(self, person: _Optional[str] = ..., purpose: _Optional[str] = ...) -> None: ...

class ServiceData(_message.Message):
    __slots__ = ("service", "tables", "audit_entries")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    TABLES_FIELD_NUMBER: _ClassVar[int]
    AUDIT_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    service: str
    tables: _containers.RepeatedCompositeFieldContainer[TableRows]
    audit_entries: _containers.RepeatedCompositeFieldContainer[_audit_pb2.AuditEntry]
    def __init__(self, service: _Optional[str] = ..., tables: _Optional[_Iterable[_Union[TableRows, _Mapping]]] = ..., audit_entries: _Optional[_Iterable[_Union[_audit_pb2.AuditEntry, _Mapping]]] = ...) -> None: ...

class TableRows(_message.Message):
    __slots__ = ("table", "description", "rows")
    TABLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    table: str
    description: str
    rows: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    def __init__(self, table: _Optional[str] = ..., description: _Optional[str] = ..., rows: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ...) -> None: ...

class PersonDataExport(_message.Message):
    __slots__ = ("format", "person", "export_time", "exported_by", "services")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    EXPORT_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPORTED_BY_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    format: str
    person: str
    export_time: _timestamp_pb2.Timestamp
    exported_by: str
    services: _containers.RepeatedCompositeFieldContainer[ServiceData]
    def __init__(self, format: _Optional[str] = ..., person: _Optional[str] = ..., export_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., exported_by: _Optional[str] = ..., services: _Optional[_Iterable[_Union[ServiceData, _Mapping]]] = ...) -> None: ...
