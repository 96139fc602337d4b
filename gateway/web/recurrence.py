"""Recurring sessions (coordinators): an activity's repeating schedule in a short form (weekday, how often,
time, first and last day, days off), a preview of its dates before it is saved, and the moved and dropped
marks of the sessions it made, shown on the activity's page."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import grpc
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.events.v1 import recurrence_pb2, recurrence_pb2_grpc
from gateway.web.persons import local_refusal, whole_number
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, request_id
from services.events.domain.recurrence import WEEKDAYS, simple_rule

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                  _l("Sunday"))
FREQUENCIES = (("weekly", _l("Every week")), ("biweekly", _l("Every other week")),
               ("monthly", _l("Once a month, the first such weekday")),
               ("monthly_last", _l("Once a month, the last such weekday")))
_DATE = r"(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})"
# What the events service says of a field, as the page says it in the user's language (by how it begins).
_MESSAGES = (
    ("is required: the last day", _l("Choose the last day, so that the sessions end.")),
    ("the rule gives more than", _l("That gives more than 200 sessions: choose an earlier last day.")),
    ("gives no session", _l("No session falls between the first and the last day outside the days off: check "
                            "the weekday and the days.")),
    ("must not be before start_date", _l("The last day cannot be before the first day.")),
    ("is required: the first day", _l("Choose the first day.")),
    ("must be the last day", _l("Choose a last day no later than the end of next year.")),
    ("is required: the local time", _l("Write the time the sessions start, for example 17:00.")),
    ("must be a date like", _l("Write each day off as a date, or two dates for a period.")),
)


def weekday_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in zip(WEEKDAYS, WEEKDAY_LABELS)]


def frequency_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in FREQUENCIES]


def _iso(value: str) -> str:
    if "." in value:
        day, month, year = value.split(".")
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return value


def exceptions_from_text(text: str, errors: dict[str, str]) -> list[str]:
    """Days off, one a line: a date (2027-02-24 or 24.02.2027) or two dates for a period (the first and last
    day of a winter break)."""
    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        dates = [_iso(d) for d in re.findall(_DATE, line)]
        if len(dates) not in (1, 2):
            errors["exception_dates"] = _("Write one day off a line: a date like 2027-02-24, or the first and "
                                          "last day of a period like 2027-02-22 2027-02-26.")
            return []
        found.append(dates[0] if len(dates) == 1 else f"{dates[0]}/{dates[1]}")
    return found


def exceptions_text(values) -> str:
    return "\n".join(v.replace("/", " – ") for v in values)


def form_of(r: recurrence_pb2.Recurrence) -> dict[str, str]:
    """A saved recurrence as the form's values: weekday and how often when the rule is one the form makes."""
    values = {"start_date": r.start_date, "end_date": r.end_date, "start_time": r.start_time,
              "duration_minutes": str(r.duration_minutes or ""), "location": r.location,
              "exception_dates": exceptions_text(r.exception_dates), "rule": r.rule}
    for code in WEEKDAYS:
        for freq, _label in FREQUENCIES:
            if simple_rule(code, freq) == r.rule:
                values.update(weekday=code, frequency=freq, rule="")
    return values


def recurrence_from_form(form, errors: dict[str, str]) -> recurrence_pb2.Recurrence:
    rule = form.get("rule", "").strip()
    if not rule:
        try:
            rule = simple_rule(form.get("weekday", ""), form.get("frequency", ""))
        except ValueError as e:
            errors[str(e)] = _("Choose one of the options.")
    start = form.get("start_time", "").strip()
    if not re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", start):
        errors["start_time"] = _("Write the time as HH:MM, for example 17:00.")
    return recurrence_pb2.Recurrence(
        rule=rule, start_date=form.get("start_date", "").strip(), end_date=form.get("end_date", "").strip(),
        start_time=start, duration_minutes=whole_number(form, "duration_minutes", errors, "120"),
        location=form.get("location", "").strip(),
        exception_dates=exceptions_from_text(form.get("exception_dates", ""), errors))


