from brobygger.referral.v1 import referral_pb2 as _referral_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReferralStateChanged(_message.Message):
    __slots__ = ("referral_id", "direction", "partner_kind", "reason_category", "state", "created_date", "changed_date", "target_organization")
    REFERRAL_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    PARTNER_KIND_FIELD_NUMBER: _ClassVar[int]
    REASON_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_DATE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_DATE_FIELD_NUMBER: _ClassVar[int]
    TARGET_ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    referral_id: str
    direction: _referral_pb2.Direction
    partner_kind: _referral_pb2.PartnerKind
    reason_category: _referral_pb2.ReasonCategory
    state: _referral_pb2.ReferralState
    created_date: str
    changed_date: str
    target_organization: str
    def __init__(self, referral_id: _Optional[str] = ..., direction: _Optional[_Union[_referral_pb2.Direction, str]] = ..., partner_kind: _Optional[_Union[_referral_pb2.PartnerKind, str]] = ..., reason_category: _Optional[_Union[_referral_pb2.ReasonCategory, str]] = ..., state: _Optional[_Union[_referral_pb2.ReferralState, str]] = ..., created_date: _Optional[str] = ..., changed_date: _Optional[str] = ..., target_organization: _Optional[str] = ...) -> None: ...
