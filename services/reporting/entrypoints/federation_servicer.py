"""proto -> command -> use case -> proto for the hub's FederationService."""
from __future__ import annotations

from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from services.common.grpcserver import current_principal
from services.common.timestamps import now_timestamp
from services.reporting.entrypoints.grpc_servicer import date_range
from services.reporting.service_layer import commands
from services.reporting.service_layer.federation import Federation, NodeAnswer, NodeBudget


def node_result(a: NodeAnswer) -> reporting_pb2.NodeResult:
    if a.statistics is not None:
        return reporting_pb2.NodeResult(organization=a.org, statistics=a.statistics, latency_ms=a.latency_ms)
    return reporting_pb2.NodeResult(organization=a.org, error=a.error, latency_ms=a.latency_ms,
                                    error_message=a.message)


def node_budget(a: NodeBudget) -> reporting_pb2.NodePrivacyBudget:
    if a.budget is not None:
        return reporting_pb2.NodePrivacyBudget(organization=a.org, budget=a.budget, latency_ms=a.latency_ms)
    return reporting_pb2.NodePrivacyBudget(organization=a.org, error=a.error, latency_ms=a.latency_ms)


class FederationServicer(reporting_pb2_grpc.FederationServiceServicer):
    """Nodes are named by their organisation id (e.g. "mir") as in the federation directory; each node's
    Statistics.organization is the resource name it was asked for (organizations/mir)."""

    def __init__(self, federation: Federation) -> None:
        self.federation = federation

    def QueryStatistics(self, request, context):
        cmd = commands.QueryStatistics(request.period.start_date, request.period.end_date, request.HasField("period"),
                                       request.node_timeout_ms, current_principal())
        report = self.federation.query(cmd)
        return reporting_pb2.FederatedStatistics(
            period=date_range(report.period),
            nodes=[node_result(a) for a in report.answers],
            # Every node whose figures are missing from this answer; its NodeResult says why.
            missing_organizations=report.missing,
            generate_time=now_timestamp(),
        )

    def QueryPrivacyBudgets(self, request, context):
        report = self.federation.privacy_budgets(
            commands.QueryPrivacyBudgets(request.node_timeout_ms, current_principal()))
        return reporting_pb2.FederatedPrivacyBudgets(
            nodes=[node_budget(a) for a in report.answers], missing_organizations=report.missing,
            generate_time=now_timestamp())

    def ListNodes(self, request, context):
        return reporting_pb2.ListNodesResponse(nodes=[
            reporting_pb2.Node(organization=n.org, display_name=n.name) for n in self.federation.list_nodes()
        ])
