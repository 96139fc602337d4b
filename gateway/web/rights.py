"""A data subject's rights (coordinators): a person's data as a page to print or give them and as a JSON
file, erasing a person after a page that says what will happen, and the erasure log with each erasure's
progress. The export is read with the purpose in force, so every service's audit log says who exported
the person and why. The log names no one, and neither do its pages."""
from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import grpc
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.membership.v1 import erasure_pb2, erasure_pb2_grpc, membership_pb2, membership_pb2_grpc
from gateway.problems import from_rpc_error
from gateway.web.auth import current_user
from gateway.web.purpose import current_purpose, need_purpose
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, request_id
from services.common.datasubject_client import document_json, gather_export

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
# How long an erasure may take before its page offers to send it again: the services follow within seconds
# when they run; longer than this, one of them has likely missed or dead-lettered the request.
STUCK_AFTER = dt.timedelta(minutes=5)

SERVICE_LABELS = {
    "membership": _l("Membership"), "events": _l("Activities and attendance"), "referral": _l("Referrals"),
    "reporting": _l("Statistics (without name)"),
}
TABLE_LABELS = {
    "persons": _l("The person's record"), "membership_years": _l("Membership years"),
    "household_members": _l("Household"), "attendances": _l("Attendance at sessions"),
    "referrals": _l("Referrals"), "deliveries": _l("Messages to other organisations about the referrals"),
    "fact_persons": _l("Gender, birth year and date of registration"),
    "fact_membership_years": _l("Membership years and payment"),
    "fact_attendances": _l("Attendances with date, gender and age band"),
}
REASONS = [
    ("ERASURE_REASON_CONSENT_WITHDRAWN", _l("The person withdrew their consent")),
    ("ERASURE_REASON_NO_LONGER_NECESSARY", _l("The data are no longer needed for what they were collected for")),
    ("ERASURE_REASON_OBJECTION", _l("The person objects to the processing")),
    ("ERASURE_REASON_UNLAWFUL_PROCESSING", _l("The data were processed unlawfully")),
    ("ERASURE_REASON_LEGAL_OBLIGATION", _l("A legal obligation requires erasure")),
    ("ERASURE_REASON_CHILD", _l("The data were collected from a child for an online service")),
]


def reason_label(number: int) -> str:
    name = erasure_pb2.ErasureReason.Name(number) if number in erasure_pb2.ErasureReason.values() else ""
    return str(dict(REASONS).get(name, name))


