"""Funders, grants and projects (coordinators): the funders with their grants, recording a funder and a grant,
a grant's page with its projects and their activities, creating a project, and a project's page where
activities are added and taken off. What a project counts is shown with its figures for the year."""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brobygger.events.v1 import events_pb2, events_pb2_grpc, grants_pb2, grants_pb2_grpc
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from brobygger.type.v1 import types_pb2
from gateway.problems import Problem
from gateway.web.persons import local_refusal
from gateway.web.ui import ServiceRefusal, area, call, channel, form_request_id, nav_item, request_id

if TYPE_CHECKING:
    from gateway.app import Gateway

ROLES = ("coordinator",)

nav_item("grants.index", _l("Funders and grants"), _l("Who pays for the activities, and the projects they pay for"),
         ROLES)


def last_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def kroner(amount: int) -> str:
    return _("NOK %(amount)s", amount=format_decimal(amount))


def _base_fields(refusal: ServiceRefusal | None) -> ServiceRefusal | None:
    """A refusal naming reporting_duties[2] or grants[0] marks the form's field reporting_duties or grants."""
    if refusal is not None:
        refusal.fields = {re.sub(r"\[\d+\]$", "", k): v for k, v in refusal.fields.items()}
    return refusal


def grant_from_form(form, errors: dict[str, str]) -> grants_pb2.Grant:
    raw = form.get("amount_nok", "").replace(" ", "").replace("\u00a0", "").strip()
    amount = 0
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        errors["amount_nok"] = _("Write the amount in whole kroner, for example 500000.")
    else:
        amount = int(raw)
    duties = [line.strip() for line in form.get("reporting_duties", "").splitlines() if line.strip()]
    return grants_pb2.Grant(funder=form.get("funder", "").strip(), title=form.get("title", "").strip(),
                            reference=form.get("reference", "").strip(), amount_nok=amount,
                            start_date=form.get("start_date", "").strip(), end_date=form.get("end_date", "").strip(),
                            purpose=form.get("purpose", "").strip(), reporting_duties=duties)


