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
    __slots__ = ("parent", "page_size", "page_token", "purpose", "query", "chapter")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    CHAPTER_FIELD_NUMBER: _ClassVar[int]
    parent: str
    page_size: int
    page_token: str
    purpose: str
    query: str
    chapter: str
    def __init__(self, parent: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., purpose: _Optional[str] = ..., query: _Optional[str] = ..., chapter: _Optional[str] = ...) -> None: ...

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
