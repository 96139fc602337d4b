"""Node mode: registration for an activity's places, with a waiting list (the events service's
RegistrationService), under /api/v1.

A course's registrations are under the activity (``/activities/{a}/registrations``), a session's under the
session (``/activities/{a}/sessions/{s}/registrations``); every registration is named
``/activities/{a}/registrations/{r}`` either way.
"""
from __future__ import annotations

from typing import Mapping

import grpc

from brobygger.events.v1 import registration_pb2, registration_pb2_grpc
from gateway.api import API_PREFIX, Api, Body, Call, Operation, Param
from gateway.rest import PAGE, page_of, purpose

ACTIVITY = f"{API_PREFIX}/activities/<id:activity_id>"
SESSION = f"{ACTIVITY}/sessions/<id:session_id>"
REGISTRATION = f"{ACTIVITY}/registrations/<id:registration_id>"
REGISTRATIONS_PURPOSE = purpose("these registrations", "registration at the door")
HOUSEHOLD_PURPOSE = purpose("this household's members", "registration for swimming")
CANCELLED = Param("show_cancelled", "Also list cancelled registrations.", kind="boolean")


def register(api: Api, channels: Mapping[str, grpc.Channel], org: str) -> None:
    registrations = registration_pb2_grpc.RegistrationServiceStub(channels["events"])
    parent = f"organizations/{org}"
    timeout = api.timeout

    def activity(c: Call) -> str:
        return f"{parent}/activities/{c.path['activity_id']}"

    def scope(c: Call) -> str:
        return f"{activity(c)}/sessions/{c.path['session_id']}" if "session_id" in c.path else activity(c)

    def registration(c: Call) -> str:
        return f"{activity(c)}/registrations/{c.path['registration_id']}"

    def full(name: str, kind: str) -> str:
        name = name.strip()
        return name if "/" in name or not name else f"{parent}/{kind}/{name}"

    def create(c: Call):
        body = registration_pb2.Registration()
        body.CopyFrom(c.body)
        body.person = full(body.person, "persons")
        return registrations.CreateRegistration(registration_pb2.CreateRegistrationRequest(
            parent=scope(c), registration=body, request_id=c.request_id), timeout=timeout)

    def household(c: Call):
        return registrations.RegisterHousehold(registration_pb2.RegisterHouseholdRequest(
            parent=scope(c), household=full(c.body.household, "households"), purpose=c.query["purpose"],
            request_id=c.request_id), timeout=timeout)

    def listing(c: Call):
        return registrations.ListRegistrations(registration_pb2.ListRegistrationsRequest(
            parent=scope(c), purpose=c.query["purpose"], show_cancelled=c.query["show_cancelled"], **page_of(c)),
            timeout=timeout)

    create_about = ("Coordinators only. person (organizations/{org}/persons/{id} or an id) is required; hold: true "
                    "holds the place as REGISTRATION_STATE_PENDING until confirmed. The person gets a place while "
                    "there is one and nobody waits, otherwise the waiting list (REGISTRATION_STATE_WAITLISTED). A "
                    "person registered already is refused with 409 ALREADY_REGISTERED; a cancelled session with "
                    "409 SESSION_CANCELLED. Retrying with the same Idempotency-Key returns the first result.")
    household_about = ("Coordinators only. household (organizations/{org}/households/{id} or an id): every member "
                       "is registered in the household's order, each with a place or on the waiting list, or "
                       "reported as registered already. The household's members are read from membership with the "
                       "purpose, on your behalf.")
    list_about = ("In the order they registered, each with its state and, when waiting, waitlist_position (1 is "
                  "next); capacity, taken and waiting count the scope's places. Written to the audit log with its "
                  "purpose. Coordinators and volunteers.")
    for rule, what, suffix in ((ACTIVITY, "course", "Course"), (SESSION, "session", "Session")):
        api.route(Operation(
            "POST", f"{rule}/registrations", f"create{suffix}Registration", f"Register a person for the {what}",
            "events", "events", registration_pb2.Registration, status=201,
            body=Body(registration_pb2.Registration, "registration"), idempotent=True, description=create_about,
        ))(create)
        api.route(Operation(
            "POST", f"{rule}/registrations:registerHousehold", f"register{suffix}Household",
            f"Register a whole household for the {what}", "events", "events",
            registration_pb2.RegisterHouseholdResponse, query=(HOUSEHOLD_PURPOSE,), idempotent=True,
            body=Body(registration_pb2.RegisterHouseholdRequest,
                      exclude=frozenset({"parent", "purpose", "request_id"})), description=household_about,
        ))(household)
        api.route(Operation(
            "GET", f"{rule}/registrations", f"list{suffix}Registrations", f"The {what}'s registrations and waiting "
            "list", "events", "events", registration_pb2.ListRegistrationsResponse,
            query=PAGE + (CANCELLED, REGISTRATIONS_PURPOSE), description=list_about,
        ))(listing)

    @api.route(Operation(
        "POST", f"{REGISTRATION}:cancel", "cancelRegistration", "Cancel a registration; the waiting list moves up",
        "events", "events", registration_pb2.CancelRegistrationResponse, idempotent=True,
        description="Coordinators only. A pending, registered or waitlisted registration is cancelled and the "
                    "first on the waiting list is promoted into the place that frees up (promoted lists who). "
                    "Cancelling again returns it unchanged and promotes nobody. Attended and no-show "
                    "registrations are kept (409 REGISTRATION_CLOSED).",
    ))
    def cancel_registration(c: Call):
        return registrations.CancelRegistration(registration_pb2.CancelRegistrationRequest(
            name=registration(c), request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "POST", f"{REGISTRATION}:confirm", "confirmRegistration", "Confirm a held place", "events", "events",
        registration_pb2.Registration, idempotent=True,
        description="Coordinators only. REGISTRATION_STATE_PENDING becomes REGISTRATION_STATE_REGISTERED; a "
                    "registration that is not pending is refused with 409 REGISTRATION_NOT_PENDING.",
    ))
    def confirm_registration(c: Call):
        return registrations.ConfirmRegistration(registration_pb2.ConfirmRegistrationRequest(
            name=registration(c), request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "POST", f"{SESSION}:markNoShows", "markNoShows", "After a session: mark who came and who did not",
        "events", "events", registration_pb2.MarkNoShowsResponse, idempotent=True,
        description="Coordinators only. The session's registrations with a place become ATTENDED when the "
                    "person's attendance is recorded, NO_SHOW otherwise; course registrations are counted in "
                    "attended_count and no_show_count. Refused before the session's day (409 SESSION_NOT_OVER). "
                    "Running it again after a roster correction changes only what the correction changed.",
    ))
    def mark_no_shows(c: Call):
        return registrations.MarkNoShows(registration_pb2.MarkNoShowsRequest(
            session=f"{activity(c)}/sessions/{c.path['session_id']}", request_id=c.request_id), timeout=timeout)
