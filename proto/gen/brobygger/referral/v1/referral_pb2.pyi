import datetime

from brobygger.type.v1 import audit_pb2 as _audit_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReferralState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFERRAL_STATE_UNSPECIFIED: _ClassVar[ReferralState]
    REFERRAL_STATE_REQUESTED: _ClassVar[ReferralState]
    REFERRAL_STATE_ACCEPTED: _ClassVar[ReferralState]
    REFERRAL_STATE_REJECTED: _ClassVar[ReferralState]
    REFERRAL_STATE_CANCELLED: _ClassVar[ReferralState]
    REFERRAL_STATE_IN_PROGRESS: _ClassVar[ReferralState]
    REFERRAL_STATE_ON_HOLD: _ClassVar[ReferralState]
    REFERRAL_STATE_COMPLETED: _ClassVar[ReferralState]
    REFERRAL_STATE_FAILED: _ClassVar[ReferralState]

class PartnerKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARTNER_KIND_UNSPECIFIED: _ClassVar[PartnerKind]
    PARTNER_KIND_SCHOOL: _ClassVar[PartnerKind]
    PARTNER_KIND_NAV: _ClassVar[PartnerKind]
    PARTNER_KIND_CHILD_WELFARE: _ClassVar[PartnerKind]
    PARTNER_KIND_POLICE: _ClassVar[PartnerKind]
    PARTNER_KIND_RED_CROSS: _ClassVar[PartnerKind]
    PARTNER_KIND_VOLUNTEER_CENTRE: _ClassVar[PartnerKind]
    PARTNER_KIND_PROBATION_SERVICE: _ClassVar[PartnerKind]
    PARTNER_KIND_LEGAL_AID: _ClassVar[PartnerKind]
    PARTNER_KIND_HEALTH: _ClassVar[PartnerKind]
    PARTNER_KIND_FEDERATION_NODE: _ClassVar[PartnerKind]
    PARTNER_KIND_FAITH_COMMUNITY: _ClassVar[PartnerKind]
    PARTNER_KIND_OTHER: _ClassVar[PartnerKind]

class ReasonCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REASON_CATEGORY_UNSPECIFIED: _ClassVar[ReasonCategory]
    REASON_CATEGORY_SCHOOL_HOME: _ClassVar[ReasonCategory]
    REASON_CATEGORY_FAMILY_GUIDANCE: _ClassVar[ReasonCategory]
    REASON_CATEGORY_LEGAL_AID: _ClassVar[ReasonCategory]
    REASON_CATEGORY_WORK_AND_WELFARE: _ClassVar[ReasonCategory]
    REASON_CATEGORY_HEALTH: _ClassVar[ReasonCategory]
    REASON_CATEGORY_VIOLENCE_IN_CLOSE_RELATIONS: _ClassVar[ReasonCategory]
    REASON_CATEGORY_NEGATIVE_SOCIAL_CONTROL: _ClassVar[ReasonCategory]
    REASON_CATEGORY_MEDIATION: _ClassVar[ReasonCategory]
    REASON_CATEGORY_COMMUNITY_SENTENCE: _ClassVar[ReasonCategory]
    REASON_CATEGORY_OTHER: _ClassVar[ReasonCategory]

class Direction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIRECTION_UNSPECIFIED: _ClassVar[Direction]
    DIRECTION_OUTGOING: _ClassVar[Direction]
    DIRECTION_INCOMING: _ClassVar[Direction]
REFERRAL_STATE_UNSPECIFIED: ReferralState
REFERRAL_STATE_REQUESTED: ReferralState
REFERRAL_STATE_ACCEPTED: ReferralState
REFERRAL_STATE_REJECTED: ReferralState
REFERRAL_STATE_CANCELLED: ReferralState
REFERRAL_STATE_IN_PROGRESS: ReferralState
REFERRAL_STATE_ON_HOLD: ReferralState
REFERRAL_STATE_COMPLETED: ReferralState
REFERRAL_STATE_FAILED: ReferralState
PARTNER_KIND_UNSPECIFIED: PartnerKind
PARTNER_KIND_SCHOOL: PartnerKind
PARTNER_KIND_NAV: PartnerKind
PARTNER_KIND_CHILD_WELFARE: PartnerKind
PARTNER_KIND_POLICE: PartnerKind
PARTNER_KIND_RED_CROSS: PartnerKind
PARTNER_KIND_VOLUNTEER_CENTRE: PartnerKind
PARTNER_KIND_PROBATION_SERVICE: PartnerKind
PARTNER_KIND_LEGAL_AID: PartnerKind
PARTNER_KIND_HEALTH: PartnerKind
PARTNER_KIND_FEDERATION_NODE: PartnerKind
PARTNER_KIND_FAITH_COMMUNITY: PartnerKind
PARTNER_KIND_OTHER: PartnerKind
REASON_CATEGORY_UNSPECIFIED: ReasonCategory
REASON_CATEGORY_SCHOOL_HOME: ReasonCategory
REASON_CATEGORY_FAMILY_GUIDANCE: ReasonCategory
REASON_CATEGORY_LEGAL_AID: ReasonCategory
REASON_CATEGORY_WORK_AND_WELFARE: ReasonCategory
REASON_CATEGORY_HEALTH: ReasonCategory
REASON_CATEGORY_VIOLENCE_IN_CLOSE_RELATIONS: ReasonCategory
REASON_CATEGORY_NEGATIVE_SOCIAL_CONTROL: ReasonCategory
REASON_CATEGORY_MEDIATION: ReasonCategory
REASON_CATEGORY_COMMUNITY_SENTENCE: ReasonCategory
REASON_CATEGORY_OTHER: ReasonCategory
DIRECTION_UNSPECIFIED: Direction
DIRECTION_OUTGOING: Direction
DIRECTION_INCOMING: Direction

