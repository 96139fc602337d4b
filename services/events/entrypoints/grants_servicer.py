"""GrantsService: proto -> command -> handler -> proto. No SQL, Kafka or JWT code here."""
from __future__ import annotations

from typing import Callable

from brobygger.events.v1 import grants_pb2, grants_pb2_grpc
from services.common.errors import FieldViolation, InvalidArgument
from services.common.grpcserver import Access, current_principal
from services.common.names import ORGANIZATION, NamePattern
from services.common.timestamps import timestamp
from services.events.domain.grants import Funder, Grant, Project, clean_duties
from services.events.entrypoints.grpc_servicer import ACTIVITY
from services.events.service_layer import grants as handlers
from services.events.service_layer.unit_of_work import EventsUnitOfWork

FUNDER = NamePattern("organizations/{org}/funders/{funder}")
GRANT = NamePattern("organizations/{org}/grants/{grant}")
PROJECT = NamePattern("organizations/{org}/projects/{project}")

_COORDINATORS = Access(roles=frozenset({"coordinator"}))
GRANTS_POLICY = {m: _COORDINATORS for m in (
    "CreateFunder", "GetFunder", "ListFunders", "UpdateFunder", "CreateGrant", "GetGrant", "ListGrants",
    "UpdateGrant", "CreateProject", "GetProject", "ListProjects", "UpdateProject", "LinkActivity",
    "UnlinkActivity")}


def _times(**values) -> dict:
    return {k: timestamp(v) for k, v in values.items() if v is not None}


def _paths(mask) -> tuple[str, ...]:
    return tuple(mask.paths)


