import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ConsentPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONSENT_PURPOSE_UNSPECIFIED: _ClassVar[ConsentPurpose]
    CONSENT_PURPOSE_MEMBERSHIP: _ClassVar[ConsentPurpose]
    CONSENT_PURPOSE_STATISTICS: _ClassVar[ConsentPurpose]
    CONSENT_PURPOSE_REFERRAL_SHARING: _ClassVar[ConsentPurpose]
    CONSENT_PURPOSE_PHOTOS: _ClassVar[ConsentPurpose]

class ConsentSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONSENT_SOURCE_UNSPECIFIED: _ClassVar[ConsentSource]
    CONSENT_SOURCE_PAPER_FORM: _ClassVar[ConsentSource]
    CONSENT_SOURCE_WEB: _ClassVar[ConsentSource]
    CONSENT_SOURCE_VERBAL: _ClassVar[ConsentSource]

class ConsentGiver(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONSENT_GIVER_UNSPECIFIED: _ClassVar[ConsentGiver]
    CONSENT_GIVER_PERSON: _ClassVar[ConsentGiver]
    CONSENT_GIVER_GUARDIAN: _ClassVar[ConsentGiver]

class ConsentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONSENT_STATE_UNSPECIFIED: _ClassVar[ConsentState]
    CONSENT_STATE_GIVEN: _ClassVar[ConsentState]
    CONSENT_STATE_WITHDRAWN: _ClassVar[ConsentState]
CONSENT_PURPOSE_UNSPECIFIED: ConsentPurpose
CONSENT_PURPOSE_MEMBERSHIP: ConsentPurpose
CONSENT_PURPOSE_STATISTICS: ConsentPurpose
CONSENT_PURPOSE_REFERRAL_SHARING: ConsentPurpose
CONSENT_PURPOSE_PHOTOS: ConsentPurpose
CONSENT_SOURCE_UNSPECIFIED: ConsentSource
CONSENT_SOURCE_PAPER_FORM: ConsentSource
CONSENT_SOURCE_WEB: ConsentSource
CONSENT_SOURCE_VERBAL: ConsentSource
CONSENT_GIVER_UNSPECIFIED: ConsentGiver
CONSENT_GIVER_PERSON: ConsentGiver
CONSENT_GIVER_GUARDIAN: ConsentGiver
CONSENT_STATE_UNSPECIFIED: ConsentState
CONSENT_STATE_GIVEN: ConsentState
CONSENT_STATE_WITHDRAWN: ConsentState

class Consent(_message.Message):
    __slots__ = ("name", "purpose", "text_version", "given_date", "source", "given_by", "guardian", "guardian_name", "recorded_by", "state", "withdraw_date", "withdraw_source", "withdrawn_recorded_by", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    TEXT_VERSION_FIELD_NUMBER: _ClassVar[int]
    GIVEN_DATE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    GIVEN_BY_FIELD_NUMBER: _ClassVar[int]
    GUARDIAN_FIELD_NUMBER: _ClassVar[int]
    GUARDIAN_NAME_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_DATE_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_SOURCE_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    purpose: ConsentPurpose
    text_version: str
    given_date: str
    source: ConsentSource
    given_by: ConsentGiver
    guardian: str
    guardian_name: str
    recorded_by: str
    state: ConsentState
    withdraw_date: str
    withdraw_source: ConsentSource
    withdrawn_recorded_by: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., purpose: _Optional[_Union[ConsentPurpose, str]] = ..., text_version: _Optional[str] = ..., given_date: _Optional[str] = ..., source: _Optional[_Union[ConsentSource, str]] = ..., given_by: _Optional[_Union[ConsentGiver, str]] = ..., guardian: _Optional[str] = ..., guardian_name: _Optional[str] = ..., recorded_by: _Optional[str] = ..., state: _Optional[_Union[ConsentState, str]] = ..., withdraw_date: _Optional[str] = ..., withdraw_source: _Optional[_Union[ConsentSource, str]] = ..., withdrawn_recorded_by: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordConsentRequest(_message.Message):
    __slots__ = ("parent", "consent", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    consent: Consent
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., consent: _Optional[_Union[Consent, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class WithdrawConsentRequest(_message.Message):
    __slots__ = ("name", "withdraw_date", "source", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_DATE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    withdraw_date: str
    source: ConsentSource
    request_id: str
    def __init__(self, name: _Optional[str] = ..., withdraw_date: _Optional[str] = ..., source: _Optional[_Union[ConsentSource, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListConsentsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "purpose")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    purpose: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., purpose: _Optional[str] = ...) -> None: ...

class ListConsentsResponse(_message.Message):
    __slots__ = ("consents", "next_page_token")
    CONSENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    consents: _containers.RepeatedCompositeFieldContainer[Consent]
    next_page_token: str
    def __init__(self, consents: _Optional[_Iterable[_Union[Consent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CheckConsentRequest(_message.Message):
    __slots__ = ("name", "consent_purpose", "purpose")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONSENT_PURPOSE_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    name: str
    consent_purpose: ConsentPurpose
    purpose: str
    def __init__(self, name: _Optional[str] = ..., consent_purpose: _Optional[_Union[ConsentPurpose, str]] = ..., purpose: _Optional[str] = ...) -> None: ...

class ConsentCheck(_message.Message):
    __slots__ = ("person", "consent_purpose", "in_force", "consent", "text_version")
    PERSON_FIELD_NUMBER: _ClassVar[int]
    CONSENT_PURPOSE_FIELD_NUMBER: _ClassVar[int]
    IN_FORCE_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    TEXT_VERSION_FIELD_NUMBER: _ClassVar[int]
    person: str
    consent_purpose: ConsentPurpose
    in_force: bool
    consent: str
    text_version: str
    def __init__(self, person: _Optional[str] = ..., consent_purpose: _Optional[_Union[ConsentPurpose, str]] = ..., in_force: _Optional[bool] = ..., consent: _Optional[str] = ..., text_version: _Optional[str] = ...) -> None: ...

class BatchCheckConsentsRequest(_message.Message):
    __slots__ = ("parent", "names", "consent_purpose", "purpose")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    CONSENT_PURPOSE_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    names: _containers.RepeatedScalarFieldContainer[str]
    consent_purpose: ConsentPurpose
    purpose: str
    def __init__(self, parent: _Optional[str] = ..., names: _Optional[_Iterable[str]] = ..., consent_purpose: _Optional[_Union[ConsentPurpose, str]] = ..., purpose: _Optional[str] = ...) -> None: ...

class BatchCheckConsentsResponse(_message.Message):
    __slots__ = ("consent_checks",)
    CONSENT_CHECKS_FIELD_NUMBER: _ClassVar[int]
    consent_checks: _containers.RepeatedCompositeFieldContainer[ConsentCheck]
    def __init__(self, consent_checks: _Optional[_Iterable[_Union[ConsentCheck, _Mapping]]] = ...) -> None: ...
