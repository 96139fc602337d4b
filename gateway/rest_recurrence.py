"""Node mode: the REST routes of recurring sessions (the events service's RecurrenceService), under /api/v1.

An activity's recurrence is a singleton, ``/activities/{a}/recurrence``: PUT sets it (and makes or regenerates
its sessions), GET reads it, ``:preview`` gives the dates without saving, and ``/occurrences`` lists the
sessions it made with their moved and cancelled marks. Coordinators only.
"""
from __future__ import annotations

from typing import Any

import grpc

from brobygger.events.v1 import recurrence_pb2, recurrence_pb2_grpc
from gateway.api import API_PREFIX, Api, Body, Call, Operation

RULE_ABOUT = ("rule is an RFC 5545 RRULE without DTSTART or UNTIL, e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=WE (every "
              "other Wednesday) or FREQ=MONTHLY;BYDAY=1FR (the first Friday of the month); start_date and "
              "start_time (HH:MM) are required, end_date unless the rule has a COUNT; exception_dates are dates "
              "(2027-02-24) or periods (2027-02-22/2027-02-26). At most 200 sessions.")


def register_recurrence(api: Api, channel: grpc.Channel, parent: str, timeout: float, *, page: tuple,
                        page_of: Any) -> None:
    rec = recurrence_pb2_grpc.RecurrenceServiceStub(channel)

    def activity(c: Call) -> str:
        return f"{parent}/activities/{c.path['activity_id']}"

    @api.route(Operation(
        "PUT", f"{API_PREFIX}/activities/<id:activity_id>/recurrence", "setRecurrence",
        "Set an activity's recurrence and make its sessions", "events", "events", recurrence_pb2.Recurrence,
        body=Body(recurrence_pb2.Recurrence, "recurrence"), idempotent=True,
        description=RULE_ABOUT + " The first time, a session is made for every date. A change makes only the "
                                 "future sessions that are still as the rule made them again; moved, corrected, "
                                 "cancelled, attended and past sessions are kept. Retrying with the same "
                                 "Idempotency-Key is a no-op. Coordinators only.",
    ))
    def set_recurrence(c: Call):
        body = recurrence_pb2.Recurrence()
        body.CopyFrom(c.body)
        body.name = f"{activity(c)}/recurrence"
        return rec.SetRecurrence(recurrence_pb2.SetRecurrenceRequest(recurrence=body, request_id=c.request_id),
                                 timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities/<id:activity_id>/recurrence", "getRecurrence",
        "Read an activity's recurrence", "events", "events", recurrence_pb2.Recurrence,
        description="404 when the activity has no recurrence. Coordinators only.",
    ))
    def get_recurrence(c: Call):
        return rec.GetRecurrence(recurrence_pb2.GetRecurrenceRequest(name=f"{activity(c)}/recurrence"),
                                 timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/activities/<id:activity_id>/recurrence:preview", "previewRecurrence",
        "The dates a recurrence gives, without saving it", "events", "events",
        recurrence_pb2.PreviewRecurrenceResponse, body=Body(recurrence_pb2.Recurrence, "recurrence"),
        description=RULE_ABOUT + " Also which dates would get a new session, which sessions would be cancelled "
                                 "and which are kept as they are. Nothing is saved. Coordinators only.",
    ))
    def preview_recurrence(c: Call):
        return rec.PreviewRecurrence(recurrence_pb2.PreviewRecurrenceRequest(parent=activity(c), recurrence=c.body),
                                     timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities/<id:activity_id>/recurrence/occurrences", "listOccurrences",
        "The sessions an activity's recurrence made, with moved and cancelled marks", "events", "events",
        recurrence_pb2.ListOccurrencesResponse, query=page,
        description="In the order of the rule's dates: each session as it is now, the date and time the rule "
                    "gave it, and whether it was moved, corrected or dropped by a change of the rule. "
                    "Coordinators only.",
    ))
    def list_occurrences(c: Call):
        return rec.ListOccurrences(recurrence_pb2.ListOccurrencesRequest(parent=f"{activity(c)}/recurrence",
                                                                         **page_of(c)), timeout=timeout)