class GrantsServicer(grants_pb2_grpc.GrantsServiceServicer):
    def __init__(self, uow: Callable[[], EventsUnitOfWork], org: str) -> None:
        self.uow, self.org = uow, org

    # ------------------------------------------------------------------ proto <-> domain

    def _funder(self, f: Funder) -> grants_pb2.Funder:
        return grants_pb2.Funder(name=FUNDER.format(org=self.org, funder=f.id), display_name=f.display_name,
                                 description=f.description, **_times(create_time=f.create_time,
                                                                     update_time=f.update_time))

    def _grant(self, g: Grant) -> grants_pb2.Grant:
        return grants_pb2.Grant(
            name=GRANT.format(org=self.org, grant=g.id), funder=FUNDER.format(org=self.org, funder=g.funder_id),
            title=g.title, reference=g.reference, amount_nok=g.amount_nok, start_date=g.start_date,
            end_date=g.end_date, purpose=g.purpose, reporting_duties=list(g.reporting_duties),
            **_times(create_time=g.create_time, update_time=g.update_time))

    def _project(self, p: Project) -> grants_pb2.Project:
        return grants_pb2.Project(
            name=PROJECT.format(org=self.org, project=p.id), title=p.title, description=p.description,
            grants=[GRANT.format(org=self.org, grant=g) for g in p.grant_ids],
            activities=[ACTIVITY.format(org=self.org, activity=a) for a in p.activity_ids],
            **_times(create_time=p.create_time, update_time=p.update_time))

    def _grant_ids(self, names, field: str) -> tuple[str, ...]:
        ids = []
        for i, name in enumerate(names):
            ids.append(GRANT.parse(name.strip(), f"{field}[{i}]", org=self.org)["grant"])
        return tuple(ids)

    def _id(self, pattern: NamePattern, value: str, field: str, key: str, *, optional: bool = False) -> str | None:
        if optional and not value.strip():
            return None
        return pattern.parse(value.strip(), field, org=self.org)[key]

    @staticmethod
    def _funder_from(m: grants_pb2.Funder) -> Funder:
        return Funder(id="", display_name=" ".join(m.display_name.split()), description=m.description.strip())

    def _grant_from(self, m: grants_pb2.Grant, *, funder: bool) -> Grant:
        funder_id = ""
        if funder:
            if not m.funder.strip():
                raise InvalidArgument("grant.funder is required: organizations/{org}/funders/{funder}.",
                                      reason="INVALID_FIELDS", violations=[FieldViolation(
                                          "grant.funder", "is required: the funder who gives the grant")])
            funder_id = self._id(FUNDER, m.funder, "grant.funder", "funder")
        return Grant(id="", funder_id=funder_id, title=m.title.strip(), amount_nok=m.amount_nok,
                     start_date=m.start_date.strip(), end_date=m.end_date.strip(), reference=m.reference.strip(),
                     purpose=m.purpose.strip(), reporting_duties=clean_duties(m.reporting_duties))

    # ------------------------------------------------------------------ funders

    def CreateFunder(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = handlers.CreateFunder(self._funder_from(request.funder), current_principal(), request.request_id)
        return self._funder(handlers.create_funder(cmd, self.uow()))

    def GetFunder(self, request, context):
        fid = self._id(FUNDER, request.name, "name", "funder")
        return self._funder(handlers.get_funder(fid, request.name, self.uow()))

    def ListFunders(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        found, token = handlers.list_funders(request.page_size, request.page_token, self.uow())
        return grants_pb2.ListFundersResponse(funders=[self._funder(f) for f in found], next_page_token=token)

    def UpdateFunder(self, request, context):
        fid = self._id(FUNDER, request.funder.name, "funder.name", "funder")
        cmd = handlers.UpdateFunder(fid, request.funder.name, self._funder_from(request.funder),
                                    _paths(request.update_mask), current_principal(), request.request_id)
        return self._funder(handlers.update_funder(cmd, self.uow()))

    # ------------------------------------------------------------------ grants

    def CreateGrant(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = handlers.CreateGrant(self._grant_from(request.grant, funder=True), request.grant.funder.strip(),
                                   current_principal(), request.request_id)
        return self._grant(handlers.create_grant(cmd, self.uow()))

    def GetGrant(self, request, context):
        gid = self._id(GRANT, request.name, "name", "grant")
        return self._grant(handlers.get_grant(gid, request.name, self.uow()))

    def ListGrants(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = handlers.ListGrants(self._id(FUNDER, request.funder, "funder", "funder", optional=True),
                                  request.page_size, request.page_token)
        found, token = handlers.list_grants(cmd, self.uow())
        return grants_pb2.ListGrantsResponse(grants=[self._grant(g) for g in found], next_page_token=token)

    def UpdateGrant(self, request, context):
        gid = self._id(GRANT, request.grant.name, "grant.name", "grant")
        cmd = handlers.UpdateGrant(gid, request.grant.name, self._grant_from(request.grant, funder=False),
                                   _paths(request.update_mask), current_principal(), request.request_id)
        return self._grant(handlers.update_grant(cmd, self.uow()))

    # ------------------------------------------------------------------ projects

    def _project_from(self, m: grants_pb2.Project) -> tuple[Project, tuple[str, ...]]:
        names = tuple(g.strip() for g in m.grants)
        return Project(id="", title=m.title.strip(), description=m.description.strip(),
                       grant_ids=self._grant_ids(names, "project.grants")), names

    def CreateProject(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        project, names = self._project_from(request.project)
        cmd = handlers.CreateProject(project, names, current_principal(), request.request_id)
        return self._project(handlers.create_project(cmd, self.uow()))

    def GetProject(self, request, context):
        pid = self._id(PROJECT, request.name, "name", "project")
        return self._project(handlers.get_project(pid, request.name, self.uow()))

    def ListProjects(self, request, context):
        ORGANIZATION.parse(request.parent, "parent", org=self.org)
        cmd = handlers.ListProjects(self._id(GRANT, request.grant, "grant", "grant", optional=True),
                                    self._id(ACTIVITY, request.activity, "activity", "activity", optional=True),
                                    request.page_size, request.page_token)
        found, token = handlers.list_projects(cmd, self.uow())
        return grants_pb2.ListProjectsResponse(projects=[self._project(p) for p in found], next_page_token=token)

    def UpdateProject(self, request, context):
        pid = self._id(PROJECT, request.project.name, "project.name", "project")
        project, names = self._project_from(request.project)
        mask = tuple("grant_ids" if p.removeprefix("project.") == "grants" else p for p in request.update_mask.paths)
        cmd = handlers.UpdateProject(pid, request.project.name, project, mask, names, current_principal(),
                                     request.request_id)
        return self._project(handlers.update_project(cmd, self.uow()))

    def _link(self, request, link: bool):
        pid = self._id(PROJECT, request.project, "project", "project")
        aid = self._id(ACTIVITY, request.activity, "activity", "activity")
        cmd = handlers.LinkActivity(pid, request.project, aid, request.activity, link, current_principal(),
                                    request.request_id)
        return self._project(handlers.link_activity(cmd, self.uow()))

    def LinkActivity(self, request, context):
        return self._link(request, True)

    def UnlinkActivity(self, request, context):
        return self._link(request, False)
