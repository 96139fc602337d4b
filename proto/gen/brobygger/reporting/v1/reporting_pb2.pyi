import datetime

from brobygger.type.v1 import audit_pb2 as _audit_pb2
from brobygger.type.v1 import types_pb2 as _types_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Suppression(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUPPRESSION_UNSPECIFIED: _ClassVar[Suppression]
    SUPPRESSION_PRIMARY: _ClassVar[Suppression]
    SUPPRESSION_SECONDARY: _ClassVar[Suppression]
SUPPRESSION_UNSPECIFIED: Suppression
SUPPRESSION_PRIMARY: Suppression
SUPPRESSION_SECONDARY: Suppression

class Cell(_message.Message):
    __slots__ = ("value", "suppressed")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    SUPPRESSED_FIELD_NUMBER: _ClassVar[int]
    value: int
    suppressed: Suppression
    def __init__(self, value: _Optional[int] = ..., suppressed: _Optional[_Union[Suppression, str]] = ...) -> None: ...

class ParticipantCell(_message.Message):
    __slots__ = ("gender", "age_band", "unique", "visits")
    GENDER_FIELD_NUMBER: _ClassVar[int]
    AGE_BAND_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_FIELD_NUMBER: _ClassVar[int]
    VISITS_FIELD_NUMBER: _ClassVar[int]
    gender: _types_pb2.Gender
    age_band: _types_pb2.AgeBand
    unique: Cell
    visits: Cell
    def __init__(self, gender: _Optional[_Union[_types_pb2.Gender, str]] = ..., age_band: _Optional[_Union[_types_pb2.AgeBand, str]] = ..., unique: _Optional[_Union[Cell, _Mapping]] = ..., visits: _Optional[_Union[Cell, _Mapping]] = ...) -> None: ...

class ReferralCell(_message.Message):
    __slots__ = ("state", "count")
    STATE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    state: str
    count: Cell
    def __init__(self, state: _Optional[str] = ..., count: _Optional[_Union[Cell, _Mapping]] = ...) -> None: ...

class SubgoalCell(_message.Message):
    __slots__ = ("subgoal", "sessions")
    SUBGOAL_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    subgoal: _types_pb2.ImdiSubgoal
    sessions: Cell
    def __init__(self, subgoal: _Optional[_Union[_types_pb2.ImdiSubgoal, str]] = ..., sessions: _Optional[_Union[Cell, _Mapping]] = ...) -> None: ...

class SubgoalVolunteerCell(_message.Message):
    __slots__ = ("subgoal", "volunteers", "hours")
    SUBGOAL_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEERS_FIELD_NUMBER: _ClassVar[int]
    HOURS_FIELD_NUMBER: _ClassVar[int]
    subgoal: _types_pb2.ImdiSubgoal
    volunteers: Cell
    hours: Cell
    def __init__(self, subgoal: _Optional[_Union[_types_pb2.ImdiSubgoal, str]] = ..., volunteers: _Optional[_Union[Cell, _Mapping]] = ..., hours: _Optional[_Union[Cell, _Mapping]] = ...) -> None: ...

class RoleCell(_message.Message):
    __slots__ = ("role", "holders")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    HOLDERS_FIELD_NUMBER: _ClassVar[int]
    role: str
    holders: Cell
    def __init__(self, role: _Optional[str] = ..., holders: _Optional[_Union[Cell, _Mapping]] = ...) -> None: ...

class Statistics(_message.Message):
    __slots__ = ("organization", "period", "members", "paying_members", "activities", "sessions", "participants", "participants_unique_total", "visits_total", "referrals", "sessions_by_subgoal", "min_cell_size", "generate_time", "privacy", "volunteers", "volunteer_hours", "volunteers_by_subgoal", "counted_members", "role_holders")
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    PAYING_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    ACTIVITIES_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_UNIQUE_TOTAL_FIELD_NUMBER: _ClassVar[int]
    VISITS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    REFERRALS_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_BY_SUBGOAL_FIELD_NUMBER: _ClassVar[int]
    MIN_CELL_SIZE_FIELD_NUMBER: _ClassVar[int]
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PRIVACY_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEERS_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEER_HOURS_FIELD_NUMBER: _ClassVar[int]
    VOLUNTEERS_BY_SUBGOAL_FIELD_NUMBER: _ClassVar[int]
    COUNTED_MEMBERS_FIELD_NUMBER: _ClassVar[int]
    ROLE_HOLDERS_FIELD_NUMBER: _ClassVar[int]
    organization: str
    period: _types_pb2.DateRange
    members: Cell
    paying_members: Cell
    activities: Cell
    sessions: Cell
    participants: _containers.RepeatedCompositeFieldContainer[ParticipantCell]
    participants_unique_total: Cell
    visits_total: Cell
    referrals: _containers.RepeatedCompositeFieldContainer[ReferralCell]
    sessions_by_subgoal: _containers.RepeatedCompositeFieldContainer[SubgoalCell]
    min_cell_size: int
    generate_time: _timestamp_pb2.Timestamp
    privacy: StatisticsPrivacy
    volunteers: Cell
    volunteer_hours: Cell
    volunteers_by_subgoal: _containers.RepeatedCompositeFieldContainer[SubgoalVolunteerCell]
    counted_members: _containers.RepeatedCompositeFieldContainer[CountedMembersCell]
    role_holders: _containers.RepeatedCompositeFieldContainer[RoleCell]
    def __init__(self, organization: _Optional[str] = ..., period: _Optional[_Union[_types_pb2.DateRange, _Mapping]] = ..., members: _Optional[_Union[Cell, _Mapping]] = ..., paying_members: _Optional[_Union[Cell, _Mapping]] = ..., activities: _Optional[_Union[Cell, _Mapping]] = ..., sessions: _Optional[_Union[Cell, _Mapping]] = ..., participants: _Optional[_Iterable[_Union[ParticipantCell, _Mapping]]] = ..., participants_unique_total: _Optional[_Union[Cell, _Mapping]] = ..., visits_total: _Optional[_Union[Cell, _Mapping]] = ..., referrals: _Optional[_Iterable[_Union[ReferralCell, _Mapping]]] = ..., sessions_by_subgoal: _Optional[_Iterable[_Union[SubgoalCell, _Mapping]]] = ..., min_cell_size: _Optional[int] = ..., generate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., privacy: _Optional[_Union[StatisticsPrivacy, _Mapping]] = ..., volunteers: _Optional[_Union[Cell, _Mapping]] = ..., volunteer_hours: _Optional[_Union[Cell, _Mapping]] = ..., volunteers_by_subgoal: _Optional[_Iterable[_Union[SubgoalVolunteerCell, _Mapping]]] = ..., counted_members: _Optional[_Iterable[_Union[CountedMembersCell, _Mapping]]] = ..., role_holders: _Optional[_Iterable[_Union[RoleCell, _Mapping]]] = ...) -> None: ...

class CountedMembersCell(_message.Message):
    __slots__ = ("rule_id", "funder", "title", "basis_year", "threshold", "count")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    FUNDER_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    BASIS_YEAR_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    funder: str
    title: str
    basis_year: int
    threshold: int
    count: Cell
    def __init__(self, rule_id: _Optional[str] = ..., funder: _Optional[str] = ..., title: _Optional[str] = ..., basis_year: _Optional[int] = ..., threshold: _Optional[int] = ..., count: _Optional[_Union[Cell, _Mapping]] = ...) -> None: ...

class StatisticsPrivacy(_message.Message):
    __slots__ = ("epsilon", "noise_scale", "margin_95", "sensitivity", "visits_per_person", "repeated", "budget")
    EPSILON_FIELD_NUMBER: _ClassVar[int]
    NOISE_SCALE_FIELD_NUMBER: _ClassVar[int]
    MARGIN_95_FIELD_NUMBER: _ClassVar[int]
    SENSITIVITY_FIELD_NUMBER: _ClassVar[int]
    VISITS_PER_PERSON_FIELD_NUMBER: _ClassVar[int]
    REPEATED_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    epsilon: float
    noise_scale: float
    margin_95: int
    sensitivity: int
    visits_per_person: int
    repeated: bool
    budget: PrivacyBudget
    def __init__(self, epsilon: _Optional[float] = ..., noise_scale: _Optional[float] = ..., margin_95: _Optional[int] = ..., sensitivity: _Optional[int] = ..., visits_per_person: _Optional[int] = ..., repeated: _Optional[bool] = ..., budget: _Optional[_Union[PrivacyBudget, _Mapping]] = ...) -> None: ...

class GetPrivacyBudgetRequest(_message.Message):
    __slots__ = ("organization", "requested_by")
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    organization: str
    requested_by: RequestedBy
    def __init__(self, organization: _Optional[str] = ..., requested_by: _Optional[_Union[RequestedBy, _Mapping]] = ...) -> None: ...

class PrivacyBudget(_message.Message):
    __slots__ = ("organization", "enabled", "analyst", "epsilon_spent", "epsilon_limit", "epsilon_remaining", "epsilon_per_query")
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    ANALYST_FIELD_NUMBER: _ClassVar[int]
    EPSILON_SPENT_FIELD_NUMBER: _ClassVar[int]
    EPSILON_LIMIT_FIELD_NUMBER: _ClassVar[int]
    EPSILON_REMAINING_FIELD_NUMBER: _ClassVar[int]
    EPSILON_PER_QUERY_FIELD_NUMBER: _ClassVar[int]
    organization: str
    enabled: bool
    analyst: str
    epsilon_spent: float
    epsilon_limit: float
    epsilon_remaining: float
    epsilon_per_query: float
    def __init__(self, organization: _Optional[str] = ..., enabled: _Optional[bool] = ..., analyst: _Optional[str] = ..., epsilon_spent: _Optional[float] = ..., epsilon_limit: _Optional[float] = ..., epsilon_remaining: _Optional[float] = ..., epsilon_per_query: _Optional[float] = ...) -> None: ...

class GetStatisticsRequest(_message.Message):
    __slots__ = ("organization", "period", "requested_by", "project", "grant")
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    GRANT_FIELD_NUMBER: _ClassVar[int]
    organization: str
    period: _types_pb2.DateRange
    requested_by: RequestedBy
    project: str
    grant: str
    def __init__(self, organization: _Optional[str] = ..., period: _Optional[_Union[_types_pb2.DateRange, _Mapping]] = ..., requested_by: _Optional[_Union[RequestedBy, _Mapping]] = ..., project: _Optional[str] = ..., grant: _Optional[str] = ...) -> None: ...

class RequestedBy(_message.Message):
    __slots__ = ("username", "subject")
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    username: str
    subject: str
    def __init__(self, username: _Optional[str] = ..., subject: _Optional[str] = ...) -> None: ...

class QueryStatisticsRequest(_message.Message):
    __slots__ = ("period", "node_timeout_ms")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    NODE_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    period: _types_pb2.DateRange
    node_timeout_ms: int
    def __init__(self, period: _Optional[_Union[_types_pb2.DateRange, _Mapping]] = ..., node_timeout_ms: _Optional[int] = ...) -> None: ...

class NodeResult(_message.Message):
    __slots__ = ("organization", "statistics", "error", "latency_ms", "error_message")
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    STATISTICS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    organization: str
    statistics: Statistics
    error: str
    latency_ms: int
    error_message: str
    def __init__(self, organization: _Optional[str] = ..., statistics: _Optional[_Union[Statistics, _Mapping]] = ..., error: _Optional[str] = ..., latency_ms: _Optional[int] = ..., error_message: _Optional[str] = ...) -> None: ...

class FederatedStatistics(_message.Message):
    __slots__ = ("period", "nodes", "missing_organizations", "generate_time")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    MISSING_ORGANIZATIONS_FIELD_NUMBER: _ClassVar[int]
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    period: _types_pb2.DateRange
    nodes: _containers.RepeatedCompositeFieldContainer[NodeResult]
    missing_organizations: _containers.RepeatedScalarFieldContainer[str]
    generate_time: _timestamp_pb2.Timestamp
    def __init__(self, period: _Optional[_Union[_types_pb2.DateRange, _Mapping]] = ..., nodes: _Optional[_Iterable[_Union[NodeResult, _Mapping]]] = ..., missing_organizations: _Optional[_Iterable[str]] = ..., generate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class QueryPrivacyBudgetsRequest(_message.Message):
    __slots__ = ("node_timeout_ms",)
    NODE_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    node_timeout_ms: int
    def __init__(self, node_timeout_ms: _Optional[int] = ...) -> None: ...

class NodePrivacyBudget(_message.Message):
    __slots__ = ("organization", "budget", "error", "latency_ms")
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    organization: str
    budget: PrivacyBudget
    error: str
    latency_ms: int
    def __init__(self, organization: _Optional[str] = ..., budget: _Optional[_Union[PrivacyBudget, _Mapping]] = ..., error: _Optional[str] = ..., latency_ms: _Optional[int] = ...) -> None: ...

class FederatedPrivacyBudgets(_message.Message):
    __slots__ = ("nodes", "missing_organizations", "generate_time")
    NODES_FIELD_NUMBER: _ClassVar[int]
    MISSING_ORGANIZATIONS_FIELD_NUMBER: _ClassVar[int]
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[NodePrivacyBudget]
    missing_organizations: _containers.RepeatedScalarFieldContainer[str]
    generate_time: _timestamp_pb2.Timestamp
    def __init__(self, nodes: _Optional[_Iterable[_Union[NodePrivacyBudget, _Mapping]]] = ..., missing_organizations: _Optional[_Iterable[str]] = ..., generate_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListNodesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Node(_message.Message):
    __slots__ = ("organization", "display_name")
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    organization: str
    display_name: str
    def __init__(self, organization: _Optional[str] = ..., display_name: _Optional[str] = ...) -> None: ...

class ListNodesResponse(_message.Message):
    __slots__ = ("nodes",)
    NODES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[Node]
    def __init__(self, nodes: _Optional[_Iterable[_Union[Node, _Mapping]]] = ...) -> None: ...

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
