"""Which grants pay for a project and which activities count for it, as the events service's facts told."""
from __future__ import annotations

import abc

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.common.timestamps import utcnow
from services.reporting.adapters.orm import activity_projects, project_grants


class ProjectFacts(abc.ABC):
    @abc.abstractmethod
    def set_grants(self, project_id: str, grants: list[tuple[str, str]]) -> None:
        """The project's grants from now on, each (grant_id, funder_id): the whole set."""

    @abc.abstractmethod
    def set_link(self, activity_id: str, project_id: str, linked: bool) -> None: ...

    @abc.abstractmethod
    def knows_project(self, project_id: str) -> bool: ...

    @abc.abstractmethod
    def knows_grant(self, grant_id: str) -> bool: ...

    @abc.abstractmethod
    def activities(self, *, project_id: str | None = None, grant_id: str | None = None) -> frozenset[str]:
        """The activities linked now to the project, or to any project the grant pays for."""


class SqlProjectFacts(ProjectFacts):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def set_grants(self, project_id: str, grants: list[tuple[str, str]]) -> None:
        self.conn.execute(project_grants.delete().where(project_grants.c.project_id == project_id))
        now = utcnow()
        rows = {g: f for g, f in grants}  # each grant once
        if rows:
            self.conn.execute(project_grants.insert(), [
                {"project_id": project_id, "grant_id": g, "funder_id": f, "update_time": now}
                for g, f in rows.items()])

    def set_link(self, activity_id: str, project_id: str, linked: bool) -> None:
        t = activity_projects
        where = sa.and_(t.c.activity_id == activity_id, t.c.project_id == project_id)
        if self.conn.execute(t.update().where(where).values(linked=linked, update_time=utcnow())).rowcount == 0:
            self.conn.execute(t.insert().values(activity_id=activity_id, project_id=project_id, linked=linked,
                                                update_time=utcnow()))

    def knows_project(self, project_id: str) -> bool:
        return self.conn.execute(sa.select(project_grants.c.project_id).where(
            project_grants.c.project_id == project_id).limit(1)).first() is not None

    def knows_grant(self, grant_id: str) -> bool:
        return self.conn.execute(sa.select(project_grants.c.grant_id).where(
            project_grants.c.grant_id == grant_id).limit(1)).first() is not None

    def activities(self, *, project_id: str | None = None, grant_id: str | None = None) -> frozenset[str]:
        t = activity_projects
        q = sa.select(t.c.activity_id).where(t.c.linked.is_(sa.true()))
        if project_id is not None:
            q = q.where(t.c.project_id == project_id)
        if grant_id is not None:
            q = q.where(t.c.project_id.in_(sa.select(project_grants.c.project_id).where(
                project_grants.c.grant_id == grant_id)))
        return frozenset(self.conn.execute(q).scalars().all())
