"""The unit of work every service's use cases run in (cosmicpython's pattern).

A handler takes a command and a unit of work, and nothing else that does I/O::

    def register_person(cmd: RegisterPerson, uow: MembershipUnitOfWork) -> Person:
        with uow:
            uow.persons.add(person)
            uow.facts.add(PersonRegistered(...), key=person.id)
            uow.commit()
        return person

Leaving the ``with`` block without ``commit()`` rolls back. The change, the
facts it produces (the outbox) and the audit lines of what it read commit
together or not at all. Besides its own repositories, every unit of work has:

- ``facts``:    stage a fact for the outbox (services.common.facts derives its type and topic);
- ``audit``:    record who read or changed which resource, and why;
- ``requests``: remember which resource a request_id produced, so a retry returns it (AIP-155);
- ``inbox``:    for consumers, mark a fact as applied (a redelivery is then a no-op) or dead-letter it.

:class:`SqlUnitOfWork` is the real one (SQLAlchemy Core, SQLite or PostgreSQL);
tests of the service layer use the in-memory fakes in ``tests/fakes.py``.
"""
from __future__ import annotations

import abc
import datetime as dt
import uuid
from typing import Callable, Protocol, TypeVar

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from services.common import audit as audit_log
from services.common import facts as fact_types
from services.common import telemetry
from services.common.errors import FieldViolation, InvalidArgument
from services.common.pagination import Page, sql_page
from services.common.timestamps import utcnow

T = TypeVar("T")

MAX_REQUEST_ID = 100
# How long a request_id is remembered. A client retries within minutes; after this the id is forgotten:
# an older row is neither answered from nor kept (each remember() deletes expired rows, oldest first).
REQUEST_RETENTION = dt.timedelta(days=7)
EXPIRED_PER_SWEEP = 100


class Actor(Protocol):
    """Who acts: services.common.auth.Principal fits."""

    subject: str
    username: str
    client_id: str


class DuplicateRequest(Exception):
    """Another request with the same request_id committed first."""


# ---------------------------------------------------------------------------- the parts every unit of work has


class Facts(Protocol):
    def add(self, message: Message, *, key: str) -> str:
        """Stage one fact, keyed by its aggregate id; returns its id."""

    def add_many(self, facts: list[tuple[Message, str]]) -> list[str]:
        """Stage many facts, each (message, key), in order; returns their ids."""


class Audit(Protocol):
    def record(self, actor: Actor | None, action: str, resource: str, purpose: str = "") -> None:
        """Write who did action on resource, and why."""

    def page(self, after: tuple | None, limit: int, *, resource: str = "",
             actor: str = "") -> Page[audit_log.AuditEntry]:
        """Lines newest first, after the key (sequence,) of the last one served; filters exact, '' for any."""


class Requests(Protocol):
    def find(self, key: str) -> str | None:
        """The resource a request produced, or None."""

    def remember(self, key: str, resource: str) -> None:
        """Bind a request to the resource it produced; DuplicateRequest when another got there first."""


class Inbox(Protocol):
    def mark(self, consumer: str, fact_id: str) -> bool:
        """Mark a fact applied by consumer; False when it already was."""

    def dead_letter(self, consumer: str, fact_id: str, *, topic: str, partition: int, offset: int, ce_type: str,
                    error: str) -> None:
        """Set aside a fact that cannot be applied, so it no longer blocks its partition."""


class UnitOfWork(abc.ABC):
    facts: Facts
    audit: Audit
    requests: Requests
    inbox: Inbox

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc_info) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None:
        """Undo what was not committed; a no-op after commit."""


# ---------------------------------------------------------------------------- idempotent commands


def check_request_id(request_id: str) -> None:
    if len(request_id) > MAX_REQUEST_ID:
        raise InvalidArgument(
            f"request_id is longer than {MAX_REQUEST_ID} characters; use a UUID.",
            reason="INVALID_REQUEST_ID",
            violations=[FieldViolation("request_id", f"at most {MAX_REQUEST_ID} characters, e.g. a UUID")],
        )


