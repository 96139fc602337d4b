"""Funders, grants and projects: the commands (what the caller asked) and their handlers.

The facts carry ids only (a project's grants and funders, an activity linked to or taken off a project), so
that reporting can count per project and per grant; no amount, title or text leaves the service.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from brobygger.events.v1 import grants_facts_pb2 as facts
from services.common.errors import AlreadyExists, FailedPrecondition, FieldViolation, NotFound
from services.common.names import new_id
from services.common.pagination import PageToken, page_size
from services.common.timestamps import utcnow
from services.common.unit_of_work import Actor, check_request_id, run_once
from services.events.domain.grants import (
    FUNDER_UPDATABLE, GRANT_UPDATABLE, PROJECT_UPDATABLE, Funder, Grant, Project, linked, patched, unlinked,
    validate_funder, validate_grant, validate_project,
)
from services.events.domain.model import check_update_mask
from services.events.service_layer.handlers import _activity
from services.events.service_layer.unit_of_work import EventsUnitOfWork

FUNDER_PAGE = PageToken((str, str))
GRANT_PAGE = PageToken((str, str))
PROJECT_PAGE = PageToken((str, str))


# ---------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class CreateFunder:
    funder: Funder
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class UpdateFunder:
    funder_id: str
    resource: str
    patch: Funder
    update_mask: tuple[str, ...]
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class CreateGrant:
    grant: Grant
    funder_resource: str
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class UpdateGrant:
    grant_id: str
    resource: str
    patch: Grant
    update_mask: tuple[str, ...]
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListGrants:
    funder_id: str | None = None
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class CreateProject:
    project: Project
    grant_resources: tuple[str, ...]  # as given, in the order of project.grant_ids, for error messages
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class UpdateProject:
    project_id: str
    resource: str
    patch: Project
    update_mask: tuple[str, ...]
    grant_resources: tuple[str, ...] = ()
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListProjects:
    grant_id: str | None = None
    activity_id: str | None = None
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class LinkActivity:
    project_id: str
    project_resource: str
    activity_id: str
    activity_resource: str
    link: bool = True  # False: unlink
    actor: Actor | None = None
    request_id: str = ""


# ---------------------------------------------------------------------------- handlers


def _funder(uow: EventsUnitOfWork, funder_id: str, resource: str) -> Funder:
    found = uow.grants.get_funder(funder_id)
    if found is None:
        raise NotFound(f"There is no funder {resource}; list funders to find the right name.",
                       reason="FUNDER_NOT_FOUND")
    return found


def _grant(uow: EventsUnitOfWork, grant_id: str, resource: str) -> Grant:
    found = uow.grants.get_grant(grant_id)
    if found is None:
        raise NotFound(f"There is no grant {resource}; list grants to find the right name.",
                       reason="GRANT_NOT_FOUND")
    return found


def _project(uow: EventsUnitOfWork, project_id: str, resource: str, *, for_update: bool = False) -> Project:
    found = uow.grants.get_project(project_id, for_update=for_update)
    if found is None:
        raise NotFound(f"There is no project {resource}; list projects to find the right name.",
                       reason="PROJECT_NOT_FOUND")
    return found


def _same_name(display_name: str, field: str = "funder.display_name") -> AlreadyExists:
    return AlreadyExists(
        f"A funder is called {display_name!r} already: use that funder, or give this one another name.",
        reason="FUNDER_ALREADY_EXISTS", violations=[FieldViolation(field, "another funder has this name")])


def create_funder(cmd: CreateFunder, uow: EventsUnitOfWork) -> Funder:
    validate_funder(cmd.funder)
    check_request_id(cmd.request_id)

    def work() -> Funder:
        made = dataclasses.replace(cmd.funder, id=new_id(), create_time=utcnow(), update_time=None)
        if not uow.grants.add_funder(made):
            raise _same_name(made.display_name)
        return made

    return run_once(uow, method="CreateFunder", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda f: f.id, load=lambda i: uow.grants.get_funder(i))


def get_funder(funder_id: str, resource: str, uow: EventsUnitOfWork) -> Funder:
    with uow:
        return _funder(uow, funder_id, resource)


def list_funders(size: int, token: str, uow: EventsUnitOfWork) -> tuple[list[Funder], str]:
    limit = page_size(size)
    after = FUNDER_PAGE.decode(token)
    with uow:
        page = uow.grants.page_funders(after, limit)
    return page.items, FUNDER_PAGE.encode(page.next_key)


def update_funder(cmd: UpdateFunder, uow: EventsUnitOfWork) -> Funder:
    paths = check_update_mask(cmd.update_mask, FUNDER_UPDATABLE, "funder")
    check_request_id(cmd.request_id)

    def work() -> Funder:
        current = _funder(uow, cmd.funder_id, cmd.resource)
        updated, changed = patched(current, cmd.patch, paths, utcnow())
        validate_funder(updated)
        if changed and not uow.grants.update_funder(updated):
            raise _same_name(updated.display_name)
        return updated

    return run_once(uow, method="UpdateFunder", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda f: f.id, load=lambda i: uow.grants.get_funder(i))


def create_grant(cmd: CreateGrant, uow: EventsUnitOfWork) -> Grant:
    validate_grant(cmd.grant)
    check_request_id(cmd.request_id)

    def work() -> Grant:
        if uow.grants.get_funder(cmd.grant.funder_id) is None:
            raise FailedPrecondition(
                f"grant.funder names no funder of this organisation ({cmd.funder_resource}); create the funder "
                "first, or list funders to find its name.", reason="FUNDER_NOT_FOUND",
                violations=[FieldViolation("grant.funder", "no such funder")])
        made = dataclasses.replace(cmd.grant, id=new_id(), create_time=utcnow(), update_time=None)
        uow.grants.add_grant(made)
        return made

    return run_once(uow, method="CreateGrant", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda g: g.id, load=lambda i: uow.grants.get_grant(i))


def get_grant(grant_id: str, resource: str, uow: EventsUnitOfWork) -> Grant:
    with uow:
        return _grant(uow, grant_id, resource)


def list_grants(cmd: ListGrants, uow: EventsUnitOfWork) -> tuple[list[Grant], str]:
    limit = page_size(cmd.page_size)
    after = GRANT_PAGE.decode(cmd.page_token, funder=cmd.funder_id or "")
    with uow:
        page = uow.grants.page_grants(cmd.funder_id, after, limit)
    return page.items, GRANT_PAGE.encode(page.next_key, funder=cmd.funder_id or "")


def update_grant(cmd: UpdateGrant, uow: EventsUnitOfWork) -> Grant:
    paths = check_update_mask(cmd.update_mask, GRANT_UPDATABLE, "grant")
    check_request_id(cmd.request_id)

    def work() -> Grant:
        current = _grant(uow, cmd.grant_id, cmd.resource)
        updated, changed = patched(current, cmd.patch, paths, utcnow())
        validate_grant(updated)
        if changed:
            uow.grants.update_grant(updated)
        return updated

    return run_once(uow, method="UpdateGrant", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda g: g.id, load=lambda i: uow.grants.get_grant(i))


def _check_grants(uow: EventsUnitOfWork, grant_ids: tuple[str, ...], resources: tuple[str, ...],
                  field: str = "project.grants") -> list[Grant]:
    found, missing = [], []
    for i, grant_id in enumerate(grant_ids):
        g = uow.grants.get_grant(grant_id)
        if g is None:
            named = resources[i] if i < len(resources) else grant_id
            missing.append(FieldViolation(f"{field}[{i}]", f"no such grant: {named}"))
        else:
            found.append(g)
    if missing:
        raise FailedPrecondition("A grant the project names is none of this organisation's; list grants to find "
                                 "the right names.", reason="GRANT_NOT_FOUND", violations=missing)
    return found


def _grants_fact(project: Project, paid_by: list[Grant]) -> facts.ProjectGrantsChanged:
    return facts.ProjectGrantsChanged(project_id=project.id, grant_ids=[g.id for g in paid_by],
                                      funder_ids=[g.funder_id for g in paid_by])


def create_project(cmd: CreateProject, uow: EventsUnitOfWork) -> Project:
    validate_project(cmd.project)
    check_request_id(cmd.request_id)

    def work() -> Project:
        paid_by = _check_grants(uow, cmd.project.grant_ids, cmd.grant_resources)
        made = dataclasses.replace(cmd.project, id=new_id(), activity_ids=(), create_time=utcnow(),
                                   update_time=None)
        uow.grants.add_project(made)
        uow.facts.add(_grants_fact(made, paid_by), key=made.id)
        return made

    return run_once(uow, method="CreateProject", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda p: p.id, load=lambda i: uow.grants.get_project(i))


def get_project(project_id: str, resource: str, uow: EventsUnitOfWork) -> Project:
    with uow:
        return _project(uow, project_id, resource)


def list_projects(cmd: ListProjects, uow: EventsUnitOfWork) -> tuple[list[Project], str]:
    limit = page_size(cmd.page_size)
    filters = {"grant": cmd.grant_id or "", "activity": cmd.activity_id or ""}
    after = PROJECT_PAGE.decode(cmd.page_token, **filters)
    with uow:
        page = uow.grants.page_projects(cmd.grant_id, cmd.activity_id, after, limit)
    return page.items, PROJECT_PAGE.encode(page.next_key, **filters)


def update_project(cmd: UpdateProject, uow: EventsUnitOfWork) -> Project:
    paths = check_update_mask(cmd.update_mask, PROJECT_UPDATABLE, "project")
    check_request_id(cmd.request_id)

    def work() -> Project:
        current = _project(uow, cmd.project_id, cmd.resource, for_update=True)
        updated, changed = patched(current, cmd.patch, paths, utcnow())
        validate_project(updated)
        if not changed:
            return current
        uow.grants.update_project(updated)
        if "grant_ids" in changed:
            uow.facts.add(_grants_fact(updated, _check_grants(uow, updated.grant_ids, cmd.grant_resources)),
                          key=updated.id)
        return updated

    return run_once(uow, method="UpdateProject", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda p: p.id, load=lambda i: uow.grants.get_project(i))


def link_activity(cmd: LinkActivity, uow: EventsUnitOfWork) -> Project:
    """The activity added to (or taken off) the project, with a fact keyed by the activity; again: unchanged,
    no second fact."""
    check_request_id(cmd.request_id)

    def work() -> Project:
        project = _project(uow, cmd.project_id, cmd.project_resource, for_update=True)
        _activity(uow, cmd.activity_id, cmd.activity_resource)
        updated, changed = (linked if cmd.link else unlinked)(project, cmd.activity_id)
        if not changed:
            return project
        uow.grants.update_project(updated)
        fact = facts.ActivityProjectLinked if cmd.link else facts.ActivityProjectUnlinked
        uow.facts.add(fact(activity_id=cmd.activity_id, project_id=project.id), key=cmd.activity_id)
        return updated

    return run_once(uow, method="LinkActivity" if cmd.link else "UnlinkActivity", actor=cmd.actor,
                    request_id=cmd.request_id, work=work, identify=lambda p: p.id,
                    load=lambda i: uow.grants.get_project(i))
