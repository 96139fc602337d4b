from brobygger.membership.v1 import membership_pb2 as _membership_pb2
from brobygger.type.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PersonRegistered(_message.Message):
    __slots__ = ("person_id", "birth_year", "gender", "registered_date")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    BIRTH_YEAR_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_DATE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    birth_year: int
    gender: _types_pb2.Gender
    registered_date: str
    def __init__(self, person_id: _Optional[str] = ..., birth_year: _Optional[int] = ..., gender: _Optional[_Union[_types_pb2.Gender, str]] = ..., registered_date: _Optional[str] = ...) -> None: ...

class PersonUpdated(_message.Message):
    __slots__ = ("person_id", "changed_fields", "birth_year", "gender", "updated_date")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    BIRTH_YEAR_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    UPDATED_DATE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    birth_year: int
    gender: _types_pb2.Gender
    updated_date: str
    def __init__(self, person_id: _Optional[str] = ..., changed_fields: _Optional[_Iterable[str]] = ..., birth_year: _Optional[int] = ..., gender: _Optional[_Union[_types_pb2.Gender, str]] = ..., updated_date: _Optional[str] = ...) -> None: ...

class MembershipYearRecorded(_message.Message):
    __slots__ = ("person_id", "year", "payment_state", "fee_nok", "birth_year", "paid_date", "renewed")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_STATE_FIELD_NUMBER: _ClassVar[int]
    FEE_NOK_FIELD_NUMBER: _ClassVar[int]
    BIRTH_YEAR_FIELD_NUMBER: _ClassVar[int]
    PAID_DATE_FIELD_NUMBER: _ClassVar[int]
    RENEWED_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    year: int
    payment_state: _membership_pb2.PaymentState
    fee_nok: int
    birth_year: int
    paid_date: str
    renewed: bool
    def __init__(self, person_id: _Optional[str] = ..., year: _Optional[int] = ..., payment_state: _Optional[_Union[_membership_pb2.PaymentState, str]] = ..., fee_nok: _Optional[int] = ..., birth_year: _Optional[int] = ..., paid_date: _Optional[str] = ..., renewed: _Optional[bool] = ...) -> None: ...

class HouseholdMembershipChanged(_message.Message):
    __slots__ = ("household_id", "person_id", "role", "change", "changed_date")
    class Change(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CHANGE_UNSPECIFIED: _ClassVar[HouseholdMembershipChanged.Change]
        CHANGE_ADDED: _ClassVar[HouseholdMembershipChanged.Change]
        CHANGE_REMOVED: _ClassVar[HouseholdMembershipChanged.Change]
    CHANGE_UNSPECIFIED: HouseholdMembershipChanged.Change
    CHANGE_ADDED: HouseholdMembershipChanged.Change
    CHANGE_REMOVED: HouseholdMembershipChanged.Change
    HOUSEHOLD_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_DATE_FIELD_NUMBER: _ClassVar[int]
    household_id: str
    person_id: str
    role: _membership_pb2.HouseholdRole
    change: HouseholdMembershipChanged.Change
    changed_date: str
    def __init__(self, household_id: _Optional[str] = ..., person_id: _Optional[str] = ..., role: _Optional[_Union[_membership_pb2.HouseholdRole, str]] = ..., change: _Optional[_Union[HouseholdMembershipChanged.Change, str]] = ..., changed_date: _Optional[str] = ...) -> None: ...

class GroupMembershipChanged(_message.Message):
    __slots__ = ("group_id", "person_id", "kind", "change", "changed_date")
    class Change(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CHANGE_UNSPECIFIED: _ClassVar[GroupMembershipChanged.Change]
        CHANGE_ADDED: _ClassVar[GroupMembershipChanged.Change]
        CHANGE_REMOVED: _ClassVar[GroupMembershipChanged.Change]
    CHANGE_UNSPECIFIED: GroupMembershipChanged.Change
    CHANGE_ADDED: GroupMembershipChanged.Change
    CHANGE_REMOVED: GroupMembershipChanged.Change
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_DATE_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    person_id: str
    kind: _membership_pb2.GroupKind
    change: GroupMembershipChanged.Change
    changed_date: str
    def __init__(self, group_id: _Optional[str] = ..., person_id: _Optional[str] = ..., kind: _Optional[_Union[_membership_pb2.GroupKind, str]] = ..., change: _Optional[_Union[GroupMembershipChanged.Change, str]] = ..., changed_date: _Optional[str] = ...) -> None: ...

class RoleAssignmentChanged(_message.Message):
    __slots__ = ("assignment_id", "person_id", "role", "group_id", "start_date", "end_date")
    ASSIGNMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    assignment_id: str
    person_id: str
    role: _membership_pb2.Role
    group_id: str
    start_date: str
    end_date: str
    def __init__(self, assignment_id: _Optional[str] = ..., person_id: _Optional[str] = ..., role: _Optional[_Union[_membership_pb2.Role, str]] = ..., group_id: _Optional[str] = ..., start_date: _Optional[str] = ..., end_date: _Optional[str] = ...) -> None: ...
