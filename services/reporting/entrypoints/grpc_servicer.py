"""proto -> command -> handler -> proto for a node's ReportingService. No SQL, Kafka or JWT code here."""
from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from services.common.db import utcnow
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION
from services.reporting.domain.disclosure import Figure, PublishedStatistics
from services.reporting.domain.model import parse_period
from services.reporting.service_layer.handlers import Reporting

# The node's coordinators (and analysts of its own organisation), its own services, and the federation hub.
POLICY = {
    "GetStatistics": Access(roles=frozenset({"coordinator", "analyst", "node-service"}), hub=True),
}


def cell(figure: Figure) -> reporting_pb2.Cell:
    if figure.suppressed:
        return reporting_pb2.Cell(suppressed=int(figure.suppression))
    return reporting_pb2.Cell(value=figure.value)


def statistics_proto(organization: str, period: types_pb2.DateRange,
                     s: PublishedStatistics) -> reporting_pb2.Statistics:
    now = Timestamp()
    now.FromDatetime(utcnow())
    return reporting_pb2.Statistics(
        organization=organization,
        period=period,
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
        generate_time=now,
    )


class ReportingServicer(reporting_pb2_grpc.ReportingServiceServicer):
    def __init__(self, service: Reporting) -> None:
        self.s = service
        self.org = service.org

    def GetStatistics(self, request, context):
        ORGANIZATION.parse(request.organization, "organization", org=self.org)
        period = parse_period(request.period.start_date, request.period.end_date,
                              given=request.HasField("period"))
        published = self.s.statistics(period, current_principal(), request.organization)
        normalised = types_pb2.DateRange(start_date=period.start.isoformat(), end_date=period.end.isoformat())
        return statistics_proto(request.organization, normalised, published)