class SharedContact(_message.Message):
    __slots__ = ("given_name", "phone", "preferred_language")
    GIVEN_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    given_name: str
    phone: str
    preferred_language: str
    def __init__(self, given_name: _Optional[str] = ..., phone: _Optional[str] = ..., preferred_language: _Optional[str] = ...) -> None: ...

class Referral(_message.Message):
    __slots__ = ("name", "direction", "person", "partner_kind", "partner_name", "target_organization", "source_organization", "reason_category", "state", "consent_given", "shared_contact", "outcome", "declined_by", "delivery_state", "remote_name", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    PARTNER_KIND_FIELD_NUMBER: _ClassVar[int]
    PARTNER_NAME_FIELD_NUMBER: _ClassVar[int]
    TARGET_ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    REASON_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CONSENT_GIVEN_FIELD_NUMBER: _ClassVar[int]
    SHARED_CONTACT_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DECLINED_BY_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_STATE_FIELD_NUMBER: _ClassVar[int]
    REMOTE_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    direction: Direction
    person: str
    partner_kind: PartnerKind
    partner_name: str
    target_organization: str
    source_organization: str
    reason_category: ReasonCategory
    state: ReferralState
    consent_given: bool
    shared_contact: SharedContact
    outcome: str
    declined_by: str
    delivery_state: str
    remote_name: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., direction: _Optional[_Union[Direction, str]] = ..., person: _Optional[str] = ..., partner_kind: _Optional[_Union[PartnerKind, str]] = ..., partner_name: _Optional[str] = ..., target_organization: _Optional[str] = ..., source_organization: _Optional[str] = ..., reason_category: _Optional[_Union[ReasonCategory, str]] = ..., state: _Optional[_Union[ReferralState, str]] = ..., consent_given: _Optional[bool] = ..., shared_contact: _Optional[_Union[SharedContact, _Mapping]] = ..., outcome: _Optional[str] = ..., declined_by: _Optional[str] = ..., delivery_state: _Optional[str] = ..., remote_name: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateReferralRequest(_message.Message):
    __slots__ = ("parent", "referral", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    REFERRAL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    referral: Referral
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., referral: _Optional[_Union[Referral, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetReferralRequest(_message.Message):
    __slots__ = ("name", "purpose")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    name: str
    purpose: str
    def __init__(self, name: _Optional[str] = ..., purpose: _Optional[str] = ...) -> None: ...

class ListReferralsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "state", "purpose", "direction")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    state: ReferralState
    purpose: str
    direction: Direction
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[ReferralState, str]] = ..., purpose: _Optional[str] = ..., direction: _Optional[_Union[Direction, str]] = ...) -> None: ...

class ListReferralsResponse(_message.Message):
    __slots__ = ("referrals", "next_page_token")
    REFERRALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    referrals: _containers.RepeatedCompositeFieldContainer[Referral]
    next_page_token: str
    def __init__(self, referrals: _Optional[_Iterable[_Union[Referral, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class AcceptReferralRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RejectReferralRequest(_message.Message):
    __slots__ = ("name", "declined_by", "outcome", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DECLINED_BY_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    declined_by: str
    outcome: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., declined_by: _Optional[str] = ..., outcome: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CompleteReferralRequest(_message.Message):
    __slots__ = ("name", "outcome", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    outcome: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., outcome: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReceiveReferralRequest(_message.Message):
    __slots__ = ("parent", "source_referral", "partner_kind", "reason_category", "shared_contact", "consent_given")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_REFERRAL_FIELD_NUMBER: _ClassVar[int]
    PARTNER_KIND_FIELD_NUMBER: _ClassVar[int]
    REASON_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    SHARED_CONTACT_FIELD_NUMBER: _ClassVar[int]
    CONSENT_GIVEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    source_referral: str
    partner_kind: PartnerKind
    reason_category: ReasonCategory
    shared_contact: SharedContact
    consent_given: bool
    def __init__(self, parent: _Optional[str] = ..., source_referral: _Optional[str] = ..., partner_kind: _Optional[_Union[PartnerKind, str]] = ..., reason_category: _Optional[_Union[ReasonCategory, str]] = ..., shared_contact: _Optional[_Union[SharedContact, _Mapping]] = ..., consent_given: _Optional[bool] = ...) -> None: ...

class ReceiveReferralUpdateRequest(_message.Message):
    __slots__ = ("name", "state", "outcome", "declined_by")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DECLINED_BY_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: ReferralState
    outcome: str
    declined_by: str
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[ReferralState, str]] = ..., outcome: _Optional[str] = ..., declined_by: _Optional[str] = ...) -> None: ...

class ListAuditEntriesRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "resource", "actor")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    resource: str
    actor: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., resource: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class ListAuditEntriesResponse(_message.Message):
    __slots__ = ("audit_entries", "next_page_token")
    AUDIT_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    audit_entries: _containers.RepeatedCompositeFieldContainer[_audit_pb2.AuditEntry]
    next_page_token: str
    def __init__(self, audit_entries: _Optional[_Iterable[_Union[_audit_pb2.AuditEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
