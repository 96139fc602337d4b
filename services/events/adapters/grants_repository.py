"""Funders, grants and projects in and out of the database (the abstract repository says what the service
layer may ask; tests of the service layer use an in-memory one)."""
from __future__ import annotations

import abc

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.common.pagination import Key, Page, sql_page
from services.events.adapters.orm import funders, grants, project_activities, project_grants, projects
from services.events.domain.grants import Funder, Grant, Project


def display_key(name: str) -> str:
    """What makes two funders' names the same: case and surrounding blanks aside."""
    return " ".join(name.split()).casefold()


class GrantsRepository(abc.ABC):
    @abc.abstractmethod
    def add_funder(self, f: Funder) -> bool:
        """False when another funder has the same display name."""

    @abc.abstractmethod
    def get_funder(self, funder_id: str) -> Funder | None: ...

    @abc.abstractmethod
    def update_funder(self, f: Funder) -> bool:
        """False when another funder has the new display name."""

    @abc.abstractmethod
    def page_funders(self, after: Key | None, limit: int) -> Page[Funder]:
        """By display name, keyed by (display_key, id)."""

    @abc.abstractmethod
    def add_grant(self, g: Grant) -> None: ...

    @abc.abstractmethod
    def get_grant(self, grant_id: str) -> Grant | None: ...

    @abc.abstractmethod
    def update_grant(self, g: Grant) -> None: ...

    @abc.abstractmethod
    def page_grants(self, funder_id: str | None, after: Key | None, limit: int) -> Page[Grant]:
        """Newest start date first, keyed by (start_date, id)."""

    @abc.abstractmethod
    def add_project(self, p: Project) -> None: ...

    @abc.abstractmethod
    def get_project(self, project_id: str, *, for_update: bool = False) -> Project | None:
        """for_update locks the project until the transaction ends (concurrent links wait)."""

    @abc.abstractmethod
    def update_project(self, p: Project) -> None:
        """The project's fields, grants and activities as p has them."""

    @abc.abstractmethod
    def page_projects(self, grant_id: str | None, activity_id: str | None, after: Key | None,
                      limit: int) -> Page[Project]:
        """By title, keyed by (title, id)."""


def _funder(row) -> Funder:
    return Funder(row.id, row.display_name, row.description, row.create_time, row.update_time)


def _grant(row) -> Grant:
    return Grant(row.id, row.funder_id, row.title, row.amount_nok, row.start_date, row.end_date, row.reference,
                 row.purpose, tuple(row.reporting_duties or ()), row.create_time, row.update_time)


