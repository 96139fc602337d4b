"""An in-memory GrantsRepository and an events unit of work that has one."""
from __future__ import annotations

import dataclasses

from services.common.pagination import memory_page
from services.events.adapters.grants_repository import GrantsRepository, display_key
from tests.fakes import State
from tests.service_layer.test_events import FakeEventsUnitOfWork


class FakeGrants(GrantsRepository):
    def __init__(self, state: State) -> None:
        self.funders = state.table("funders")
        self.grants = state.table("grants")
        self.projects = state.table("projects")

    def _taken(self, name: str, but: str = "") -> bool:
        return any(display_key(f.display_name) == display_key(name) and f.id != but for f in self.funders.values())

    def add_funder(self, f):
        if self._taken(f.display_name):
            return False
        self.funders[f.id] = f
        return True

    def get_funder(self, funder_id):
        return self.funders.get(funder_id)

    def update_funder(self, f):
        if self._taken(f.display_name, but=f.id):
            return False
        self.funders[f.id] = f
        return True

    def page_funders(self, after, limit):
        return memory_page(list(self.funders.values()), lambda f: (display_key(f.display_name), f.id), after, limit)

    def add_grant(self, g):
        assert g.funder_id in self.funders  # the foreign key
        self.grants[g.id] = g

    def get_grant(self, grant_id):
        return self.grants.get(grant_id)

    def update_grant(self, g):
        assert g.id in self.grants
        self.grants[g.id] = g

    def page_grants(self, funder_id, after, limit):
        mine = [g for g in self.grants.values() if funder_id is None or g.funder_id == funder_id]
        return memory_page(mine, lambda g: (g.start_date, g.id), after, limit, descending=True)

    def add_project(self, p):
        assert all(g in self.grants for g in p.grant_ids)
        self.projects[p.id] = p

    def get_project(self, project_id, *, for_update=False):
        return self.projects.get(project_id)

    def update_project(self, p):
        assert p.id in self.projects and all(g in self.grants for g in p.grant_ids)
        self.projects[p.id] = dataclasses.replace(p)

    def page_projects(self, grant_id, activity_id, after, limit):
        mine = [p for p in self.projects.values() if (grant_id is None or grant_id in p.grant_ids)
                and (activity_id is None or activity_id in p.activity_ids)]
        return memory_page(mine, lambda p: (p.title, p.id), after, limit)


class FakeGrantsUnitOfWork(FakeEventsUnitOfWork):
    def open(self, state: State) -> None:
        super().open(state)
        self.grants = FakeGrants(state)