def blueprint(gw: Gateway):
    bp = area("rights", gw, roles=ROLES)
    membership = membership_pb2_grpc.MembershipServiceStub(channel(gw, "membership"))
    erasures = erasure_pb2_grpc.ErasureServiceStub(channel(gw, "membership"))
    channels = {name: channel(gw, name) for name in ("membership", "events", "referral", "reporting")}
    parent = f"organizations/{gw.settings.org}"

    def name_of(pid: str) -> str:
        return f"{parent}/persons/{pid}"

    def export(pid: str):
        """Every service's part, with the purpose in force; a refusal of any ends the page with its error."""
        from gateway.app import CALL_TIMEOUT

        user = current_user(gw)
        try:
            return gather_export(channels, name_of(pid), current_purpose(), timeout=CALL_TIMEOUT,
                                 exported_by=getattr(user, "username", "") or "")
        except grpc.RpcError as exc:
            raise from_rpc_error(exc, "membership") from None

    @bp.get("/persons/<id:person_id>/export")
    def export_page(person_id: str):
        """Everything the node holds about the person, readable and printable."""
        if (ask := need_purpose()):
            return ask
        document = export(person_id)
        person, _r = call(membership.GetPerson, membership_pb2.GetPersonRequest(
            name=name_of(person_id), purpose=current_purpose()), service="membership")
        parts = []
        for part in document.services:
            tables = [(str(TABLE_LABELS.get(t.table, t.table)), [dict(r.items()) for r in t.rows]) for t in part.tables]
            parts.append((str(SERVICE_LABELS.get(part.service, part.service)), tables, list(part.audit_entries)))
        return render_template("rights/export.html", person=person, pid=person_id, parts=parts, document=document,
                               export_time=document.export_time.ToDatetime())

    @bp.get("/persons/<id:person_id>/export.json")
    def export_json(person_id: str):
        """The same as one JSON document (the protobuf JSON mapping of PersonDataExport), to download."""
        if (ask := need_purpose()):
            return ask
        document = document_json(export(person_id))
        body = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": f'attachment; filename="brobygger-export-{person_id}.json"',
            "Cache-Control": "no-store"})

    def confirm_page(person_id: str, refusal: ServiceRefusal | None = None, values: dict | None = None,
                     status: int = 200):
        person, _r = call(membership.GetPerson, membership_pb2.GetPersonRequest(
            name=name_of(person_id), purpose=current_purpose()), service="membership")
        options = [("", _("Choose"))] + [(k, str(v)) for k, v in REASONS]
        return render_template("rights/erase.html", person=person, pid=person_id, refusal=refusal,
                               values=values or {}, options=options, request_id=request_id()), status

    @bp.get("/persons/<id:person_id>/erase")
    def erase_confirm(person_id: str):
        """What erasing the person will do, the reason, and a confirmation."""
        if (ask := need_purpose()):
            return ask
        return confirm_page(person_id)

    @bp.post("/persons/<id:person_id>/erase")
    def erase(person_id: str) -> Response | tuple:
        if (ask := need_purpose()):
            return ask
        form = request.form
        reason = erasure_pb2.ErasureReason.Value(form["reason"]) if form.get("reason") in dict(REASONS) else 0
        errors = {}
        if not reason:
            errors["reason"] = _("Choose why the person is erased.")
        if form.get("confirm") != "1":
            errors["confirm"] = _("Confirm that the person is to be erased for good.")
        if errors:
            return confirm_page(person_id, ServiceRefusal(400, "INVALID_ARGUMENT", _("Check the fields marked below."),
                                                          errors), form, 400)
        erasure, refusal = call(erasures.RequestErasure, erasure_pb2.RequestErasureRequest(
            person=name_of(person_id), reason=reason, confirm=True, request_id=form_request_id()), service="membership")
        if refusal is not None and refusal.reason == "ERASURE_IN_PROGRESS":
            flash(_("This person's erasure is already in progress."), "info")
            return redirect(url_for("rights.erasure", erasure_id=refusal_erasure(refusal)))
        if refusal is not None:
            return confirm_page(person_id, refusal, form, refusal.status)
        flash(_("The person is erased from membership. The other services follow; this page shows how far "
                "they are."), "success")
        return redirect(url_for("rights.erasure", erasure_id=erasure.name.rsplit("/", 1)[-1]))

    def refusal_erasure(refusal: ServiceRefusal) -> str:
        marker = "/erasures/"
        text = refusal.message
        return text.split(marker, 1)[1].split(".", 1)[0] if marker in text else ""

    @bp.get("/erasures")
    def erasure_log():
        page, _r = call(erasures.ListErasures, erasure_pb2.ListErasuresRequest(
            parent=parent, page_size=50, page_token=request.args.get("page_token", "")[:1024]), service="membership")
        return render_template("rights/log.html", erasures=page.erasures, next_page=page.next_page_token,
                               reason_label=reason_label, erasure_id=lambda e: e.name.rsplit("/", 1)[-1],
                               service_labels=SERVICE_LABELS)

    @bp.get("/erasures/<id:erasure_id>")
    def erasure(erasure_id: str):
        """One erasure's progress: each service's completion. It names nobody."""
        e, _r = call(erasures.GetErasure, erasure_pb2.GetErasureRequest(name=f"{parent}/erasures/{erasure_id}"),
                     service="membership")
        done = e.state == erasure_pb2.Erasure.STATE_COMPLETED
        started = e.create_time.ToDatetime(tzinfo=dt.timezone.utc)
        stuck = not done and dt.datetime.now(dt.timezone.utc) - started > STUCK_AFTER
        return render_template("rights/erasure.html", erasure=e, eid=erasure_id, reason=reason_label(e.reason),
                               service_labels=SERVICE_LABELS, done=done, stuck=stuck, request_id=request_id(),
                               minutes=int(STUCK_AFTER.total_seconds() // 60))

    @bp.post("/erasures/<id:erasure_id>/resend")
    def resend(erasure_id: str) -> Response:
        """Send a stuck erasure again to the services that have not confirmed."""
        _e, refusal = call(erasures.ResendErasure, erasure_pb2.ResendErasureRequest(
            name=f"{parent}/erasures/{erasure_id}", request_id=form_request_id()), service="membership")
        if refusal is not None and refusal.reason == "ERASURE_COMPLETED":
            flash(_("The erasure is completed: every service has erased the person. There is nothing to send "
                    "again."), "info")
        elif refusal is not None:
            flash(_("The erasure could not be sent again just now. Try again in a minute."), "error")
        else:
            flash(_("The erasure is sent again to the services that have not confirmed. Reload the page in a "
                    "minute to see how far they are."), "success")
        return redirect(url_for("rights.erasure", erasure_id=erasure_id))

    return bp
