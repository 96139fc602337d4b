"""Node mode: funders, grants and projects over the events process's GrantsService, and figures per project
and per grant from reporting, under /api/v1.

/api/v1/funders[/{id}], /api/v1/grants[/{id}], /api/v1/projects[/{id}] with :linkActivity and
:unlinkActivity, /api/v1/projects/{id}/statistics and /api/v1/grants/{id}/statistics. Coordinators only.
"""
from __future__ import annotations

from typing import Mapping

import grpc

from brobygger.events.v1 import grants_pb2, grants_pb2_grpc
from brobygger.reporting.v1 import reporting_pb2, reporting_pb2_grpc
from gateway.api import API_PREFIX, Api, Body, Call, Operation, Param
from gateway.rest import OUTPUT_ONLY, PAGE, PERIOD, PERIOD_ALIASES, UPDATE_MASK, page_of, period_of

FUNDERS, GRANTS, PROJECTS = f"{API_PREFIX}/funders", f"{API_PREFIX}/grants", f"{API_PREFIX}/projects"
_NOT_IN_BODY = frozenset({"name", "request_id"})


def _mask(c: Call, renames: Mapping[str, str] | None = None):
    from google.protobuf import field_mask_pb2

    given = c.query["update_mask"]
    paths = ([p.strip() for p in given.split(",") if p.strip()] if given
             else [f for f in c.body_fields if f not in OUTPUT_ONLY and f != "activities"])
    return field_mask_pb2.FieldMask(paths=[(renames or {}).get(p, p) for p in paths])


def register(api: Api, channels: Mapping[str, grpc.Channel], org: str) -> None:
    grants = grants_pb2_grpc.GrantsServiceStub(channels["events"])
    reporting = reporting_pb2_grpc.ReportingServiceStub(channels["reporting"])
    parent = f"organizations/{org}"
    timeout = api.timeout

    def named(kind: str, value: str) -> str:
        value = value.strip()
        return value if not value or "/" in value else f"{parent}/{kind}/{value}"

    # ------------------------------------------------------------------ funders
    @api.route(Operation(
        "POST", FUNDERS, "createFunder", "Register a funder", "grants", "events", grants_pb2.Funder, status=201,
        body=Body(grants_pb2.Funder, "funder"), idempotent=True,
        description="display_name (e.g. \"Bydel Bjerke\"), required, and unique at the node (409 "
                    "FUNDER_ALREADY_EXISTS, case aside); description optional. Coordinators only.",
    ))
    def create_funder(c: Call):
        return grants.CreateFunder(grants_pb2.CreateFunderRequest(parent=parent, funder=c.body,
                                                                  request_id=c.request_id), timeout=timeout)

    @api.route(Operation("GET", FUNDERS, "listFunders", "The node's funders, by name", "grants", "events",
                         grants_pb2.ListFundersResponse, query=PAGE, not_found=False))
    def list_funders(c: Call):
        return grants.ListFunders(grants_pb2.ListFundersRequest(parent=parent, **page_of(c)), timeout=timeout)

    @api.route(Operation("GET", f"{FUNDERS}/<id:funder_id>", "getFunder", "Read a funder", "grants", "events",
                         grants_pb2.Funder))
    def get_funder(c: Call):
        return grants.GetFunder(grants_pb2.GetFunderRequest(name=f"{parent}/funders/{c.path['funder_id']}"),
                                timeout=timeout)

    @api.route(Operation(
        "PATCH", f"{FUNDERS}/<id:funder_id>", "updateFunder", "Correct a funder", "grants", "events",
        grants_pb2.Funder, body=Body(grants_pb2.Funder, "funder"), query=(UPDATE_MASK,), idempotent=True,
        description="display_name and description: those update_mask names, else those the body holds.",
    ))
    def update_funder(c: Call):
        body = grants_pb2.Funder()
        body.CopyFrom(c.body)
        body.name = f"{parent}/funders/{c.path['funder_id']}"
        return grants.UpdateFunder(grants_pb2.UpdateFunderRequest(funder=body, update_mask=_mask(c),
                                                                  request_id=c.request_id), timeout=timeout)

    # ------------------------------------------------------------------ grants
    @api.route(Operation(
        "POST", GRANTS, "createGrant", "Record a grant of a funder", "grants", "events", grants_pb2.Grant,
        status=201, body=Body(grants_pb2.Grant, "grant"), idempotent=True,
        description="funder (organizations/{org}/funders/{id}, or the bare id), title, amount_nok (whole kroner, "
                    "0 to 100,000,000), start_date and end_date (YYYY-MM-DD), purpose, reporting_duties (a list "
                    "of lines). A funder that is none is 409 FUNDER_NOT_FOUND. Coordinators only.",
    ))
    def create_grant(c: Call):
        body = grants_pb2.Grant()
        body.CopyFrom(c.body)
        body.funder = named("funders", body.funder)
        return grants.CreateGrant(grants_pb2.CreateGrantRequest(parent=parent, grant=body,
                                                                request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", GRANTS, "listGrants", "The node's grants, newest period first", "grants", "events",
        grants_pb2.ListGrantsResponse, not_found=False,
        query=PAGE + (Param("funder", "Only this funder's grants: organizations/{org}/funders/{id} or the id."),),
    ))
    def list_grants(c: Call):
        return grants.ListGrants(grants_pb2.ListGrantsRequest(parent=parent, funder=named("funders",
                                                                                          c.query["funder"]),
                                                              **page_of(c)), timeout=timeout)

    @api.route(Operation("GET", f"{GRANTS}/<id:grant_id>", "getGrant", "Read a grant", "grants", "events",
                         grants_pb2.Grant))
    def get_grant(c: Call):
        return grants.GetGrant(grants_pb2.GetGrantRequest(name=f"{parent}/grants/{c.path['grant_id']}"),
                               timeout=timeout)

    @api.route(Operation(
        "PATCH", f"{GRANTS}/<id:grant_id>", "updateGrant", "Correct a grant", "grants", "events", grants_pb2.Grant,
        body=Body(grants_pb2.Grant, "grant"), query=(UPDATE_MASK,), idempotent=True,
        description="title, reference, amount_nok, start_date, end_date, purpose and reporting_duties; the "
                    "funder cannot be changed.",
    ))
    def update_grant(c: Call):
        body = grants_pb2.Grant()
        body.CopyFrom(c.body)
        body.name = f"{parent}/grants/{c.path['grant_id']}"
        return grants.UpdateGrant(grants_pb2.UpdateGrantRequest(grant=body, update_mask=_mask(c),
                                                                request_id=c.request_id), timeout=timeout)

    # ------------------------------------------------------------------ projects
    def project_body(c: Call) -> grants_pb2.Project:
        body = grants_pb2.Project()
        body.CopyFrom(c.body)
        names = [named("grants", g) for g in body.grants]
        del body.grants[:]
        body.grants.extend(names)
        return body

    @api.route(Operation(
        "POST", PROJECTS, "createProject", "Create a project that grants pay for", "grants", "events",
        grants_pb2.Project, status=201, body=Body(grants_pb2.Project, "project"), idempotent=True,
        description="title, description, grants (1 to 20 names or ids of this node's grants; one that is none "
                    "is 409 GRANT_NOT_FOUND). Activities are added with :linkActivity.",
    ))
    def create_project(c: Call):
        return grants.CreateProject(grants_pb2.CreateProjectRequest(parent=parent, project=project_body(c),
                                                                    request_id=c.request_id), timeout=timeout)

    @api.route(Operation(
        "GET", PROJECTS, "listProjects", "The node's projects, by title", "grants", "events",
        grants_pb2.ListProjectsResponse, not_found=False,
        query=PAGE + (Param("grant", "Only projects this grant pays for (name or id)."),
                      Param("activity", "Only projects with this activity (name or id).")),
    ))
    def list_projects(c: Call):
        return grants.ListProjects(grants_pb2.ListProjectsRequest(
            parent=parent, grant=named("grants", c.query["grant"]),
            activity=named("activities", c.query["activity"]), **page_of(c)), timeout=timeout)

    @api.route(Operation("GET", f"{PROJECTS}/<id:project_id>", "getProject", "Read a project", "grants",
                         "events", grants_pb2.Project))
    def get_project(c: Call):
        return grants.GetProject(grants_pb2.GetProjectRequest(name=f"{parent}/projects/{c.path['project_id']}"),
                                 timeout=timeout)

    @api.route(Operation(
        "PATCH", f"{PROJECTS}/<id:project_id>", "updateProject", "Correct a project", "grants", "events",
        grants_pb2.Project, body=Body(grants_pb2.Project, "project"), query=(UPDATE_MASK,), idempotent=True,
        description="title, description and grants (the whole list); activities change with :linkActivity "
                    "and :unlinkActivity.",
    ))
    def update_project(c: Call):
        body = project_body(c)
        body.name = f"{parent}/projects/{c.path['project_id']}"
        return grants.UpdateProject(grants_pb2.UpdateProjectRequest(project=body, update_mask=_mask(c),
                                                                    request_id=c.request_id), timeout=timeout)

    for verb, rpc, request_type in (("link", grants.LinkActivity, grants_pb2.LinkActivityRequest),
                                    ("unlink", grants.UnlinkActivity, grants_pb2.UnlinkActivityRequest)):
        _register_link(api, verb, rpc, request_type, parent, named, timeout)

    # ------------------------------------------------------------------ figures per project and per grant
    for kind, one in (("projects", "project"), ("grants", "grant")):
        _register_statistics(api, reporting, kind, one, parent, timeout)