def request_key(method: str, actor: Actor | None, request_id: str) -> str:
    """A request_id is the caller's: another caller reusing it gets no one else's answer."""
    who = (actor.subject if actor is not None else "")[:40]
    return f"{method}:{who}:{request_id}"


def run_once(uow: UnitOfWork, *, method: str, actor: Actor | None, request_id: str,
             work: Callable[[], T], identify: Callable[[T], str], load: Callable[[str], T]) -> T:
    """Run ``work()`` in one transaction of uow, at most once per request_id.

    ``identify(result)`` names what work produced (an id, never personal data); a retry
    with the same request_id gets ``load(that id)``: the resource as it is now. Without a
    request_id the work simply runs.
    """
    check_request_id(request_id)
    key = request_key(method, actor, request_id) if request_id else ""
    for attempt in range(2):
        try:
            with uow:
                if key:
                    done = uow.requests.find(key)
                    if done is not None:
                        return load(done)
                result = work()
                if key:
                    uow.requests.remember(key, identify(result))
                uow.commit()
                return result
        except DuplicateRequest:  # a concurrent retry committed first: answer as it did
            if attempt:
                raise
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------- SQL


class SqlFacts:
    """Facts into the outbox table, in the unit of work's transaction."""

    def __init__(self, conn: Connection, table: sa.Table, org: str) -> None:
        self.conn, self.table, self.org = conn, table, org

    def add(self, message: Message, *, key: str) -> str:
        return self.add_many([(message, key)])[0]

    def add_many(self, facts: list[tuple[Message, str]]) -> list[str]:
        """Stage many facts (message, key) in one statement (a batch of an import); their ids."""
        if not facts:
            return []
        now = utcnow()
        ce_time, traceparent = now.isoformat().replace("+00:00", "Z"), telemetry.current_traceparent()
        rows = []
        for message, key in facts:
            ft = fact_types.of(message)
            rows.append(dict(
                fact_id=uuid.uuid4().hex, topic=ft.topic(self.org), key=key, ce_type=ft.type,
                ce_source=f"/organizations/{self.org}/{ft.service}", ce_time=ce_time, dataschema=ft.dataschema,
                payload=message.SerializeToString(), traceparent=traceparent, created_at=now))
        self.conn.execute(self.table.insert(), rows)
        return [r["fact_id"] for r in rows]


class SqlAudit:
    def __init__(self, conn: Connection, table: sa.Table) -> None:
        self.conn, self.table = conn, table

    def record(self, actor: Actor | None, action: str, resource: str, purpose: str = "") -> None:
        who, client = audit_log.identity(actor)
        self.conn.execute(self.table.insert().values(
            at=utcnow(), actor=who, actor_client=client,
            action=action, resource=resource[:300], purpose=(purpose or "")[:200],
            trace_id=telemetry.current_trace_id(),
        ))

    def page(self, after: tuple | None, limit: int, *, resource: str = "",
             actor: str = "") -> Page[audit_log.AuditEntry]:
        t = self.table
        query = sa.select(t)
        if resource:
            query = query.where(t.c.resource == resource)
        if actor:
            query = query.where(t.c.actor == actor)
        return sql_page(self.conn, query, [t.c.id], after, limit, lambda r: audit_log.AuditEntry(
            sequence=r.id, at=r.at, actor=r.actor, client=r.actor_client, action=r.action, resource=r.resource,
            purpose=r.purpose, trace_id=r.trace_id), descending=True)