class SqlGrantsRepository(GrantsRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _unique(self, statement) -> bool:
        try:
            with self.conn.begin_nested():
                self.conn.execute(statement)
        except IntegrityError:
            return False
        return True

    def add_funder(self, f: Funder) -> bool:
        return self._unique(funders.insert().values(
            id=f.id, display_name=f.display_name, display_key=display_key(f.display_name),
            description=f.description, create_time=f.create_time, update_time=f.update_time))

    def get_funder(self, funder_id: str) -> Funder | None:
        row = self.conn.execute(sa.select(funders).where(funders.c.id == funder_id)).first()
        return _funder(row) if row else None

    def update_funder(self, f: Funder) -> bool:
        return self._unique(funders.update().where(funders.c.id == f.id).values(
            display_name=f.display_name, display_key=display_key(f.display_name), description=f.description,
            update_time=f.update_time))

    def page_funders(self, after: Key | None, limit: int) -> Page[Funder]:
        c = funders.c
        return sql_page(self.conn, sa.select(funders), (c.display_key, c.id), after, limit, _funder)

    def add_grant(self, g: Grant) -> None:
        self.conn.execute(grants.insert().values(
            id=g.id, funder_id=g.funder_id, title=g.title, reference=g.reference, amount_nok=g.amount_nok,
            start_date=g.start_date, end_date=g.end_date, purpose=g.purpose,
            reporting_duties=list(g.reporting_duties), create_time=g.create_time, update_time=g.update_time))

    def get_grant(self, grant_id: str) -> Grant | None:
        row = self.conn.execute(sa.select(grants).where(grants.c.id == grant_id)).first()
        return _grant(row) if row else None

    def update_grant(self, g: Grant) -> None:
        self.conn.execute(grants.update().where(grants.c.id == g.id).values(
            title=g.title, reference=g.reference, amount_nok=g.amount_nok, start_date=g.start_date,
            end_date=g.end_date, purpose=g.purpose, reporting_duties=list(g.reporting_duties),
            update_time=g.update_time))

    def page_grants(self, funder_id: str | None, after: Key | None, limit: int) -> Page[Grant]:
        c = grants.c
        query = sa.select(grants)
        if funder_id is not None:
            query = query.where(c.funder_id == funder_id)
        return sql_page(self.conn, query, (c.start_date, c.id), after, limit, _grant, descending=True)

    def _links(self, project_ids: list[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        of_grants: dict[str, list[str]] = {p: [] for p in project_ids}
        of_activities: dict[str, list[str]] = {p: [] for p in project_ids}
        if project_ids:
            g = project_grants.c
            for row in self.conn.execute(sa.select(g.project_id, g.grant_id).where(
                    g.project_id.in_(project_ids)).order_by(g.project_id, g.position)):
                of_grants[row.project_id].append(row.grant_id)
            a = project_activities.c
            for row in self.conn.execute(sa.select(a.project_id, a.activity_id).where(
                    a.project_id.in_(project_ids)).order_by(a.project_id, a.position)):
                of_activities[row.project_id].append(row.activity_id)
        return of_grants, of_activities

    def _projects(self, rows) -> list[Project]:
        of_grants, of_activities = self._links([r.id for r in rows])
        return [Project(r.id, r.title, tuple(of_grants[r.id]), r.description, tuple(of_activities[r.id]),
                        r.create_time, r.update_time) for r in rows]

    def _write_links(self, p: Project) -> None:
        self.conn.execute(project_grants.delete().where(project_grants.c.project_id == p.id))
        self.conn.execute(project_activities.delete().where(project_activities.c.project_id == p.id))
        if p.grant_ids:
            self.conn.execute(project_grants.insert(), [
                {"project_id": p.id, "grant_id": g, "position": i} for i, g in enumerate(p.grant_ids)])
        if p.activity_ids:
            self.conn.execute(project_activities.insert(), [
                {"project_id": p.id, "activity_id": a, "position": i} for i, a in enumerate(p.activity_ids)])

    def add_project(self, p: Project) -> None:
        self.conn.execute(projects.insert().values(id=p.id, title=p.title, description=p.description,
                                                   create_time=p.create_time, update_time=p.update_time))
        self._write_links(p)

    def get_project(self, project_id: str, *, for_update: bool = False) -> Project | None:
        query = sa.select(projects).where(projects.c.id == project_id)
        rows = self.conn.execute(query.with_for_update() if for_update else query).all()
        found = self._projects(rows)
        return found[0] if found else None

    def update_project(self, p: Project) -> None:
        # The row first: on PostgreSQL its lock serialises concurrent changes of the project's links.
        self.conn.execute(projects.update().where(projects.c.id == p.id).values(
            title=p.title, description=p.description, update_time=p.update_time))
        self._write_links(p)

    def page_projects(self, grant_id: str | None, activity_id: str | None, after: Key | None,
                      limit: int) -> Page[Project]:
        c = projects.c
        query = sa.select(projects)
        if grant_id is not None:
            query = query.where(c.id.in_(sa.select(project_grants.c.project_id).where(
                project_grants.c.grant_id == grant_id)))
        if activity_id is not None:
            query = query.where(c.id.in_(sa.select(project_activities.c.project_id).where(
                project_activities.c.activity_id == activity_id)))
        page = sql_page(self.conn, query, (c.title, c.id), after, limit, lambda r: r)
        return Page(self._projects(page.items), page.next_key)
