"""proto -> command -> handler -> proto for a node's ReportingService. No SQL, Kafka or JWT code here."""
from __future__ import annotations

from typing import Callable

from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.audit_servicer import AUDIT_LOG_POLICY, AuditLogServicer
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION, NamePattern
from services.common.timestamps import now_timestamp
from services.reporting.domain.disclosure import Figure
from services.reporting.domain.model import Period, role_name
from services.reporting.domain.privacy import Budget, Policy, Privacy
from services.reporting.service_layer import commands, handlers
from services.reporting.service_layer.unit_of_work import ReportingUnitOfWork

# The node's coordinators (and analysts of its own organisation), its own services, and the federation hub;
# an analyst's privacy budget is read through the hub only (it asks on the analyst's behalf).
POLICY = {
    "GetStatistics": Access(roles=frozenset({"coordinator", "analyst", "node-service"}), hub=True),
    "GetPrivacyBudget": Access(roles=frozenset(), hub=True),
    **AUDIT_LOG_POLICY,
}


PROJECT = NamePattern("organizations/{org}/projects/{project}")
GRANT = NamePattern("organizations/{org}/grants/{grant}")


def _scope_id(pattern: NamePattern, value: str, field: str, org: str) -> str:
    """The id a project or grant filter names; empty without the filter."""
    value = value.strip()
    return pattern.parse(value, field, org=org)[field] if value else ""


def date_range(period: Period) -> types_pb2.DateRange:
    return types_pb2.DateRange(start_date=period.start.isoformat(), end_date=period.end.isoformat())


def cell(figure: Figure) -> reporting_pb2.Cell:
    if figure.suppressed:
        return reporting_pb2.Cell(suppressed=int(figure.suppression))
    return reporting_pb2.Cell(value=figure.value)


def budget_proto(organization: str, b: Budget) -> reporting_pb2.PrivacyBudget:
    return reporting_pb2.PrivacyBudget(organization=organization, enabled=b.enabled, analyst=b.analyst,
                                       epsilon_spent=b.spent, epsilon_limit=b.limit, epsilon_remaining=b.remaining,
                                       epsilon_per_query=b.per_query)


def privacy_proto(organization: str, p: Privacy | None) -> reporting_pb2.StatisticsPrivacy | None:
    if p is None:
        return None
    return reporting_pb2.StatisticsPrivacy(
        epsilon=p.epsilon, noise_scale=p.scale, margin_95=p.margin, sensitivity=p.sensitivity,
        visits_per_person=p.visits_per_person, repeated=p.repeated, budget=budget_proto(organization, p.budget))


def volunteer_fields(s) -> dict:
    """The volunteer figures, when the answer has them (not in a noisy one)."""
    if s.volunteers is None or s.volunteer_hours is None:
        return {}
    return dict(volunteers=cell(s.volunteers), volunteer_hours=cell(s.volunteer_hours),
                volunteers_by_subgoal=[reporting_pb2.SubgoalVolunteerCell(subgoal=g, volunteers=cell(v), hours=cell(h))
                                       for g, v, h in s.volunteers_by_subgoal])


def statistics_proto(organization: str, report: handlers.Report) -> reporting_pb2.Statistics:
    s = report.statistics
    return reporting_pb2.Statistics(
        organization=organization,
        period=date_range(report.period),
        members=cell(s.members),
        paying_members=cell(s.paying_members),
        activities=cell(s.activities),
        sessions=cell(s.sessions),
        participants=[reporting_pb2.ParticipantCell(gender=p.gender, age_band=p.age_band, unique=cell(p.unique),
                                                    visits=cell(p.visits)) for p in s.participants],
        participants_unique_total=cell(s.participants_unique_total),
        visits_total=cell(s.visits_total),
        referrals=[reporting_pb2.ReferralCell(state=state, count=cell(f)) for state, f in s.referrals],
        sessions_by_subgoal=[reporting_pb2.SubgoalCell(subgoal=goal, sessions=cell(f))
                             for goal, f in s.sessions_by_subgoal],
        min_cell_size=s.min_cell_size,
        generate_time=now_timestamp(),
        privacy=privacy_proto(organization, report.privacy),
        **volunteer_fields(s),
        counted_members=[reporting_pb2.CountedMembersCell(rule_id=rule.id, funder=rule.funder, title=rule.title,
                                                          basis_year=basis, threshold=rule.threshold, count=cell(f))
                         for rule, basis, f in s.counted_members],
        role_holders=[reporting_pb2.RoleCell(role=role_name(r), holders=cell(f)) for r, f in s.role_holders],
    )


class ReportingServicer(AuditLogServicer, reporting_pb2_grpc.ReportingServiceServicer):
    list_audit_entries_response = reporting_pb2.ListAuditEntriesResponse

    def __init__(self, uow: Callable[[], ReportingUnitOfWork], org: str, min_cell: int, disclosure_secret: str,
                 privacy: Policy | None = None, counting_rules: tuple = ()) -> None:
        self.uow = uow
        self.org = org
        self.min_cell = min_cell
        self.disclosure_secret = disclosure_secret
        self.privacy = privacy  # None: the node adds no noise
        self.counting_rules = tuple(counting_rules)  # counted members per funder (the node's rule file)

    def GetStatistics(self, request, context):
        ORGANIZATION.parse(request.organization, "organization", org=self.org)
        cmd = commands.GetStatistics(request.organization, request.period.start_date, request.period.end_date,
                                     request.HasField("period"), self.min_cell, current_principal(),
                                     disclosure_secret=self.disclosure_secret,
                                     requested_by=request.requested_by.username or request.requested_by.subject,
                                     requested_by_subject=request.requested_by.subject, privacy=self.privacy,
                                     counting_rules=self.counting_rules,
                                     project_id=_scope_id(PROJECT, request.project, "project", self.org),
                                     grant_id=_scope_id(GRANT, request.grant, "grant", self.org))
        return statistics_proto(request.organization, handlers.get_statistics(cmd, self.uow()))

    def GetPrivacyBudget(self, request, context):
        ORGANIZATION.parse(request.organization, "organization", org=self.org)
        cmd = commands.GetPrivacyBudget(request.organization, current_principal(),
                                        requested_by=request.requested_by.username or request.requested_by.subject,
                                        requested_by_subject=request.requested_by.subject, privacy=self.privacy)
        return budget_proto(request.organization, handlers.get_privacy_budget(cmd, self.uow()))
