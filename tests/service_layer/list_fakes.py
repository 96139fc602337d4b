"""An in-memory ListRepository (the node's themes and target groups)."""
from __future__ import annotations

from services.events.adapters.lists_repository import ListRepository


class FakeLists(ListRepository):
    def __init__(self, rows: dict) -> None:
        self.rows = rows  # (kind, code) -> entry

    def add(self, e):
        if (e.kind, e.code) in self.rows:
            return False
        self.rows[(e.kind, e.code)] = e
        return True

    def get(self, kind, code):
        return self.rows.get((kind, code))

    def update(self, e):
        assert (e.kind, e.code) in self.rows
        self.rows[(e.kind, e.code)] = e

    def entries(self, kind):
        return sorted((e for (k, _c), e in self.rows.items() if k == kind), key=lambda e: (e.label, e.code))
