"""proto -> command -> handler -> proto for the hub's FederationService."""
from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.db import utcnow
from services.reporting.domain.model import parse_period
from services.reporting.service_layer.federation import Federation, node_timeout_ms


class FederationServicer(reporting_pb2_grpc.FederationServiceServicer):
    """Nodes are named by their organisation id (e.g. "mir") as in the federation directory; each node's
    Statistics.organization is the resource name it was asked for (organizations/mir)."""

    def __init__(self, federation: Federation) -> None:
        self.f = federation

    def QueryStatistics(self, request, context):
        period = parse_period(request.period.start_date, request.period.end_date, given=request.HasField("period"))
        timeout_ms = node_timeout_ms(request.node_timeout_ms)
        answers = self.f.query(period, timeout_ms)
        nodes = []
        for a in answers:
            if a.statistics is not None:
                nodes.append(reporting_pb2.NodeResult(organization=a.org, statistics=a.statistics,
                                                      latency_ms=a.latency_ms))
            else:
                nodes.append(reporting_pb2.NodeResult(organization=a.org, error=a.error,
                                                      latency_ms=a.latency_ms))
        now = Timestamp()
        now.FromDatetime(utcnow())
        return reporting_pb2.FederatedStatistics(
            period=types_pb2.DateRange(start_date=period.start.isoformat(), end_date=period.end.isoformat()),
            nodes=nodes,
            # Every node whose figures are missing from this answer; its NodeResult says why.
            missing_organizations=[a.org for a in answers if a.statistics is None],
            generate_time=now,
        )

    def ListNodes(self, request, context):
        return reporting_pb2.ListNodesResponse(nodes=[
            reporting_pb2.Node(organization=n.org, display_name=n.name)
            for n in self.f.nodes
        ])
