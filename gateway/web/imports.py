"""Importing members from a spreadsheet (coordinators): upload a file, read the dry run's report (each row's
problems, what would happen to the others), start the import, follow its progress, and read or download the
report at the end.

The membership service does the work (it reads the file, keeps it until the import ends, and applies it in
the background): these pages only show its state, so an import goes on while a gateway restarts, and a
coordinator may close the page and come back to it. The progress page reloads itself every two seconds (a
meta refresh: the pages run no script). The report names rows by their number in the file and never shows
the cells' values.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import TYPE_CHECKING

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import format_datetime, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from brobygger.membership.v1 import membership_pb2, membership_pb2_grpc
from gateway import body_limits
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, nav_item, request_id

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
ROWS_SHOWN = 200
RECENT = 10
Import = membership_pb2.PersonImport
Row = membership_pb2.PersonImportRow

nav_item("imports.upload", _l("Import"), _l("Move a spreadsheet of members in: check it first, then import it"),
         ROLES)

# What each problem means and how to fix it, in the reader's language (the service's codes).
PROBLEMS = {
    "GIVEN_NAME_REQUIRED": _l("The given name is missing: fill it in."),
    "TOO_LONG": _l("Too long: at most 100 characters."),
    "HIDDEN_CHARACTER": _l("Holds an invisible character: type the cell again."),
    "BIRTH_INVALID": _l("Not a year or a date: write a year like 1984 or a date like 12.03.1984."),
    "BIRTH_OUT_OF_RANGE": _l("The year must be from 1900 to this year."),
    "GENDER_INVALID": _l("Write K (kvinne), M (mann), annet, or leave it empty."),
    "PHONE_INVALID": _l("Not a phone number: write it like 912 34 567 or +47 912 34 567."),
    "EMAIL_INVALID": _l("Not an e-mail address: write it like navn@example.no."),
    "POSTAL_CODE_INVALID": _l("A postal code is four digits, for example 0957."),
    "CHAPTER_INVALID": _l("Write the chapter's name, for example Linderud or MiR-Ung."),
    "CHAPTER_NOT_FOUND": _l("There is no such chapter. Create it under Groups first, or write one that exists."),
    "LANGUAGE_INVALID": _l("Write languages by name (urdu, somali, norsk), separated by commas."),
    "FEE_INVALID": _l("The fee must be whole kroner, for example 300."),
    "PAID_INVALID": _l("Write ja or nei, betalt or ikke betalt, or fritatt."),
    "PAID_NEEDS_FEE": _l("Paid, but no fee: write the fee that was paid."),
    "YEAR_INVALID": _l("The year must be from 2000 to next year, for example 2026."),
    "DUPLICATE_IN_FILE": _l("Row %(row)s has the same name and the same birth year or phone: remove one of them or "
                            "correct it."),
    "DUPLICATE_IN_REGISTER": _l("Someone registered has the same name and the same birth year or phone: check them, "
                                "then correct the row or register the person by hand."),
}
PLANS = {Row.PLAN_NEW: _l("New"), Row.PLAN_UPDATE: _l("Update"), Row.PLAN_UNCHANGED: _l("Imported before"),
         Row.PLAN_DUPLICATE_SUSPECTED: _l("Duplicate suspected"), Row.PLAN_INVALID: _l("Needs correcting")}
RESULTS = {Row.RESULT_CREATED: _l("Created"), Row.RESULT_UPDATED: _l("Updated"), Row.RESULT_UNCHANGED: _l("Unchanged"),
           Row.RESULT_SKIPPED: _l("Skipped"), Row.RESULT_NOT_IMPORTED: _l("Not imported")}
STATES = {Import.STATE_CHECKED: _l("Checked, not imported"), Import.STATE_RUNNING: _l("Importing"),
          Import.STATE_SUCCEEDED: _l("Import finished"), Import.STATE_STOPPED: _l("Import stopped"),
          Import.STATE_EXPIRED: _l("The check has expired")}
FIELDS = {"given_name": _l("Given name"), "family_name": _l("Family name"), "birth": _l("Birth year"),
          "gender": _l("Gender"), "phone": _l("Phone"), "email": _l("E-mail"), "postal_code": _l("Postal code"),
          "municipality": _l("Municipality"), "chapter": _l("Local chapter or group"), "fee": _l("Fee (NOK)"),
          "paid": _l("Payment"), "year": _l("Year"), "languages": _l("Preferred languages")}


def problem_text(p: membership_pb2.ImportProblem) -> str:
    text = PROBLEMS.get(p.code)
    if text is None:
        return p.message
    return str(text) % {"row": p.other_row} if p.code == "DUPLICATE_IN_FILE" else str(text)


def when(ts) -> str:
    return format_datetime(ts.ToDatetime(tzinfo=dt.timezone.utc), "short")


def import_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def blueprint(gw: Gateway):
    bp = area("imports", gw, roles=ROLES)
    membership = membership_pb2_grpc.MembershipServiceStub(channel(gw, "membership"))
    parent = f"organizations/{gw.settings.org}"

    def name_of(iid: str) -> str:
        if not iid.isalnum() or len(iid) > 64:
            abort(404)
        return f"{parent}/personImports/{iid}"

    def upload_form(refusal: ServiceRefusal | None, status: int = 200):
        recent, _refusal = call(membership.ListPersonImports, membership_pb2.ListPersonImportsRequest(
            parent=parent, page_size=RECENT), service="membership")
        return render_template("imports/upload.html", refusal=refusal, request_id=request_id(), fields=FIELDS,
                               recent=recent.person_imports if recent else [], states=STATES,
                               import_id=import_id, when=when,
                               limit_mib=body_limits.IMPORT_FILE_BYTES // (1024 * 1024),
                               limit_rows=format_number(body_limits.IMPORT_MAX_ROWS)), status

    @bp.errorhandler(RequestEntityTooLarge)
    def too_large(exc):
        """A file over what membership checks at once: said next to the field, with how to go on."""
        if request.endpoint != "imports.upload":  # any other form of these pages: 1 MiB, the error page
            from gateway.web.ui import page_for_error

            return page_for_error(exc)
        message = _("The file is too large: at most %(mib)s MiB and %(rows)s rows are checked at once. Split it "
                    "into several files and import them one after the other, or ask the node's operator to import "
                    "it with the command line.", mib=body_limits.IMPORT_FILE_BYTES // (1024 * 1024),
                    rows=format_number(body_limits.IMPORT_MAX_ROWS))
        return upload_form(ServiceRefusal(413, "CONTENT_TOO_LARGE", message, {"file": message}), 413)

    @bp.route("/imports", methods=["GET", "POST"])
    def upload():
        if request.method == "GET":
            return upload_form(None)
        file = request.files.get("file")
        content = file.read() if file else b""
        if not content:
            return upload_form(ServiceRefusal(400, "INVALID_ARGUMENT", _("Check the fields marked below."),
                                              {"file": _("Choose the file to import (CSV or XLSX).")}), 400)
        job, refusal = call(membership.CreatePersonImport, membership_pb2.CreatePersonImportRequest(
            parent=parent, content=content, filename=(file.filename or "")[:200], request_id=form_request_id()),
            service="membership", timeout=60)
        if refusal is not None:
            return upload_form(ServiceRefusal(refusal.status, refusal.reason, refusal.message,
                                              {"file": refusal.message}), refusal.status)
        return redirect(url_for("imports.detail", iid=import_id(job.name)))

    def rows_of(name: str, *, problems_only: bool, limit: int) -> list:
        out, token = [], ""
        while len(out) < limit:
            page, _refusal = call(membership.ListPersonImportRows, membership_pb2.ListPersonImportRowsRequest(
                parent=name, page_size=min(1000, limit - len(out)), page_token=token, problems_only=problems_only),
                service="membership")
            if page is None:
                break
            out += page.rows
            token = page.next_page_token
            if not token:
                break
        return out

    @bp.route("/imports/<iid>")
    def detail(iid: str):
        name = name_of(iid)
        job, _refusal = call(membership.GetPersonImport, membership_pb2.GetPersonImportRequest(name=name),
                             service="membership")
        if job is None:
            abort(404)
        running = job.state == Import.STATE_RUNNING
        problems = [] if running else rows_of(name, problems_only=True, limit=ROWS_SHOWN)
        return render_template(
            "imports/detail.html", job=job, iid=iid, problems=problems, running=running,
            checked=job.state == Import.STATE_CHECKED, finished=job.state in (Import.STATE_SUCCEEDED,
                                                                               Import.STATE_STOPPED),
            expired=job.state == Import.STATE_EXPIRED, more_problems=len(problems) >= ROWS_SHOWN,
            plans=PLANS, results=RESULTS, fields=FIELDS, problem_text=problem_text, request_id=request_id(),
            percent=int(100 * job.processed_rows / job.total_rows) if job.total_rows else 100,
            Import=Import, Row=Row, refresh=2 if running else 0)

    @bp.route("/imports/<iid>/start", methods=["POST"])
    def start(iid: str):
        name = name_of(iid)
        choice = request.form.get("on_error", "")
        on_error = {"skip": membership_pb2.ON_ERROR_SKIP, "stop": membership_pb2.ON_ERROR_STOP}.get(choice, 0)
        _job, refusal = call(membership.StartPersonImport, membership_pb2.StartPersonImportRequest(
            name=name, on_error=on_error, request_id=form_request_id()), service="membership")
        if refusal is not None:
            return render_template("error.html", title=_("That did not work"), message=refusal.message,
                                   status=refusal.status), refusal.status
        return redirect(url_for("imports.detail", iid=iid))

    @bp.route("/imports/<iid>/report.csv")
    def report(iid: str):
        name = name_of(iid)
        rows = rows_of(name, problems_only=False, limit=100_000)
        out = io.StringIO()
        w = csv.writer(out, delimiter=";")
        w.writerow([_("Row"), _("Dry run"), _("Result"), _("Person"), _("Same person as row"), _("Problems")])
        for r in rows:
            w.writerow([r.row_number, PLANS.get(r.plan, ""), RESULTS.get(r.result, ""), import_id(r.person)
                        if r.person else "", r.same_as_row or "",
                        " | ".join(f"{p.column}: {problem_text(p)}" for p in r.problems)])
        # A byte order mark, so that Excel reads the file as UTF-8.
        return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="import-{iid}.csv"', "Cache-Control": "no-store"})

    return bp
