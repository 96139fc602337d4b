"""The erasure log in and out of the database."""
from __future__ import annotations

import abc

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.common.pagination import Key, Page, sql_page
from services.membership.adapters.orm import erasure_services, erasures
from services.membership.domain.erasure import Erasure, ErasureState


class ErasureRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, erasure: Erasure) -> None: ...

    @abc.abstractmethod
    def get(self, erasure_id: str) -> Erasure | None: ...

    @abc.abstractmethod
    def in_progress_for(self, person_id: str) -> Erasure | None:
        """The erasure in progress of this person, if any."""

    @abc.abstractmethod
    def save(self, erasure: Erasure) -> None:
        """Store its state, completion and the services' confirmations."""

    @abc.abstractmethod
    def page(self, after: Key | None, limit: int) -> Page[Erasure]:
        """Newest first, keyed by (create_time, id)."""


class SqlErasureRepository(ErasureRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, erasure: Erasure) -> None:
        self.conn.execute(erasures.insert().values(
            id=erasure.id, person_id=erasure.person_id, reason=erasure.reason, requester_role=erasure.requester_role,
            state=int(erasure.state), create_time=erasure.create_time, complete_time=erasure.complete_time))
        self.conn.execute(erasure_services.insert(), [
            {"erasure_id": erasure.id, "service": s, "complete_time": at} for s, at in erasure.services.items()])

    def _load(self, row) -> Erasure:
        services = dict(self.conn.execute(sa.select(erasure_services.c.service, erasure_services.c.complete_time)
                                          .where(erasure_services.c.erasure_id == row.id)).all())
        return Erasure(id=row.id, reason=row.reason, requester_role=row.requester_role, create_time=row.create_time,
                       person_id=row.person_id, state=ErasureState(row.state), complete_time=row.complete_time,
                       services=services)

    def get(self, erasure_id: str) -> Erasure | None:
        row = self.conn.execute(sa.select(erasures).where(erasures.c.id == erasure_id)).first()
        return self._load(row) if row else None

    def in_progress_for(self, person_id: str) -> Erasure | None:
        row = self.conn.execute(sa.select(erasures).where(erasures.c.person_id == person_id)).first()
        return self._load(row) if row else None

    def save(self, erasure: Erasure) -> None:
        self.conn.execute(erasures.update().where(erasures.c.id == erasure.id).values(
            person_id=erasure.person_id, state=int(erasure.state), complete_time=erasure.complete_time))
        for service, at in erasure.services.items():
            self.conn.execute(erasure_services.update().where(
                erasure_services.c.erasure_id == erasure.id, erasure_services.c.service == service).values(
                complete_time=at))

    def page(self, after: Key | None, limit: int) -> Page[Erasure]:
        page = sql_page(self.conn, sa.select(erasures), [erasures.c.create_time, erasures.c.id], after, limit,
                        lambda r: r, descending=True)
        return Page([self._load(r) for r in page.items], page.next_key)
