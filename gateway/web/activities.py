"""Activities and their sessions (coordinators): the list, creating an activity, an activity's page with
its sessions and adding one. An activity holds no personal data, so these pages need no purpose."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.events.v1 import events_pb2, events_pb2_grpc, recurrence_pb2_grpc
from brobygger.type.v1 import types_pb2
from gateway.web import labels
from gateway.web.persons import local_refusal, whole_number
from gateway.web.recurrence import occurrence_marks
from gateway.web.ui import ServiceRefusal, area, call, channel, correct, form_request_id, nav_item, request_id

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)
EDITABLE_ACTIVITY_FIELDS = ("title", "description", "theme", "subgoal", "target_group", "funder", "chapter",
                            "capacity")
SESSION_FIELDS = ("date", "start_time", "duration_minutes", "location")

nav_item("activities.index", _l("Activities"), _l("Courses, groups and meetings, and their sessions"), ROLES)


def last_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def activity_from_form(form, errors: dict[str, str]) -> events_pb2.Activity:
    return events_pb2.Activity(
        title=form.get("title", "").strip(), description=form.get("description", "").strip(),
        theme=form.get("theme", "").strip(),
        subgoal=labels.number_of(types_pb2.ImdiSubgoal.DESCRIPTOR, form.get("subgoal", "")),
        target_group=form.get("target_group", "").strip(), funder=form.get("funder", "").strip(),
        chapter=form.get("chapter", "").strip(), capacity=whole_number(form, "capacity", errors, "20"),
        anonymous_attendance=form.get("anonymous_attendance") == "1")


def activity_values(a: events_pb2.Activity) -> dict[str, str]:
    return {"title": a.title, "description": a.description, "theme": a.theme,
            "subgoal": types_pb2.ImdiSubgoal.Name(a.subgoal) if a.subgoal else "", "target_group": a.target_group,
            "funder": a.funder, "chapter": a.chapter, "capacity": str(a.capacity or ""),
            "anonymous_attendance": "1" if a.anonymous_attendance else ""}


def session_values(s: events_pb2.Session) -> dict[str, str]:
    return {"date": s.date, "start_time": s.start_time, "duration_minutes": str(s.duration_minutes or ""),
            "location": s.location}


def session_from_form(form, errors: dict[str, str]) -> events_pb2.Session:
    start = form.get("start_time", "").strip()
    if start and not re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", start):
        errors["start_time"] = _("Write the time as HH:MM, for example 17:00.")
    return events_pb2.Session(date=form.get("date", "").strip(), start_time=start,
                              duration_minutes=whole_number(form, "duration_minutes", errors, "90"),
                              location=form.get("location", "").strip())


def subgoal_choices() -> list[tuple[str, str]]:
    return labels.choices(labels.SUBGOAL, types_pb2.ImdiSubgoal.DESCRIPTOR, blank=_("None"))


def blueprint(gw: Gateway):
    bp = area("activities", gw, roles=ROLES)
    events = events_pb2_grpc.EventsServiceStub(channel(gw, "events"))
    schedules = recurrence_pb2_grpc.RecurrenceServiceStub(channel(gw, "events"))
    parent = f"organizations/{gw.settings.org}"

    def name_of(aid: str) -> str:
        return f"{parent}/activities/{aid}"

    @bp.get("/activities")
    def index():
        page, refusal = call(events.ListActivities, events_pb2.ListActivitiesRequest(
            parent=parent, page_size=100, page_token=request.args.get("page_token", "")[:1024]), service="events")
        return render_template(
            "activities/index.html", activities=page.activities if page else [], refusal=refusal,
            next_page=page.next_page_token if page else "", last_id=last_id,
            subgoal=lambda n: labels.label(labels.SUBGOAL, types_pb2.ImdiSubgoal.DESCRIPTOR, n))

    def activity_form(values, refusal: ServiceRefusal | None, rid: str, status: int = 200):
        from gateway.web.activity_lists import list_choices  # the node's themes and target groups

        return render_template("activities/new.html", values=values, refusal=refusal, request_id=rid,
                               subgoals=subgoal_choices(), **list_choices(gw, values)), status

    @bp.route("/activities/new", methods=["GET", "POST"])
    def create():
        if request.method == "GET":
            return activity_form({}, None, request_id())
        errors: dict[str, str] = {}
        activity = activity_from_form(request.form, errors)
        rid = form_request_id()
        if errors:
            return activity_form(request.form, local_refusal(errors), rid, 400)
        created, refusal = call(events.CreateActivity, events_pb2.CreateActivityRequest(
            parent=parent, activity=activity, request_id=rid), service="events")
        if refusal is not None:
            return activity_form(request.form, refusal, rid, refusal.status)
        flash(_("The activity %(title)s is created. Add its sessions below.", title=created.title), "success")
        return redirect(url_for("activities.detail", activity_id=last_id(created.name)))

    def show(aid: str, refusal: ServiceRefusal | None = None, values: dict | None = None, status: int = 200):
        from gateway.web.grants import projects_of_activity  # its menu entry after this area's

        activity, _r = call(events.GetActivity, events_pb2.GetActivityRequest(name=name_of(aid)), service="events")
        sessions, _r = call(events.ListSessions, events_pb2.ListSessionsRequest(parent=name_of(aid), page_size=200),
                            service="events")
        return render_template(
            "activities/detail.html", activity=activity, aid=aid, sessions=sessions.sessions if sessions else [],
            subgoal=labels.label(labels.SUBGOAL, types_pb2.ImdiSubgoal.DESCRIPTOR, activity.subgoal),
            values=values or {"duration_minutes": "90"}, refusal=refusal, request_id=request_id(),
            last_id=last_id, cancelled_state=events_pb2.SESSION_STATE_CANCELLED,
            marks=occurrence_marks(schedules, name_of(aid)), projects=projects_of_activity(gw, name_of(aid))), status

    @bp.get("/activities/<id:activity_id>")
    def detail(activity_id: str):
        return show(activity_id)

    @bp.route("/activities/<id:activity_id>/edit", methods=["GET", "POST"])
    def edit(activity_id: str):
        """Correct an activity: only the fields that changed are sent (whether attendance is anonymous cannot
        change once sessions have attendance, so it is not offered)."""
        activity, _r = call(events.GetActivity, events_pb2.GetActivityRequest(name=name_of(activity_id)),
                            service="events")

        def form_page(values, refusal=None, status=200):
            from gateway.web.activity_lists import list_choices  # the node's themes and target groups

            return render_template("activities/edit.html", aid=activity_id, values=values, refusal=refusal,
                                   subgoals=subgoal_choices(), request_id=request_id(),
                                   **list_choices(gw, values)), status

        if request.method == "GET":
            return form_page(activity_values(activity))
        errors: dict[str, str] = {}
        changed = activity_from_form(request.form, errors)
        if errors:
            return form_page(request.form, local_refusal(errors), 400)
        changed.name = activity.name
        saved, refusal = correct(events.UpdateActivity, events_pb2.UpdateActivityRequest, changed,
                                 activity_values(activity), activity_values(changed), EDITABLE_ACTIVITY_FIELDS,
                                 service="events")
        if refusal is not None:
            return form_page(request.form, refusal, refusal.status)
        if not saved:
            flash(_("Nothing was changed."), "info")
            return redirect(url_for("activities.detail", activity_id=activity_id))
        flash(_("The activity is saved."), "success")
        return redirect(url_for("activities.detail", activity_id=activity_id))

    @bp.route("/activities/<id:activity_id>/sessions/<id:session_id>/edit", methods=["GET", "POST"])
    def edit_session(activity_id: str, session_id: str):
        """Move or correct a session, or cancel it with a reason."""
        name = f"{name_of(activity_id)}/sessions/{session_id}"
        session, _r = call(events.GetSession, events_pb2.GetSessionRequest(name=name), service="events")

        def form_page(values, refusal=None, status=200, cancel_refusal=None):
            return render_template("activities/session_edit.html", aid=activity_id, sid=session_id,
                                   session=session, values=values, refusal=refusal, cancel_refusal=cancel_refusal,
                                   cancelled=session.state == events_pb2.SESSION_STATE_CANCELLED,
                                   request_id=request_id()), status

        if request.method == "GET":
            return form_page(session_values(session))
        errors: dict[str, str] = {}
        changed = session_from_form(request.form, errors)
        if errors:
            return form_page(request.form, local_refusal(errors), 400)
        changed.name = name
        saved, refusal = correct(events.UpdateSession, events_pb2.UpdateSessionRequest, changed,
                                 session_values(session), session_values(changed), SESSION_FIELDS, service="events")
        if refusal is not None:
            return form_page(request.form, refusal, refusal.status)
        if not saved:
            flash(_("Nothing was changed."), "info")
            return redirect(url_for("activities.detail", activity_id=activity_id))
        flash(_("The session is saved."), "success")
        return redirect(url_for("activities.detail", activity_id=activity_id))

    @bp.post("/activities/<id:activity_id>/sessions/<id:session_id>/cancel")
    def cancel_session(activity_id: str, session_id: str):
        name = f"{name_of(activity_id)}/sessions/{session_id}"
        _cancelled, refusal = call(events.CancelSession, events_pb2.CancelSessionRequest(
            name=name, reason=request.form.get("reason", "").strip(),
            request_id=form_request_id()), service="events")
        if refusal is not None:
            session, _r = call(events.GetSession, events_pb2.GetSessionRequest(name=name), service="events")
            return render_template("activities/session_edit.html", aid=activity_id, sid=session_id, session=session,
                                   values=session_values(session), refusal=None, cancel_refusal=refusal,
                                   cancelled=False, reason=request.form.get("reason", ""),
                                   request_id=request_id()), refusal.status
        flash(_("The session is cancelled."), "success")
        return redirect(url_for("activities.detail", activity_id=activity_id))

    @bp.post("/activities/<id:activity_id>/sessions")
    def add_session(activity_id: str):
        errors: dict[str, str] = {}
        session = session_from_form(request.form, errors)
        if errors:
            return show(activity_id, local_refusal(errors), request.form, 400)
        _created, refusal = call(events.CreateSession, events_pb2.CreateSessionRequest(
            parent=name_of(activity_id), session=session,
            request_id=form_request_id()), service="events")
        if refusal is not None:
            return show(activity_id, refusal, request.form, refusal.status)
        flash(_("The session on %(date)s is added.", date=session.date), "success")
        return redirect(url_for("activities.detail", activity_id=activity_id))

    return bp