def _register_link(api, verb, rpc, request_type, parent, named, timeout) -> None:
    @api.route(Operation(
        "POST", f"{PROJECTS}/<id:project_id>:{verb}Activity", f"{verb}ProjectActivity",
        f"{'Add an activity to' if verb == 'link' else 'Take an activity off'} a project", "grants", "events",
        grants_pb2.Project, body=Body(request_type, exclude=frozenset({"project", "request_id"})),
        idempotent=True,
        description="Body {\"activity\": \"organizations/{org}/activities/{id}\"} (or the id). Doing it again "
                    "returns the project unchanged.",
    ))
    def link(c: Call):
        return rpc(request_type(project=f"{parent}/projects/{c.path['project_id']}",
                                activity=named("activities", c.body.activity), request_id=c.request_id),
                   timeout=timeout)



def _register_statistics(api, reporting, kind: str, one: str, parent: str, timeout: float) -> None:
    @api.route(Operation(
        "GET", f"{API_PREFIX}/{kind}/<id:{one}_id>/statistics", f"get{one.capitalize()}Statistics",
        f"The figures of a {one}'s activities for a period", "reporting", "reporting", reporting_pb2.Statistics,
        query=PERIOD, field_aliases=PERIOD_ALIASES,
        description=f"Sessions, participants, visits and volunteer hours of the activities of the {one}"
                    + (" (of every project the grant pays for, each activity once)" if one == "grant" else "")
                    + ", under the node's disclosure control like every figure; members, referrals and roles "
                      "belong to no activity and are 0. A " + one + " reporting knows nothing of is 404.",
    ))
    def statistics(c: Call):
        return reporting.GetStatistics(reporting_pb2.GetStatisticsRequest(
            organization=parent, period=period_of(c), **{one: f"{parent}/{kind}/{c.path[f'{one}_id']}"}),
            timeout=timeout)