class SqlRequests:
    """Which resource a request produced, for REQUEST_RETENTION: a row holds the request key
    (method:subject:request_id), the method and the resource's id, never a copy of the answer.

    remember() also deletes expired rows: this key's own, then up to EXPIRED_PER_SWEEP of the oldest
    (rows another transaction is deleting are skipped on PostgreSQL, so writers never wait on each other).
    """

    def __init__(self, conn: Connection, table: sa.Table, *, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.conn, self.table, self.clock = conn, table, clock

    def find(self, key: str) -> str | None:
        t = self.table
        cutoff = self.clock() - REQUEST_RETENTION
        return self.conn.execute(
            sa.select(t.c.resource).where(t.c.request_key == key, t.c.created_at >= cutoff)).scalar()

    def remember(self, key: str, resource: str) -> None:
        t = self.table
        now = self.clock()
        cutoff = now - REQUEST_RETENTION
        self.conn.execute(t.delete().where(t.c.request_key == key, t.c.created_at < cutoff))
        oldest = (sa.select(t.c.request_key).where(t.c.created_at < cutoff).order_by(t.c.created_at)
                  .limit(EXPIRED_PER_SWEEP).with_for_update(skip_locked=True))
        self.conn.execute(t.delete().where(t.c.request_key.in_(oldest)))
        try:
            with self.conn.begin_nested():
                self.conn.execute(t.insert().values(
                    request_key=key, method=key.split(":", 1)[0], resource=resource, created_at=now))
        except IntegrityError:
            raise DuplicateRequest() from None


class SqlInbox:
    def __init__(self, conn: Connection, processed: sa.Table, dead_letters: sa.Table) -> None:
        self.conn, self.processed, self.dead_letters = conn, processed, dead_letters

    def mark(self, consumer: str, fact_id: str) -> bool:
        try:
            with self.conn.begin_nested():
                self.conn.execute(self.processed.insert().values(
                    consumer=consumer, fact_id=fact_id, processed_at=utcnow()))
            return True
        except IntegrityError:
            return False

    def dead_letter(self, consumer: str, fact_id: str, *, topic: str, partition: int, offset: int, ce_type: str,
                    error: str) -> None:
        self.conn.execute(self.dead_letters.insert().values(
            consumer=consumer, fact_id=fact_id, topic=topic, partition=partition, offset=offset,
            ce_type=ce_type[:200], error=error[:200], failed_at=utcnow()))
        self.mark(consumer, fact_id)


class SqlUnitOfWork(UnitOfWork):
    """One database transaction. A service subclasses it and builds its repositories in :meth:`open`."""

    # e.g. "REPEATABLE READ", so that every figure of one report is read from one snapshot (PostgreSQL;
    # SQLite transactions are serialisable anyway).
    isolation_level: str | None = None
    # The service's declaration of the columns that refer to people (services.common.datasubject): with it,
    # the unit of work has ``person_data``, the person's export and erasure.
    person_data_declared = None

    def __init__(self, engine: Engine, tables: dict[str, sa.Table], org: str) -> None:
        self.engine, self.tables, self.org = engine, tables, org
        self.conn: Connection | None = None
        self._tx = None

    def __enter__(self):
        self.conn = self.engine.connect()
        if self.isolation_level and self.conn.dialect.name == "postgresql":
            self.conn.execution_options(isolation_level=self.isolation_level)
        self._tx = self.conn.begin()
        t = self.tables
        self.facts = SqlFacts(self.conn, t["outbox"], self.org)
        self.audit = SqlAudit(self.conn, t["audit_log"])
        self.requests = SqlRequests(self.conn, t["idempotency_keys"])
        self.inbox = SqlInbox(self.conn, t["processed_facts"], t["dead_letters"])
        if self.person_data_declared is not None:
            from services.common.datasubject import SqlPersonData

            self.person_data = SqlPersonData(self.conn, t, self.person_data_declared, self.org)
        self.open(self.conn)
        return self

    def open(self, conn: Connection) -> None:
        """Build this service's repositories on conn."""

    def __exit__(self, *exc_info) -> None:
        try:
            self.rollback()
        finally:
            if self.conn is not None:
                self.conn.close()
            self.conn = None

    def commit(self) -> None:
        self._tx.commit()

    def rollback(self) -> None:
        if self._tx is not None and self._tx.is_active:
            self._tx.rollback()
