import datetime

from brobygger.type.v1 import audit_pb2 as _audit_pb2
from brobygger.type.v1 import types_pb2 as _types_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATE_UNSPECIFIED: _ClassVar[PaymentState]
    PAYMENT_STATE_UNPAID: _ClassVar[PaymentState]
    PAYMENT_STATE_PAID: _ClassVar[PaymentState]
    PAYMENT_STATE_WAIVED: _ClassVar[PaymentState]
    PAYMENT_STATE_CANCELLED: _ClassVar[PaymentState]

class HouseholdRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOUSEHOLD_ROLE_UNSPECIFIED: _ClassVar[HouseholdRole]
    HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN: _ClassVar[HouseholdRole]
    HOUSEHOLD_ROLE_CHILD: _ClassVar[HouseholdRole]
    HOUSEHOLD_ROLE_PARTNER: _ClassVar[HouseholdRole]
    HOUSEHOLD_ROLE_OTHER: _ClassVar[HouseholdRole]

class RenewalOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RENEWAL_OUTCOME_UNSPECIFIED: _ClassVar[RenewalOutcome]
    RENEWAL_OUTCOME_RENEW: _ClassVar[RenewalOutcome]
    RENEWAL_OUTCOME_KEEP: _ClassVar[RenewalOutcome]
    RENEWAL_OUTCOME_LAPSE: _ClassVar[RenewalOutcome]

class RenewalReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RENEWAL_REASON_UNSPECIFIED: _ClassVar[RenewalReason]
    RENEWAL_REASON_PAID: _ClassVar[RenewalReason]
    RENEWAL_REASON_WAIVED: _ClassVar[RenewalReason]
    RENEWAL_REASON_ALREADY_RECORDED: _ClassVar[RenewalReason]
    RENEWAL_REASON_UNPAID: _ClassVar[RenewalReason]
    RENEWAL_REASON_CANCELLED: _ClassVar[RenewalReason]

class FeeSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FEE_SOURCE_UNSPECIFIED: _ClassVar[FeeSource]
    FEE_SOURCE_SCHEDULE: _ClassVar[FeeSource]
    FEE_SOURCE_LAST_YEAR: _ClassVar[FeeSource]
    FEE_SOURCE_RECORDED: _ClassVar[FeeSource]

class CountingReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COUNTING_REASON_UNSPECIFIED: _ClassVar[CountingReason]
    COUNTING_REASON_UNPAID: _ClassVar[CountingReason]
    COUNTING_REASON_WAIVED: _ClassVar[CountingReason]
    COUNTING_REASON_PAID: _ClassVar[CountingReason]
    COUNTING_REASON_FEE_BELOW_MINIMUM: _ClassVar[CountingReason]
    COUNTING_REASON_PAID_TOO_LATE: _ClassVar[CountingReason]
    COUNTING_REASON_PAID_DATE_UNKNOWN: _ClassVar[CountingReason]
    COUNTING_REASON_TOO_OLD: _ClassVar[CountingReason]
    COUNTING_REASON_TOO_YOUNG: _ClassVar[CountingReason]
    COUNTING_REASON_BIRTH_YEAR_UNKNOWN: _ClassVar[CountingReason]