def localized(refusal: ServiceRefusal, custom_rule: bool) -> ServiceRefusal:
    """The service's field messages in the page's language, on the form's fields (a rule error on the
    weekday unless the coordinator wrote a rule of their own)."""
    fields: dict[str, str] = {}
    for name, text in refusal.fields.items():
        name = re.sub(r"\[\d+\]$", "", name)
        if name == "rule" and not custom_rule:
            name = "weekday"
        fields[name] = next((str(m) for start, m in _MESSAGES if start in text), text)
    return ServiceRefusal(refusal.status, refusal.reason, refusal.message, fields, refusal.retry_after)


def occurrence_marks(stub: recurrence_pb2_grpc.RecurrenceServiceStub, activity: str
                     ) -> dict[str, recurrence_pb2.Occurrence]:
    """The activity's sessions that its recurrence made, by session name; none when it has no recurrence (or
    the events service offers none yet, during an upgrade: the marks are then left out, not the page)."""
    try:
        found = stub.ListOccurrences(recurrence_pb2.ListOccurrencesRequest(parent=f"{activity}/recurrence"),
                                     timeout=10)
    except grpc.RpcError as exc:
        if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNIMPLEMENTED):
            return {}
        raise
    return {o.session.name: o for o in found.occurrences}


def blueprint(gw: Gateway):
    bp = area("recurrence", gw, roles=ROLES)
    stub = recurrence_pb2_grpc.RecurrenceServiceStub(channel(gw, "events"))
    parent = f"organizations/{gw.settings.org}"

    def saved(activity: str) -> recurrence_pb2.Recurrence | None:
        try:
            return stub.GetRecurrence(recurrence_pb2.GetRecurrenceRequest(name=f"{activity}/recurrence"), timeout=10)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise

    def page(aid: str, values: dict, current, *, refusal=None, preview=None, status=200):
        return render_template("activities/recurrence.html", aid=aid, values=values, current=current,
                               refusal=refusal, preview=preview, weekdays=weekday_choices(),
                               frequencies=frequency_choices(), request_id=values.get("request_id") or request_id(),
                               ), status

    @bp.route("/activities/<id:activity_id>/recurrence", methods=["GET", "POST"])
    def edit(activity_id: str):
        """The schedule's form: "Show the dates" previews, "Save" sets it and makes the sessions."""
        activity = f"{parent}/activities/{activity_id}"
        current = saved(activity)
        if request.method == "GET":
            values = form_of(current) if current else {"frequency": "weekly", "duration_minutes": "120",
                                                       "start_time": "17:00"}
            return page(activity_id, values, current)
        values = dict(request.form)
        values["request_id"] = form_request_id()
        errors: dict[str, str] = {}
        r = recurrence_from_form(request.form, errors)
        if errors:
            return page(activity_id, values, current, refusal=local_refusal(errors), status=400)
        custom = bool(request.form.get("rule", "").strip())
        if request.form.get("action") != "save":
            preview, refusal = call(stub.PreviewRecurrence, recurrence_pb2.PreviewRecurrenceRequest(
                parent=activity, recurrence=r), service="events")
            if refusal is not None:
                return page(activity_id, values, current, refusal=localized(refusal, custom), status=refusal.status)
            return page(activity_id, values, current, preview=preview)
        r.name = f"{activity}/recurrence"
        done, refusal = call(stub.SetRecurrence, recurrence_pb2.SetRecurrenceRequest(
            recurrence=r, request_id=values["request_id"]), service="events")
        if refusal is not None:
            return page(activity_id, values, current, refusal=localized(refusal, custom), status=refusal.status)
        flash(_("The schedule is saved: %(n)s sessions are planned.", n=done.scheduled_count), "success")
        return redirect(url_for("activities.detail", activity_id=activity_id))

    return bp
