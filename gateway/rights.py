"""Node mode: a data subject's rights in the REST API (GDPR Art. 15, 17, 20). A person's export is
gathered from every service of the node; an erasure is requested from membership, which tells the
others through Kafka, and followed in its erasure log."""
from __future__ import annotations

from typing import Mapping

import grpc

from brobygger.datasubject.v1 import datasubject_pb2
from brobygger.membership.v1 import erasure_pb2, erasure_pb2_grpc
from flask import g

from gateway.api import API_PREFIX, Api, Body, Call, Operation
from gateway.rest import PAGE, page_of, purpose
from services.common.datasubject_client import gather_export

EXPORT_PURPOSE = purpose("this person's data", "the person's request of 3 December")


def current_user() -> str:
    principal = g.get("principal")
    return (principal.username or principal.subject) if principal is not None else ""


def register(api: Api, channels: Mapping[str, grpc.Channel], org: str) -> None:
    erasures = erasure_pb2_grpc.ErasureServiceStub(channels["membership"])
    parent = f"organizations/{org}"
    timeout = api.timeout

    @api.route(Operation(
        "GET", f"{API_PREFIX}/persons/<id:person_id>:export", "exportPersonData",
        "Everything the node holds about a person (GDPR Art. 15 and 20)", "data subject", "membership",
        datasubject_pb2.PersonDataExport, query=(EXPORT_PURPOSE,),
        description="One JSON document (format brobygger.person-data-export.v1): for each service, membership, "
                    "events, referral and reporting, the rows of each table that refer to the person with all "
                    "their columns, and the lines of its audit log about the person (who read their data, when "
                    "and why). Each service writes the export to its audit log with the purpose. Coordinators only.",
    ))
    def export_person_data(c: Call):
        return gather_export(channels, f"{parent}/persons/{c.path['person_id']}", c.query["purpose"],
                             exported_by=current_user(), timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/persons/<id:person_id>:erase", "erasePerson",
        "Erase a person from every service of the node (GDPR Art. 17)", "data subject", "membership",
        erasure_pb2.Erasure, status=202, idempotent=True,
        body=Body(erasure_pb2.RequestErasureRequest, exclude=frozenset({"person", "request_id"})),
        description="reason (ERASURE_REASON_...: the ground of Art. 17(1)) and confirm: true are required. "
                    "Membership erases the person at once; events, referral and reporting follow through Kafka. "
                    "Answers the erasure of the log (no person named): follow it at /api/v1/erasures/{id}. "
                    "409 ERASURE_IN_PROGRESS while the person's erasure runs. Coordinators only.",
    ))
    def erase_person(c: Call):
        return erasures.RequestErasure(erasure_pb2.RequestErasureRequest(
            person=f"{parent}/persons/{c.path['person_id']}", reason=c.body.reason, confirm=c.body.confirm,
            request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/erasures/<id:erasure_id>", "getErasure", "One erasure of the log", "data subject",
        "membership", erasure_pb2.Erasure,
        description="Its reason, the requester's role, its state and each service's completion; never the person.",
    ))
    def get_erasure(c: Call):
        return erasures.GetErasure(erasure_pb2.GetErasureRequest(name=f"{parent}/erasures/{c.path['erasure_id']}"),
                                   timeout=timeout)

    @api.route(Operation(
        "POST", f"{API_PREFIX}/erasures/<id:erasure_id>:resend", "resendErasure",
        "Send an erasure in progress again to the services that have not confirmed", "data subject",
        "membership", erasure_pb2.Erasure, status=202, idempotent=True,
        description="For an erasure stuck in progress: a service dead-lettered the request, or its consumer was "
                    "down for longer than the topic keeps it. Membership sends PersonErasureRequested again, "
                    "naming the services not yet complete; each applies an erasure once, so a resend is safe. "
                    "409 ERASURE_COMPLETED once every service has confirmed. Audited. Coordinators only "
                    "(the node's operator uses its command line).",
    ))
    def resend_erasure(c: Call):
        return erasures.ResendErasure(erasure_pb2.ResendErasureRequest(
            name=f"{parent}/erasures/{c.path['erasure_id']}", request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", f"{API_PREFIX}/erasures", "listErasures", "The erasure log, newest first", "data subject",
        "membership", erasure_pb2.ListErasuresResponse, query=PAGE, not_found=False,
        description="That erasures happened, when, why and by which role, and how far each got; never who.",
    ))
    def list_erasures(c: Call):
        return erasures.ListErasures(erasure_pb2.ListErasuresRequest(parent=parent, **page_of(c)), timeout=timeout)
