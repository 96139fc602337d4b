"""Membership use cases: each takes a command and runs in one unit of work."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.engine import Engine

from brobygger.membership.v1 import membership_events_pb2 as facts
from brobygger.membership.v1 import membership_pb2
from services.common import audit, idempotency, outbox, pagination
from services.common.db import UnitOfWork, utcnow
from services.common.errors import NotFound
from services.common.names import new_id
from services.membership.adapters import repository as repo
from services.membership.domain.model import MembershipYear, Person, validate_membership_year, validate_person

TYPE_PERSON_REGISTERED = "no.brobygger.membership.person.registered.v1"
TYPE_YEAR_RECORDED = "no.brobygger.membership.year.recorded.v1"


@dataclass
class Membership:
    engine: Engine
    tables: dict
    org: str
    topic: str
    source: str
    today: Callable[[], dt.date] = lambda: dt.datetime.now(dt.timezone.utc).date()

    def register_person(self, person: Person, request_id: str, to_proto: Callable[[Person], membership_pb2.Person]) -> membership_pb2.Person:
        validate_person(person, self.today())

        def work(conn):
            now = utcnow()
            person.id, person.create_time, person.update_time = new_id(), now, now
            repo.add_person(conn, person)
            outbox.add(conn, self.tables["outbox"], topic=self.topic, key=person.id, ce_type=TYPE_PERSON_REGISTERED,
                       source=self.source, message=facts.PersonRegistered(
                           person_id=person.id, birth_year=person.birth_year, gender=person.gender,
                           registered_date=now.date().isoformat()))
            return to_proto(person)

        return idempotency.run(self.engine, self.tables["idempotency_keys"], request_id, "RegisterPerson",
                               membership_pb2.Person, work)

    def get_person(self, person_id: str, principal, purpose: str, resource: str) -> Person:
        with UnitOfWork(self.engine) as uow:
            person = repo.get_person(uow.conn, person_id)
            if person is None:
                raise NotFound(f"There is no person {resource}; list persons to find the right name.",
                               reason="PERSON_NOT_FOUND")
            audit.record(uow.conn, self.tables["audit_log"], principal, "person.read", resource, purpose)
            return person

    def profile(self, person_id: str, principal, resource: str) -> Person:
        with UnitOfWork(self.engine) as uow:
            person = repo.get_person(uow.conn, person_id)
            if person is None:
                raise NotFound(f"There is no person {resource} at this node.", reason="PERSON_NOT_FOUND")
            audit.record(uow.conn, self.tables["audit_log"], principal, "person.profile.read", resource, "statistics")
            return person

    def list_persons(self, page_size: int, page_token: str) -> tuple[list[Person], str]:
        size = pagination.page_size(page_size)
        pos = pagination.decode(page_token, ("t", "id"))
        try:
            before = (dt.datetime.fromisoformat(pos["t"]), str(pos["id"])) if pos else None
        except (TypeError, ValueError):
            raise pagination.invalid_token() from None
        with UnitOfWork(self.engine) as uow:
            people, nxt = repo.list_persons(uow.conn, size, before)
        return people, (pagination.encode({"t": nxt[0].isoformat(), "id": nxt[1]}) if nxt else "")

    def record_membership_year(self, person_id: str, resource: str, m: MembershipYear, request_id: str,
                               to_proto: Callable[[MembershipYear], membership_pb2.MembershipYear]) -> membership_pb2.MembershipYear:
        validate_membership_year(m, self.today())

        def work(conn):
            person = repo.get_person(conn, person_id)
            if person is None:
                raise NotFound(f"There is no person {resource}; register the person first.", reason="PERSON_NOT_FOUND")
            m.person_id, m.update_time = person_id, utcnow()
            repo.upsert_membership_year(conn, m)
            outbox.add(conn, self.tables["outbox"], topic=self.topic, key=person_id, ce_type=TYPE_YEAR_RECORDED,
                       source=self.source, message=facts.MembershipYearRecorded(
                           person_id=person_id, year=m.year, payment_state=m.payment_state, fee_nok=m.fee_nok,
                           birth_year=person.birth_year))
            return to_proto(m)

        return idempotency.run(self.engine, self.tables["idempotency_keys"], request_id, "RecordMembershipYear",
                               membership_pb2.MembershipYear, work)

    def list_membership_years(self, person_id: str, resource: str, page_size: int, page_token: str):
        size = pagination.page_size(page_size)
        pos = pagination.decode(page_token, ("y",))
        if pos is not None and not isinstance(pos["y"], int):
            raise pagination.invalid_token()
        with UnitOfWork(self.engine) as uow:
            if repo.get_person(uow.conn, person_id) is None:
                raise NotFound(f"There is no person {resource}.", reason="PERSON_NOT_FOUND")
            years, nxt = repo.list_membership_years(uow.conn, person_id, size, pos["y"] if pos else None)
        return years, (pagination.encode({"y": nxt}) if nxt is not None else "")
