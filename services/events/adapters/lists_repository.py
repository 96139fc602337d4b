"""The node's lists of themes and target groups in and out of the database."""
from __future__ import annotations

import abc

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.events.adapters.orm import activity_list_entries as t
from services.events.domain.activity_lists import ListEntry


class ListRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, e: ListEntry) -> bool:
        """False when the list has the code already."""

    @abc.abstractmethod
    def get(self, kind: str, code: str) -> ListEntry | None: ...

    @abc.abstractmethod
    def update(self, e: ListEntry) -> None: ...

    @abc.abstractmethod
    def entries(self, kind: str) -> list[ListEntry]:
        """Every entry of the list, by label."""

    def codes(self, kind: str) -> frozenset[str]:
        return frozenset(e.code for e in self.entries(kind))


class SqlListRepository(ListRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, e: ListEntry) -> bool:
        try:
            with self.conn.begin_nested():
                self.conn.execute(t.insert().values(kind=e.kind, code=e.code, label=e.label,
                                                    create_time=e.create_time))
        except IntegrityError:
            return False
        return True

    def get(self, kind: str, code: str) -> ListEntry | None:
        row = self.conn.execute(sa.select(t).where(t.c.kind == kind, t.c.code == code)).first()
        return ListEntry(row.kind, row.code, row.label, row.create_time) if row else None

    def update(self, e: ListEntry) -> None:
        self.conn.execute(t.update().where(t.c.kind == e.kind, t.c.code == e.code).values(label=e.label))

    def entries(self, kind: str) -> list[ListEntry]:
        rows = self.conn.execute(sa.select(t).where(t.c.kind == kind).order_by(t.c.label, t.c.code)).all()
        return [ListEntry(r.kind, r.code, r.label, r.create_time) for r in rows]