class OnError(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ON_ERROR_UNSPECIFIED: _ClassVar[OnError]
    ON_ERROR_SKIP: _ClassVar[OnError]
    ON_ERROR_STOP: _ClassVar[OnError]

class GroupKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GROUP_KIND_UNSPECIFIED: _ClassVar[GroupKind]
    GROUP_KIND_CHAPTER: _ClassVar[GroupKind]
    GROUP_KIND_GROUP: _ClassVar[GroupKind]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_BOARD_MEMBER: _ClassVar[Role]
    ROLE_COORDINATOR: _ClassVar[Role]
    ROLE_VOLUNTEER: _ClassVar[Role]
    ROLE_GUIDE: _ClassVar[Role]
    ROLE_PAID_ASSISTANT: _ClassVar[Role]
PAYMENT_STATE_UNSPECIFIED: PaymentState
PAYMENT_STATE_UNPAID: PaymentState
PAYMENT_STATE_PAID: PaymentState
PAYMENT_STATE_WAIVED: PaymentState
PAYMENT_STATE_CANCELLED: PaymentState
HOUSEHOLD_ROLE_UNSPECIFIED: HouseholdRole
HOUSEHOLD_ROLE_PARENT_OR_GUARDIAN: HouseholdRole
HOUSEHOLD_ROLE_CHILD: HouseholdRole
HOUSEHOLD_ROLE_PARTNER: HouseholdRole
HOUSEHOLD_ROLE_OTHER: HouseholdRole
RENEWAL_OUTCOME_UNSPECIFIED: RenewalOutcome
RENEWAL_OUTCOME_RENEW: RenewalOutcome
RENEWAL_OUTCOME_KEEP: RenewalOutcome
RENEWAL_OUTCOME_LAPSE: RenewalOutcome
RENEWAL_REASON_UNSPECIFIED: RenewalReason
RENEWAL_REASON_PAID: RenewalReason
RENEWAL_REASON_WAIVED: RenewalReason
RENEWAL_REASON_ALREADY_RECORDED: RenewalReason
RENEWAL_REASON_UNPAID: RenewalReason
RENEWAL_REASON_CANCELLED: RenewalReason
FEE_SOURCE_UNSPECIFIED: FeeSource
FEE_SOURCE_SCHEDULE: FeeSource
FEE_SOURCE_LAST_YEAR: FeeSource
FEE_SOURCE_RECORDED: FeeSource
COUNTING_REASON_UNSPECIFIED: CountingReason
COUNTING_REASON_UNPAID: CountingReason
COUNTING_REASON_WAIVED: CountingReason
COUNTING_REASON_PAID: CountingReason
COUNTING_REASON_FEE_BELOW_MINIMUM: CountingReason
COUNTING_REASON_PAID_TOO_LATE: CountingReason
COUNTING_REASON_PAID_DATE_UNKNOWN: CountingReason
COUNTING_REASON_TOO_OLD: CountingReason
COUNTING_REASON_TOO_YOUNG: CountingReason
COUNTING_REASON_BIRTH_YEAR_UNKNOWN: CountingReason
ON_ERROR_UNSPECIFIED: OnError
ON_ERROR_SKIP: OnError
ON_ERROR_STOP: OnError
GROUP_KIND_UNSPECIFIED: GroupKind
GROUP_KIND_CHAPTER: GroupKind
GROUP_KIND_GROUP: GroupKind
ROLE_UNSPECIFIED: Role
ROLE_BOARD_MEMBER: Role
ROLE_COORDINATOR: Role
ROLE_VOLUNTEER: Role
ROLE_GUIDE: Role
ROLE_PAID_ASSISTANT: Role

class Person(_message.Message):
    __slots__ = ("name", "given_name", "family_name", "birth_year", "gender", "preferred_languages", "email", "phone", "postal_code", "municipality", "chapter", "household", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    GIVEN_NAME_FIELD_NUMBER: _ClassVar[int]
    FAMILY_NAME_FIELD_NUMBER: _ClassVar[int]
    BIRTH_YEAR_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    MUNICIPALITY_FIELD_NUMBER: _ClassVar[int]
    CHAPTER_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    given_name: str
    family_name: str
    birth_year: int
    gender: _types_pb2.Gender
    preferred_languages: _containers.RepeatedScalarFieldContainer[str]
    email: str
    phone: str
    postal_code: str
    municipality: str
    chapter: str
    household: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., given_name: _Optional[str] = ..., family_name: _Optional[str] = ..., birth_year: _Optional[int] = ..., gender: _Optional[_Union[_types_pb2.Gender, str]] = ..., preferred_languages: _Optional[_Iterable[str]] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., postal_code: _Optional[str] = ..., municipality: _Optional[str] = ..., chapter: _Optional[str] = ..., household: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RegisterPersonRequest(_message.Message):
    __slots__ = ("parent", "person", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    person: Person
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., person: _Optional[_Union[Person, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetPersonRequest(_message.Message):
    __slots__ = ("name", "purpose")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    name: str
    purpose: str
    def __init__(self, name: _Optional[str] = ..., purpose: _Optional[str] = ...) -> None: ...

class ListPersonsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "purpose", "query", "chapter", "group", "household", "membership_year", "paying", "role", "role_date")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    CHAPTER_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_FIELD_NUMBER: _ClassVar[int]
    MEMBERSHIP_YEAR_FIELD_NUMBER: _ClassVar[int]
    PAYING_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ROLE_DATE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    purpose: str
    query: str
    chapter: str
    group: str
    household: str
    membership_year: int
    paying: bool
    role: Role
    role_date: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., purpose: _Optional[str] = ..., query: _Optional[str] = ..., chapter: _Optional[str] = ..., group: _Optional[str] = ..., household: _Optional[str] = ..., membership_year: _Optional[int] = ..., paying: _Optional[bool] = ..., role: _Optional[_Union[Role, str]] = ..., role_date: _Optional[str] = ...) -> None: ...

class ListPersonsResponse(_message.Message):
    __slots__ = ("persons", "next_page_token")
    PERSONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    persons: _containers.RepeatedCompositeFieldContainer[Person]
    next_page_token: str
    def __init__(self, persons: _Optional[_Iterable[_Union[Person, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class BatchGetPersonsRequest(_message.Message):
    __slots__ = ("parent", "names", "purpose")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    names: _containers.RepeatedScalarFieldContainer[str]
    purpose: str
    def __init__(self, parent: _Optional[str] = ..., names: _Optional[_Iterable[str]] = ..., purpose: _Optional[str] = ...) -> None: ...

class BatchGetPersonsResponse(_message.Message):
    __slots__ = ("persons",)
    PERSONS_FIELD_NUMBER: _ClassVar[int]
    persons: _containers.RepeatedCompositeFieldContainer[Person]
    def __init__(self, persons: _Optional[_Iterable[_Union[Person, _Mapping]]] = ...) -> None: ...

class UpdatePersonRequest(_message.Message):
    __slots__ = ("person", "update_mask", "request_id")
    PERSON_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    person: Person
    update_mask: _field_mask_pb2.FieldMask
    request_id: str
    def __init__(self, person: _Optional[_Union[Person, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class MembershipYear(_message.Message):
    __slots__ = ("name", "year", "fee_nok", "payment_state", "paid_date", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    FEE_NOK_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_STATE_FIELD_NUMBER: _ClassVar[int]
    PAID_DATE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    year: int
    fee_nok: int
    payment_state: PaymentState
    paid_date: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., year: _Optional[int] = ..., fee_nok: _Optional[int] = ..., payment_state: _Optional[_Union[PaymentState, str]] = ..., paid_date: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordMembershipYearRequest(_message.Message):
    __slots__ = ("parent", "membership_year", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    MEMBERSHIP_YEAR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    membership_year: MembershipYear
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., membership_year: _Optional[_Union[MembershipYear, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListMembershipYearsRequest(_message.Message):
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

class ListMembershipYearsResponse(_message.Message):
    __slots__ = ("membership_years", "next_page_token")
    MEMBERSHIP_YEARS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    membership_years: _containers.RepeatedCompositeFieldContainer[MembershipYear]
    next_page_token: str
    def __init__(self, membership_years: _Optional[_Iterable[_Union[MembershipYear, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetPersonProfileRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class PersonProfile(_message.Message):
    __slots__ = ("name", "birth_year", "gender")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BIRTH_YEAR_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    name: str
    birth_year: int
    gender: _types_pb2.Gender
    def __init__(self, name: _Optional[str] = ..., birth_year: _Optional[int] = ..., gender: _Optional[_Union[_types_pb2.Gender, str]] = ...) -> None: ...

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

class Household(_message.Message):
    __slots__ = ("name", "display_name", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HouseholdMember(_message.Message):
    __slots__ = ("name", "person", "role", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    person: str
    role: HouseholdRole
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., person: _Optional[str] = ..., role: _Optional[_Union[HouseholdRole, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateHouseholdRequest(_message.Message):
    __slots__ = ("parent", "household", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    HOUSEHOLD_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    household: Household
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., household: _Optional[_Union[Household, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetHouseholdRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class AddHouseholdMemberRequest(_message.Message):
    __slots__ = ("household", "person", "role", "request_id")
    HOUSEHOLD_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    household: str
    person: str
    role: HouseholdRole
    request_id: str
    def __init__(self, household: _Optional[str] = ..., person: _Optional[str] = ..., role: _Optional[_Union[HouseholdRole, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveHouseholdMemberRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListHouseholdMembersRequest(_message.Message):
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

class ListHouseholdMembersResponse(_message.Message):
    __slots__ = ("household_members", "next_page_token")
    HOUSEHOLD_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    household_members: _containers.RepeatedCompositeFieldContainer[HouseholdMember]
    next_page_token: str
    def __init__(self, household_members: _Optional[_Iterable[_Union[HouseholdMember, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RenewalEntry(_message.Message):
    __slots__ = ("person", "display_name", "outcome", "reason", "from_payment_state", "from_fee_nok", "to_fee_nok", "fee_source", "to_payment_state")
    PERSON_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FROM_PAYMENT_STATE_FIELD_NUMBER: _ClassVar[int]
    FROM_FEE_NOK_FIELD_NUMBER: _ClassVar[int]
    TO_FEE_NOK_FIELD_NUMBER: _ClassVar[int]
    FEE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    TO_PAYMENT_STATE_FIELD_NUMBER: _ClassVar[int]
    person: str
    display_name: str
    outcome: RenewalOutcome
    reason: RenewalReason
    from_payment_state: PaymentState
    from_fee_nok: int
    to_fee_nok: int
    fee_source: FeeSource
    to_payment_state: PaymentState
    def __init__(self, person: _Optional[str] = ..., display_name: _Optional[str] = ..., outcome: _Optional[_Union[RenewalOutcome, str]] = ..., reason: _Optional[_Union[RenewalReason, str]] = ..., from_payment_state: _Optional[_Union[PaymentState, str]] = ..., from_fee_nok: _Optional[int] = ..., to_fee_nok: _Optional[int] = ..., fee_source: _Optional[_Union[FeeSource, str]] = ..., to_payment_state: _Optional[_Union[PaymentState, str]] = ...) -> None: ...

class Renewal(_message.Message):
    __slots__ = ("name", "from_year", "to_year", "applied", "entries", "renew_count", "keep_count", "lapse_count", "apply_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FROM_YEAR_FIELD_NUMBER: _ClassVar[int]
    TO_YEAR_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    RENEW_COUNT_FIELD_NUMBER: _ClassVar[int]
    KEEP_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAPSE_COUNT_FIELD_NUMBER: _ClassVar[int]
    APPLY_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    from_year: int
    to_year: int
    applied: bool
    entries: _containers.RepeatedCompositeFieldContainer[RenewalEntry]
    renew_count: int
    keep_count: int
    lapse_count: int
    apply_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., from_year: _Optional[int] = ..., to_year: _Optional[int] = ..., applied: _Optional[bool] = ..., entries: _Optional[_Iterable[_Union[RenewalEntry, _Mapping]]] = ..., renew_count: _Optional[int] = ..., keep_count: _Optional[int] = ..., lapse_count: _Optional[int] = ..., apply_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PreviewRenewalRequest(_message.Message):
    __slots__ = ("parent", "from_year", "purpose")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    FROM_YEAR_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    from_year: int
    purpose: str
    def __init__(self, parent: _Optional[str] = ..., from_year: _Optional[int] = ..., purpose: _Optional[str] = ...) -> None: ...

class ApplyRenewalRequest(_message.Message):
    __slots__ = ("parent", "from_year", "purpose", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    FROM_YEAR_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    from_year: int
    purpose: str
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., from_year: _Optional[int] = ..., purpose: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CountingRule(_message.Message):
    __slots__ = ("id", "funder", "title", "year_offset", "payment_states", "min_fee_nok", "min_age", "max_age", "paid_by", "threshold")
    ID_FIELD_NUMBER: _ClassVar[int]
    FUNDER_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    YEAR_OFFSET_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_STATES_FIELD_NUMBER: _ClassVar[int]
    MIN_FEE_NOK_FIELD_NUMBER: _ClassVar[int]
    MIN_AGE_FIELD_NUMBER: _ClassVar[int]
    MAX_AGE_FIELD_NUMBER: _ClassVar[int]
    PAID_BY_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    id: str
    funder: str
    title: str
    year_offset: int
    payment_states: _containers.RepeatedScalarFieldContainer[PaymentState]
    min_fee_nok: int
    min_age: int
    max_age: int
    paid_by: str
    threshold: int
    def __init__(self, id: _Optional[str] = ..., funder: _Optional[str] = ..., title: _Optional[str] = ..., year_offset: _Optional[int] = ..., payment_states: _Optional[_Iterable[_Union[PaymentState, str]]] = ..., min_fee_nok: _Optional[int] = ..., min_age: _Optional[int] = ..., max_age: _Optional[int] = ..., paid_by: _Optional[str] = ..., threshold: _Optional[int] = ...) -> None: ...

class CountedMember(_message.Message):
    __slots__ = ("person", "display_name", "counts", "reasons", "payment_state", "fee_nok", "paid_date", "age_in_year")
    PERSON_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_STATE_FIELD_NUMBER: _ClassVar[int]
    FEE_NOK_FIELD_NUMBER: _ClassVar[int]
    PAID_DATE_FIELD_NUMBER: _ClassVar[int]
    AGE_IN_YEAR_FIELD_NUMBER: _ClassVar[int]
    person: str
    display_name: str
    counts: bool
    reasons: _containers.RepeatedScalarFieldContainer[CountingReason]
    payment_state: PaymentState
    fee_nok: int
    paid_date: str
    age_in_year: int
    def __init__(self, person: _Optional[str] = ..., display_name: _Optional[str] = ..., counts: _Optional[bool] = ..., reasons: _Optional[_Iterable[_Union[CountingReason, str]]] = ..., payment_state: _Optional[_Union[PaymentState, str]] = ..., fee_nok: _Optional[int] = ..., paid_date: _Optional[str] = ..., age_in_year: _Optional[int] = ...) -> None: ...

class CountingReasonCount(_message.Message):
    __slots__ = ("reason", "count")
    REASON_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    reason: CountingReason
    count: int
    def __init__(self, reason: _Optional[_Union[CountingReason, str]] = ..., count: _Optional[int] = ...) -> None: ...

class CountedMembersExplanation(_message.Message):
    __slots__ = ("rule", "year", "basis_year", "counted_count", "not_counted_count", "meets_threshold", "not_counted_by_reason", "members")
    RULE_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    BASIS_YEAR_FIELD_NUMBER: _ClassVar[int]
    COUNTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    NOT_COUNTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    MEETS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    NOT_COUNTED_BY_REASON_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    rule: CountingRule
    year: int
    basis_year: int
    counted_count: int
    not_counted_count: int
    meets_threshold: bool
    not_counted_by_reason: _containers.RepeatedCompositeFieldContainer[CountingReasonCount]
    members: _containers.RepeatedCompositeFieldContainer[CountedMember]
    def __init__(self, rule: _Optional[_Union[CountingRule, _Mapping]] = ..., year: _Optional[int] = ..., basis_year: _Optional[int] = ..., counted_count: _Optional[int] = ..., not_counted_count: _Optional[int] = ..., meets_threshold: _Optional[bool] = ..., not_counted_by_reason: _Optional[_Iterable[_Union[CountingReasonCount, _Mapping]]] = ..., members: _Optional[_Iterable[_Union[CountedMember, _Mapping]]] = ...) -> None: ...

class ExplainCountedMembersRequest(_message.Message):
    __slots__ = ("parent", "year", "rule_id", "purpose")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    parent: str
    year: int
    rule_id: str
    purpose: str
    def __init__(self, parent: _Optional[str] = ..., year: _Optional[int] = ..., rule_id: _Optional[str] = ..., purpose: _Optional[str] = ...) -> None: ...

class ExplainCountedMembersResponse(_message.Message):
    __slots__ = ("explanations", "rules_source")
    EXPLANATIONS_FIELD_NUMBER: _ClassVar[int]
    RULES_SOURCE_FIELD_NUMBER: _ClassVar[int]
    explanations: _containers.RepeatedCompositeFieldContainer[CountedMembersExplanation]
    rules_source: str
    def __init__(self, explanations: _Optional[_Iterable[_Union[CountedMembersExplanation, _Mapping]]] = ..., rules_source: _Optional[str] = ...) -> None: ...

class PersonImport(_message.Message):
    __slots__ = ("name", "state", "file_format", "encoding", "delimiter", "columns", "unrecognized_columns", "total_rows", "processed_rows", "planned", "done", "on_error", "stopped_at_row", "create_time", "start_time", "end_time", "expire_time")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[PersonImport.State]
        STATE_CHECKED: _ClassVar[PersonImport.State]
        STATE_RUNNING: _ClassVar[PersonImport.State]
        STATE_SUCCEEDED: _ClassVar[PersonImport.State]
        STATE_STOPPED: _ClassVar[PersonImport.State]
        STATE_EXPIRED: _ClassVar[PersonImport.State]
    STATE_UNSPECIFIED: PersonImport.State
    STATE_CHECKED: PersonImport.State
    STATE_RUNNING: PersonImport.State
    STATE_SUCCEEDED: PersonImport.State
    STATE_STOPPED: PersonImport.State
    STATE_EXPIRED: PersonImport.State
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    FILE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    DELIMITER_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    UNRECOGNIZED_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_ROWS_FIELD_NUMBER: _ClassVar[int]
    PLANNED_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    ON_ERROR_FIELD_NUMBER: _ClassVar[int]
    STOPPED_AT_ROW_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: PersonImport.State
    file_format: str
    encoding: str
    delimiter: str
    columns: _containers.RepeatedCompositeFieldContainer[ImportColumn]
    unrecognized_columns: _containers.RepeatedScalarFieldContainer[str]
    total_rows: int
    processed_rows: int
    planned: ImportCounts
    done: ImportCounts
    on_error: OnError
    stopped_at_row: int
    create_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[PersonImport.State, str]] = ..., file_format: _Optional[str] = ..., encoding: _Optional[str] = ..., delimiter: _Optional[str] = ..., columns: _Optional[_Iterable[_Union[ImportColumn, _Mapping]]] = ..., unrecognized_columns: _Optional[_Iterable[str]] = ..., total_rows: _Optional[int] = ..., processed_rows: _Optional[int] = ..., planned: _Optional[_Union[ImportCounts, _Mapping]] = ..., done: _Optional[_Union[ImportCounts, _Mapping]] = ..., on_error: _Optional[_Union[OnError, str]] = ..., stopped_at_row: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ImportColumn(_message.Message):
    __slots__ = ("header", "field")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    header: str
    field: str
    def __init__(self, header: _Optional[str] = ..., field: _Optional[str] = ...) -> None: ...

class ImportCounts(_message.Message):
    __slots__ = ("new_rows", "update_rows", "unchanged_rows", "duplicate_rows", "invalid_rows", "skipped_rows", "not_imported_rows")
    NEW_ROWS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_ROWS_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_ROWS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_ROWS_FIELD_NUMBER: _ClassVar[int]
    INVALID_ROWS_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_ROWS_FIELD_NUMBER: _ClassVar[int]
    NOT_IMPORTED_ROWS_FIELD_NUMBER: _ClassVar[int]
    new_rows: int
    update_rows: int
    unchanged_rows: int
    duplicate_rows: int
    invalid_rows: int
    skipped_rows: int
    not_imported_rows: int
    def __init__(self, new_rows: _Optional[int] = ..., update_rows: _Optional[int] = ..., unchanged_rows: _Optional[int] = ..., duplicate_rows: _Optional[int] = ..., invalid_rows: _Optional[int] = ..., skipped_rows: _Optional[int] = ..., not_imported_rows: _Optional[int] = ...) -> None: ...

class PersonImportRow(_message.Message):
    __slots__ = ("name", "row_number", "plan", "result", "problems", "person", "same_as_row")
    class Plan(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        PLAN_UNSPECIFIED: _ClassVar[PersonImportRow.Plan]
        PLAN_NEW: _ClassVar[PersonImportRow.Plan]
        PLAN_UPDATE: _ClassVar[PersonImportRow.Plan]
        PLAN_UNCHANGED: _ClassVar[PersonImportRow.Plan]
        PLAN_DUPLICATE_SUSPECTED: _ClassVar[PersonImportRow.Plan]
        PLAN_INVALID: _ClassVar[PersonImportRow.Plan]
    PLAN_UNSPECIFIED: PersonImportRow.Plan
    PLAN_NEW: PersonImportRow.Plan
    PLAN_UPDATE: PersonImportRow.Plan
    PLAN_UNCHANGED: PersonImportRow.Plan
    PLAN_DUPLICATE_SUSPECTED: PersonImportRow.Plan
    PLAN_INVALID: PersonImportRow.Plan
    class Result(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        RESULT_UNSPECIFIED: _ClassVar[PersonImportRow.Result]
        RESULT_CREATED: _ClassVar[PersonImportRow.Result]
        RESULT_UPDATED: _ClassVar[PersonImportRow.Result]
        RESULT_UNCHANGED: _ClassVar[PersonImportRow.Result]
        RESULT_SKIPPED: _ClassVar[PersonImportRow.Result]
        RESULT_NOT_IMPORTED: _ClassVar[PersonImportRow.Result]
    RESULT_UNSPECIFIED: PersonImportRow.Result
    RESULT_CREATED: PersonImportRow.Result
    RESULT_UPDATED: PersonImportRow.Result
    RESULT_UNCHANGED: PersonImportRow.Result
    RESULT_SKIPPED: PersonImportRow.Result
    RESULT_NOT_IMPORTED: PersonImportRow.Result
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROW_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    SAME_AS_ROW_FIELD_NUMBER: _ClassVar[int]
    name: str
    row_number: int
    plan: PersonImportRow.Plan
    result: PersonImportRow.Result
    problems: _containers.RepeatedCompositeFieldContainer[ImportProblem]
    person: str
    same_as_row: int
    def __init__(self, name: _Optional[str] = ..., row_number: _Optional[int] = ..., plan: _Optional[_Union[PersonImportRow.Plan, str]] = ..., result: _Optional[_Union[PersonImportRow.Result, str]] = ..., problems: _Optional[_Iterable[_Union[ImportProblem, _Mapping]]] = ..., person: _Optional[str] = ..., same_as_row: _Optional[int] = ...) -> None: ...

class ImportProblem(_message.Message):
    __slots__ = ("column", "code", "message", "other_row")
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    OTHER_ROW_FIELD_NUMBER: _ClassVar[int]
    column: str
    code: str
    message: str
    other_row: int
    def __init__(self, column: _Optional[str] = ..., code: _Optional[str] = ..., message: _Optional[str] = ..., other_row: _Optional[int] = ...) -> None: ...

class CreatePersonImportRequest(_message.Message):
    __slots__ = ("parent", "content", "filename", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    content: bytes
    filename: str
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., content: _Optional[bytes] = ..., filename: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetPersonImportRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class StartPersonImportRequest(_message.Message):
    __slots__ = ("name", "on_error", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ON_ERROR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    on_error: OnError
    request_id: str
    def __init__(self, name: _Optional[str] = ..., on_error: _Optional[_Union[OnError, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListPersonImportRowsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "problems_only")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_ONLY_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    problems_only: bool
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., problems_only: _Optional[bool] = ...) -> None: ...

class ListPersonImportRowsResponse(_message.Message):
    __slots__ = ("rows", "next_page_token")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[PersonImportRow]
    next_page_token: str
    def __init__(self, rows: _Optional[_Iterable[_Union[PersonImportRow, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListPersonImportsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPersonImportsResponse(_message.Message):
    __slots__ = ("person_imports", "next_page_token")
    PERSON_IMPORTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    person_imports: _containers.RepeatedCompositeFieldContainer[PersonImport]
    next_page_token: str
    def __init__(self, person_imports: _Optional[_Iterable[_Union[PersonImport, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Group(_message.Message):
    __slots__ = ("name", "kind", "display_name", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: GroupKind
    display_name: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[_Union[GroupKind, str]] = ..., display_name: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateGroupRequest(_message.Message):
    __slots__ = ("parent", "group", "group_id", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    group: Group
    group_id: str
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., group: _Optional[_Union[Group, _Mapping]] = ..., group_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetGroupRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListGroupsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "kind")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    kind: GroupKind
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., kind: _Optional[_Union[GroupKind, str]] = ...) -> None: ...

class ListGroupsResponse(_message.Message):
    __slots__ = ("groups", "next_page_token")
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[Group]
    next_page_token: str
    def __init__(self, groups: _Optional[_Iterable[_Union[Group, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateGroupRequest(_message.Message):
    __slots__ = ("group", "update_mask", "request_id")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    group: Group
    update_mask: _field_mask_pb2.FieldMask
    request_id: str
    def __init__(self, group: _Optional[_Union[Group, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GroupMember(_message.Message):
    __slots__ = ("name", "person", "group", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    person: str
    group: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., person: _Optional[str] = ..., group: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AddGroupMemberRequest(_message.Message):
    __slots__ = ("group", "person", "request_id")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    group: str
    person: str
    request_id: str
    def __init__(self, group: _Optional[str] = ..., person: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveGroupMemberRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListGroupMembersRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "purpose", "person")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    purpose: str
    person: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., purpose: _Optional[str] = ..., person: _Optional[str] = ...) -> None: ...

class ListGroupMembersResponse(_message.Message):
    __slots__ = ("group_members", "next_page_token")
    GROUP_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    group_members: _containers.RepeatedCompositeFieldContainer[GroupMember]
    next_page_token: str
    def __init__(self, group_members: _Optional[_Iterable[_Union[GroupMember, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RoleAssignment(_message.Message):
    __slots__ = ("name", "role", "start_date", "end_date", "group", "person", "create_time", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    role: Role
    start_date: str
    end_date: str
    group: str
    person: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., start_date: _Optional[str] = ..., end_date: _Optional[str] = ..., group: _Optional[str] = ..., person: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AssignRoleRequest(_message.Message):
    __slots__ = ("parent", "role_assignment", "request_id")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    ROLE_ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    parent: str
    role_assignment: RoleAssignment
    request_id: str
    def __init__(self, parent: _Optional[str] = ..., role_assignment: _Optional[_Union[RoleAssignment, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class EndRoleRequest(_message.Message):
    __slots__ = ("name", "end_date", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    end_date: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., end_date: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListRoleAssignmentsRequest(_message.Message):
    __slots__ = ("parent", "page_size", "page_token", "purpose", "role", "active_on")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_ON_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    purpose: str
    role: Role
    active_on: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., purpose: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., active_on: _Optional[str] = ...) -> None: ...

class ListRoleAssignmentsResponse(_message.Message):
    __slots__ = ("role_assignments", "next_page_token")
    ROLE_ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    role_assignments: _containers.RepeatedCompositeFieldContainer[RoleAssignment]
    next_page_token: str
    def __init__(self, role_assignments: _Optional[_Iterable[_Union[RoleAssignment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
