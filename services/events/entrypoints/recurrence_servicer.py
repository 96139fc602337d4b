"""RecurrenceService: proto -> command -> handler -> proto. Coordinators only (the default access)."""
from __future__ import annotations

from typing import Callable

from brobygger.events.v1 import recurrence_pb2, recurrence_pb2_grpc
from services.common.grpcserver import current_principal
from services.common.names import NamePattern
from services.common.timestamps import timestamp
from services.events.domain.recurrence import Held, Recurrence
from services.events.entrypoints.grpc_servicer import ACTIVITY, EventsServicer, _times
from services.events.service_layer import recurrence as handlers
from services.events.service_layer.unit_of_work import EventsUnitOfWork

RECURRENCE = NamePattern("organizations/{org}/activities/{activity}/recurrence")


def recurrence_from_proto(r: recurrence_pb2.Recurrence, activity_id: str) -> Recurrence:
    return Recurrence(activity_id=activity_id, rule=r.rule, start_date=r.start_date, end_date=r.end_date,
                      start_time=r.start_time, duration_minutes=r.duration_minutes, location=r.location,
                      exception_dates=tuple(r.exception_dates))


class RecurrenceServicer(recurrence_pb2_grpc.RecurrenceServiceServicer):
    def __init__(self, uow: Callable[[], EventsUnitOfWork], org: str) -> None:
        self.uow = uow
        self.org = org
        self.sessions = EventsServicer(uow, org, membership=None)  # for its Session messages

    def _proto(self, v: handlers.RecurrenceView) -> recurrence_pb2.Recurrence:
        r = v.recurrence
        return recurrence_pb2.Recurrence(
            name=RECURRENCE.format(org=self.org, activity=r.activity_id), rule=r.rule, start_date=r.start_date,
            end_date=r.end_date, start_time=r.start_time, duration_minutes=r.duration_minutes, location=r.location,
            exception_dates=list(r.exception_dates), scheduled_count=v.scheduled_count, revision=r.revision,
            create_time=timestamp(r.create_time), **_times(update_time=r.update_time))

    def _occurrence(self, h: Held) -> recurrence_pb2.Occurrence:
        return recurrence_pb2.Occurrence(
            session=self.sessions._session_proto(h.session), rule_date=h.occurrence.slot.date,
            rule_start_time=h.occurrence.slot.start_time, moved=h.moved, edited=h.edited,
            dropped=h.occurrence.dropped)

    def PreviewRecurrence(self, request, context):
        ids = ACTIVITY.parse(request.parent, "parent", org=self.org)
        cmd = handlers.PreviewRecurrence(recurrence_from_proto(request.recurrence, ids["activity"]), request.parent)
        p = handlers.preview_recurrence(cmd, self.uow())
        return recurrence_pb2.PreviewRecurrenceResponse(
            dates=list(p.dates), new_dates=[s.date for s in p.plan.create],
            dropped_dates=[h.session.date for h in p.plan.drop],
            kept_dates=[h.session.date for h in p.plan.keep
                        if not h.occurrence.dropped and (h.edited or h.session.cancelled or h.attended)])

    def SetRecurrence(self, request, context):
        name = request.recurrence.name
        ids = RECURRENCE.parse(name, "recurrence.name", org=self.org)
        activity = ACTIVITY.format(org=self.org, activity=ids["activity"])
        cmd = handlers.SetRecurrence(recurrence_from_proto(request.recurrence, ids["activity"]), activity,
                                     current_principal(), request.request_id)
        return self._proto(handlers.set_recurrence(cmd, self.uow()))

    def GetRecurrence(self, request, context):
        ids = RECURRENCE.parse(request.name, "name", org=self.org)
        cmd = handlers.GetRecurrence(ids["activity"], ACTIVITY.format(org=self.org, activity=ids["activity"]))
        return self._proto(handlers.get_recurrence(cmd, self.uow()))

    def ListOccurrences(self, request, context):
        ids = RECURRENCE.parse(request.parent, "parent", org=self.org)
        cmd = handlers.ListOccurrences(ids["activity"], ACTIVITY.format(org=self.org, activity=ids["activity"]),
                                       request.page_size, request.page_token)
        found, token = handlers.list_occurrences(cmd, self.uow())
        return recurrence_pb2.ListOccurrencesResponse(occurrences=[self._occurrence(h) for h in found],
                                                      next_page_token=token)
