"""Node mode: the REST routes of volunteer hours (the events service's HoursEntry), under /api/v1.

An entry lives under its activity (``/activities/{a}/hoursEntries/{e}``); a session's and a person's hours
are listings of the same entries. Coordinators only: a login is not tied to a person of the register.
"""
from __future__ import annotations

from typing import Any

from brobygger.events.v1 import events_pb2
from gateway.api import API_PREFIX, Api, Body, Call, Operation, Param

HOURS_PURPOSE_TEXT = "volunteer hours report"


def register_volunteer_hours(api: Api, events: Any, parent: str, timeout: float, *, page: tuple, purpose: Any,
                             update_mask: Any, update_mask_of: Any, page_of: Any) -> None:
    hours_purpose = purpose("these volunteer hours", HOURS_PURPOSE_TEXT)
    entry_purpose = purpose("this hours entry", HOURS_PURPOSE_TEXT)
    withdrawn = Param("show_withdrawn", "Also list withdrawn entries.", kind="boolean")
    listing_about = ("Newest date first, with total_minutes of every entry the listing holds (withdrawn ones "
                     "aside). A volunteer is named by person resource name only; their name comes from "
                     "membership. Every listing is written to the events service's audit log with its purpose. "
                     "Coordinators only.")

    def activity(c: Call) -> str:
        return f"{parent}/activities/{c.path['activity_id']}"

    def entry(c: Call) -> str:
        return f"{activity(c)}/hoursEntries/{c.path['entry_id']}"

    def listing(c: Call, where: str, person: str = ""):
        return events.ListHoursEntries(
            events_pb2.ListHoursEntriesRequest(parent=where, person=person, purpose=c.query["purpose"],
                                               show_withdrawn=c.query["show_withdrawn"], **page_of(c)),
            timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/activities/<id:activity_id>/hoursEntries", "logVolunteerHours",
        "Log a volunteer's hours on an activity or one of its sessions", "events", "events", events_pb2.HoursEntry,
        status=201, body=Body(events_pb2.HoursEntry, "hours_entry"), idempotent=True,
        description="Coordinators only. person (organizations/{org}/persons/{id}) and duration_minutes (1 to 720) "
                    "are required; session is optional (a session of this activity: the date is then the "
                    "session's); date, YYYY-MM-DD, not in the future; task, one line of at most 200 characters. "
                    "Retrying with the same Idempotency-Key returns the first entry.",
    ))
    def log_volunteer_hours(c: Call):
        return events.LogVolunteerHours(
            events_pb2.LogVolunteerHoursRequest(parent=activity(c), hours_entry=c.body, request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities/<id:activity_id>/hoursEntries", "listActivityHours",
        "An activity's volunteer hours", "events", "events", events_pb2.ListHoursEntriesResponse,
        query=page + (withdrawn, hours_purpose), description=listing_about,
    ))
    def list_activity_hours(c: Call):
        return listing(c, activity(c))

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities/<id:activity_id>/sessions/<id:session_id>/hoursEntries",
        "listSessionHours", "A session's volunteer hours", "events", "events", events_pb2.ListHoursEntriesResponse,
        query=page + (withdrawn, hours_purpose), description=listing_about,
    ))
    def list_session_hours(c: Call):
        return listing(c, f"{activity(c)}/sessions/{c.path['session_id']}")

    @api.route(Operation(
        "GET", f"{API_PREFIX}/persons/<id:person_id>/hoursEntries", "listPersonHours",
        "A person's volunteer hours, on every activity", "events", "events", events_pb2.ListHoursEntriesResponse,
        query=page + (withdrawn, hours_purpose), description=listing_about,
    ))
    def list_person_hours(c: Call):
        return listing(c, f"{parent}/activities/-", person=f"{parent}/persons/{c.path['person_id']}")

    @api.route(Operation(
        "GET", f"{API_PREFIX}/activities/<id:activity_id>/hoursEntries/<id:entry_id>", "getHoursEntry",
        "Read an hours entry", "events", "events", events_pb2.HoursEntry, query=(entry_purpose,),
        description="Coordinators only; written to the audit log with its purpose.",
    ))
    def get_hours_entry(c: Call):
        return events.GetHoursEntry(events_pb2.GetHoursEntryRequest(name=entry(c), purpose=c.query["purpose"]),
                                    timeout=timeout)

    @api.route(Operation(
        "PATCH", f"{API_PREFIX}/activities/<id:activity_id>/hoursEntries/<id:entry_id>", "updateHoursEntry",
        "Correct an hours entry", "events", "events", events_pb2.HoursEntry,
        body=Body(events_pb2.HoursEntry, "hours_entry"), query=(update_mask,), idempotent=True,
        description="Coordinators only. Changes date, duration_minutes and task: those named by update_mask, or "
                    "when it is left out those present in the body. An entry at a session keeps the session's "
                    "date; a withdrawn entry cannot be changed (409, reason HOURS_ENTRY_WITHDRAWN).",
    ))
    def update_hours_entry(c: Call):
        body = events_pb2.HoursEntry()
        body.CopyFrom(c.body)
        body.name = entry(c)
        return events.UpdateHoursEntry(
            events_pb2.UpdateHoursEntryRequest(hours_entry=body, update_mask=update_mask_of(c),
                                               request_id=c.request_id),
            timeout=timeout)

    @api.route(Operation(
        "DELETE", f"{API_PREFIX}/activities/<id:activity_id>/hoursEntries/<id:entry_id>", "withdrawHoursEntry",
        "Withdraw an hours entry logged by mistake", "events", "events", events_pb2.HoursEntry, idempotent=True,
        description="Coordinators only. The entry is kept with state HOURS_ENTRY_STATE_WITHDRAWN and no longer "
                    "counts; withdrawing it again returns it unchanged.",
    ))
    def withdraw_hours_entry(c: Call):
        return events.WithdrawHoursEntry(
            events_pb2.WithdrawHoursEntryRequest(name=entry(c), request_id=c.request_id), timeout=timeout)