def blueprint(gw: Gateway):
    bp = area("grants", gw, roles=ROLES)
    grants = grants_pb2_grpc.GrantsServiceStub(channel(gw, "events"))
    events = events_pb2_grpc.EventsServiceStub(channel(gw, "events"))
    reporting = reporting_pb2_grpc.ReportingServiceStub(channel(gw, "reporting"))
    parent = f"organizations/{gw.settings.org}"

    def all_funders() -> list:
        page, _r = call(grants.ListFunders, grants_pb2.ListFundersRequest(parent=parent, page_size=200),
                        service="events")
        return list(page.funders) if page else []

    def all_grants(funder: str = "") -> list:
        page, _r = call(grants.ListGrants, grants_pb2.ListGrantsRequest(parent=parent, funder=funder, page_size=200),
                        service="events")
        return list(page.grants) if page else []

    def projects(**where) -> list:
        page, _r = call(grants.ListProjects, grants_pb2.ListProjectsRequest(parent=parent, page_size=200, **where),
                        service="events")
        return list(page.projects) if page else []

    def activity_titles() -> dict[str, str]:
        page, _r = call(events.ListActivities, events_pb2.ListActivitiesRequest(parent=parent, page_size=200),
                        service="events")
        return {a.name: a.title for a in page.activities} if page else {}

    def year_figures(**scope) -> reporting_pb2.Statistics | None:
        """This year's figures of the project or grant; None when reporting has none yet."""
        year = dt.date.today().year
        try:
            figures, _r = call(reporting.GetStatistics, reporting_pb2.GetStatisticsRequest(
                organization=parent, period=types_pb2.DateRange(start_date=f"{year}-01-01",
                                                                end_date=f"{year}-12-31"),
                **scope), service="reporting")
        except Problem:  # reporting does not know the project yet, or does not answer: the page without them
            return None
        return figures

    @bp.get("/grants")
    def index(refusal: ServiceRefusal | None = None, values: dict | None = None, status: int = 200):
        funders = all_funders()
        by_funder: dict[str, list] = {f.name: [] for f in funders}
        for g in all_grants():
            by_funder.setdefault(g.funder, []).append(g)
        return render_template("grants/index.html", funders=funders, by_funder=by_funder, kroner=kroner,
                               last_id=last_id, refusal=refusal, values=values or {},
                               request_id=request_id()), status

    @bp.post("/funders")
    def create_funder():
        rid = form_request_id()
        made, refusal = call(grants.CreateFunder, grants_pb2.CreateFunderRequest(
            parent=parent, funder=grants_pb2.Funder(display_name=request.form.get("display_name", "").strip(),
                                                    description=request.form.get("description", "").strip()),
            request_id=rid), service="events")
        if refusal is not None:
            return index(refusal, request.form, refusal.status)
        flash(_("The funder %(name)s is registered.", name=made.display_name), "success")
        return redirect(url_for("grants.index"))

    def grant_form(values, refusal, rid, status=200):
        funders = [("", _("Choose a funder"))] + [(last_id(f.name), f.display_name) for f in all_funders()]
        return render_template("grants/new.html", values=values, refusal=refusal, request_id=rid,
                               funders=funders), status

    @bp.route("/grants/new", methods=["GET", "POST"])
    def create_grant():
        if request.method == "GET":
            return grant_form({"funder": request.args.get("funder", "")}, None, request_id())
        errors: dict[str, str] = {}
        grant = grant_from_form(request.form, errors)
        rid = form_request_id()
        if not grant.funder:
            errors["funder"] = _("Choose the funder who gives the grant.")
        if errors:
            return grant_form(request.form, local_refusal(errors), rid, 400)
        grant.funder = f"{parent}/funders/{grant.funder}"
        made, refusal = call(grants.CreateGrant, grants_pb2.CreateGrantRequest(parent=parent, grant=grant,
                                                                               request_id=rid), service="events")
        if refusal is not None:
            return grant_form(request.form, _base_fields(refusal), rid, refusal.status)
        flash(_("The grant %(title)s is recorded. Create the project it pays for below.", title=made.title),
              "success")
        return redirect(url_for("grants.grant", grant_id=last_id(made.name)))

    @bp.get("/grants/<id:grant_id>")
    def grant(grant_id: str):
        g, _r = call(grants.GetGrant, grants_pb2.GetGrantRequest(name=f"{parent}/grants/{grant_id}"),
                     service="events")
        funder, _r = call(grants.GetFunder, grants_pb2.GetFunderRequest(name=g.funder), service="events")
        paid = projects(grant=g.name)
        return render_template("grants/grant.html", grant=g, funder=funder, projects=paid, titles=activity_titles(),
                               kroner=kroner, last_id=last_id, gid=grant_id,
                               figures=year_figures(grant=g.name) if paid else None)

    def project_form(values, refusal, rid, status=200):
        options = [(last_id(g.name), g.title) for g in all_grants()]
        return render_template("grants/project_new.html", values=values, refusal=refusal, request_id=rid,
                               options=options, chosen=set(values.getlist("grants") if hasattr(values, "getlist")
                                                           else values.get("grants", []))), status

    @bp.route("/projects/new", methods=["GET", "POST"])
    def create_project():
        if request.method == "GET":
            given = request.args.get("grant", "")
            return project_form({"grants": [given] if given else []}, None, request_id())
        rid = form_request_id()
        chosen = [g for g in request.form.getlist("grants") if g]
        if not chosen:
            return project_form(request.form, local_refusal({"grants": _("Choose at least one grant.")}), rid, 400)
        made, refusal = call(grants.CreateProject, grants_pb2.CreateProjectRequest(
            parent=parent, project=grants_pb2.Project(
                title=request.form.get("title", "").strip(), description=request.form.get("description", "").strip(),
                grants=[f"{parent}/grants/{g}" for g in chosen]), request_id=rid), service="events")
        if refusal is not None:
            return project_form(request.form, _base_fields(refusal), rid, refusal.status)
        flash(_("The project %(title)s is created. Add its activities below.", title=made.title), "success")
        return redirect(url_for("grants.project", project_id=last_id(made.name)))

    def show_project(project_id: str, refusal: ServiceRefusal | None = None, status: int = 200):
        p, _r = call(grants.GetProject, grants_pb2.GetProjectRequest(name=f"{parent}/projects/{project_id}"),
                     service="events")
        titles = activity_titles()
        paid_by = []
        for name in p.grants:
            g, _r = call(grants.GetGrant, grants_pb2.GetGrantRequest(name=name), service="events")
            paid_by.append(g)
        others = sorted(((last_id(n), t) for n, t in titles.items() if n not in p.activities), key=lambda x: x[1])
        return render_template("grants/project.html", project=p, pid=project_id, grants=paid_by, titles=titles,
                               others=[("", _("Choose an activity"))] + others, kroner=kroner, last_id=last_id,
                               refusal=refusal, request_id=request_id(),
                               figures=year_figures(project=p.name) if p.activities else None), status

    @bp.get("/projects/<id:project_id>")
    def project(project_id: str):
        return show_project(project_id)

    @bp.post("/projects/<id:project_id>/activities")
    def link(project_id: str):
        activity = request.form.get("activity", "").strip()
        if not activity:
            return show_project(project_id, local_refusal({"activity": _("Choose the activity to add.")}), 400)
        _p, refusal = call(grants.LinkActivity, grants_pb2.LinkActivityRequest(
            project=f"{parent}/projects/{project_id}", activity=f"{parent}/activities/{activity}",
            request_id=form_request_id()), service="events")
        if refusal is not None:
            return show_project(project_id, refusal, refusal.status)
        flash(_("The activity is added to the project."), "success")
        return redirect(url_for("grants.project", project_id=project_id))

    @bp.post("/projects/<id:project_id>/activities/<id:activity_id>/remove")
    def unlink(project_id: str, activity_id: str):
        _p, refusal = call(grants.UnlinkActivity, grants_pb2.UnlinkActivityRequest(
            project=f"{parent}/projects/{project_id}", activity=f"{parent}/activities/{activity_id}",
            request_id=form_request_id()), service="events")
        if refusal is not None:
            return show_project(project_id, refusal, refusal.status)
        flash(_("The activity is taken off the project."), "success")
        return redirect(url_for("grants.project", project_id=project_id))

    return bp


def projects_of_activity(gw: Gateway, activity_name: str) -> list:
    """The projects an activity belongs to, for its page (empty when the grants service does not answer)."""
    grants = grants_pb2_grpc.GrantsServiceStub(channel(gw, "events"))
    try:
        page, _r = call(grants.ListProjects, grants_pb2.ListProjectsRequest(
            parent=activity_name.split("/activities/")[0], activity=activity_name, page_size=50), service="events")
    except Problem:  # the activity's page without its projects rather than no page
        return []
    return list(page.projects) if page else []
