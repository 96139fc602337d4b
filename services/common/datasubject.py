"""A data subject's rights (GDPR Art. 15, 17, 20) as every service of a node answers for its own data.

Each service declares, in one :class:`PersonData`, every column of its tables that refers to a person
and what erasure does to the row (:class:`Erase`). Export and erasure are both driven by that
declaration and by nothing else, so a table that is declared is exported and erased alike, and
``tests/contracts/test_person_data_coverage.py`` fails for any column of any service's metadata that
refers to a person and is not declared.

- Export: the rows of every declared table that refer to the person, all their columns, and the
  lines of the service's audit log whose resource names the person (who read their data, when, why).
- Erasure: in one transaction (the consumer's or the request's), each declared table's rows about the
  person are deleted, cleared (the person's reference and the listed personal columns emptied) or
  pseudonymised (the id replaced by an unlinkable token, so that aggregates stay as they were); the
  audit log's lines keep who read what and why, with the person's id in their resource replaced by
  ``erased``; published outbox rows keyed by the person, or carrying their id, are deleted, and so are
  remembered requests (idempotency keys) whose resource names the person.

Plain Python apart from :class:`SqlPersonData` (SQLAlchemy Core on the unit of work's connection).
"""
from __future__ import annotations

import base64
import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.common.audit import AuditEntry, check_purpose
from services.common.names import PERSON

if TYPE_CHECKING:
    from services.common.unit_of_work import Actor, UnitOfWork

ACTION_EXPORT = "person.export"
EXPORT_FORMAT = "brobygger.person-data-export.v1"
# What an erased person's id becomes in the resource of an audit line.
ERASED = "erased"
# The services of a node, in the order an export and an erasure list them.
SERVICES = ("membership", "events", "referral", "reporting")


class Erase(enum.Enum):
    """What erasure does to a row that refers to the person."""

    DELETE = "delete"  # the row goes
    CLEAR = "clear"  # the reference and the columns named in ``clears`` are emptied; the row stays
    PSEUDONYMISE = "pseudonymise"  # the reference becomes the erasure's unlinkable token; the row stays
    # The erasure log's own reference, cleared by membership when every service has confirmed (the
    # log must know whom to erase until then); not exported.
    UNTIL_COMPLETE = "until-complete"


class Holds(enum.Enum):
    """How a column refers to the person."""

    ID = "id"  # the bare id, e.g. 0f3c9a...
    NAME = "name"  # the resource name organizations/{org}/persons/{id}


@dataclass(frozen=True)
class PersonColumn:
    """One column of a table that refers to a person."""

    table: str
    column: str
    erase: Erase
    description: str
    holds: Holds = Holds.ID
    clears: tuple[str, ...] = ()  # with Erase.CLEAR: further columns of personal data emptied with it


@dataclass(frozen=True)
class Dependent:
    """A table whose rows hang off rows about the person through a key (e.g. a referral's deliveries):
    exported with them, and deleted when they are erased."""

    table: str
    column: str  # the dependent's column
    parent: str  # the declared table it points into
    parent_key: str  # the parent's key column
    description: str
    omit: tuple[str, ...] = ()  # columns not exported (a serialized request: what it carries is exported above)


@dataclass(frozen=True)
class PersonData:
    """Everything a service holds about people, declared once."""

    service: str
    columns: tuple[PersonColumn, ...]
    dependents: tuple[Dependent, ...] = ()
    # Facts (message classes) whose payload carries a person's id: published, their outbox rows are deleted;
    # not yet published, the id is taken out of the payload (the fact then tells of an anonymous participant).
    outbox_facts: tuple[type, ...] = ()

    @property
    def outbox_types(self) -> dict[str, type]:
        from services.common.facts import fact_type

        return {fact_type(m).type: m for m in self.outbox_facts}

    def covers(self, table: str, column: str) -> bool:
        return any(c.table == table and c.column == column for c in self.columns) or any(
            d.table == table and d.column == column for d in self.dependents)


# ---------------------------------------------------------------------------- what a service's data looks like


@dataclass
class TableExport:
    table: str
    description: str
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ServiceExport:
    service: str
    tables: list[TableExport]
    audit_entries: list[AuditEntry]


@dataclass(frozen=True)
class Erased:
    """What one service's erasure changed: rows per table (counts only)."""

    rows: dict[str, int]


class PersonDataStore(Protocol):
    """A unit of work's view of its service's data about one person."""

    def export(self, person_id: str) -> ServiceExport: ...

    def erase(self, person_id: str, token: str) -> Erased: ...

    def forget_published_facts(self, person_id: str) -> int:
        """Delete the published outbox rows that name the person; how many."""


def json_value(value: Any) -> Any:
    """A column's value as JSON can hold it."""
    if isinstance(value, (dt.datetime, dt.date)):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, enum.Enum):
        return value.value
    return value


# ---------------------------------------------------------------------------- SQL


class SqlPersonData:
    """Export and erasure on a unit of work's connection, driven by the service's declaration."""

    def __init__(self, conn: Connection, tables: dict[str, sa.Table], declared: PersonData, org: str) -> None:
        self.conn, self.tables, self.declared, self.org = conn, tables, declared, org

    def _ref(self, col: PersonColumn, person_id: str) -> str:
        return PERSON.format(org=self.org, person=person_id) if col.holds is Holds.NAME else person_id

    def _audit_condition(self, person_id: str):
        audit = self.tables["audit_log"]
        return audit.c.resource.contains(person_id, autoescape=True)

    def export(self, person_id: str) -> ServiceExport:
        out: list[TableExport] = []
        keys: dict[str, list] = {}
        for col in self.declared.columns:
            if col.erase is Erase.UNTIL_COMPLETE:
                continue
            t = self.tables[col.table]
            rows = self.conn.execute(sa.select(t).where(t.c[col.column] == self._ref(col, person_id))).mappings().all()
            out.append(TableExport(col.table, col.description,
                                   [{k: json_value(v) for k, v in r.items()} for r in rows]))
            keys[col.table] = list(rows)
        for dep in self.declared.dependents:
            t = self.tables[dep.table]
            parents = [r[dep.parent_key] for r in keys.get(dep.parent, [])]
            rows = (self.conn.execute(sa.select(t).where(t.c[dep.column].in_(parents))).mappings().all()
                    if parents else [])
            out.append(TableExport(dep.table, dep.description, [
                {k: json_value(v) for k, v in r.items() if k not in dep.omit} for r in rows]))
        audit = self.tables["audit_log"]
        lines = self.conn.execute(sa.select(audit).where(self._audit_condition(person_id)).order_by(audit.c.id)).all()
        return ServiceExport(self.declared.service, out, [
            AuditEntry(sequence=r.id, at=r.at, actor=r.actor, client=r.actor_client, action=r.action,
                       resource=r.resource, purpose=r.purpose, trace_id=r.trace_id) for r in lines])

    def erase(self, person_id: str, token: str) -> Erased:
        counts: dict[str, int] = {}
        # Dependents first: they point into the declared tables.
        for dep in self.declared.dependents:
            parent_col = next(c for c in self.declared.columns if c.table == dep.parent)
            p = self.tables[dep.parent]
            parents = sa.select(p.c[dep.parent_key]).where(p.c[parent_col.column] == self._ref(parent_col, person_id))
            t = self.tables[dep.table]
            counts[dep.table] = self.conn.execute(t.delete().where(t.c[dep.column].in_(parents))).rowcount
        for col in self.declared.columns:
            t = self.tables[col.table]
            where = t.c[col.column] == self._ref(col, person_id)
            if col.erase is Erase.DELETE:
                result = self.conn.execute(t.delete().where(where))
            elif col.erase is Erase.CLEAR:
                values = {name: _empty(t.c[name]) for name in (col.column, *col.clears)}
                result = self.conn.execute(t.update().where(where).values(**values))
            elif col.erase is Erase.PSEUDONYMISE:
                result = self.conn.execute(t.update().where(where).values(**{col.column: token}))
            else:
                continue
            counts[col.table] = counts.get(col.table, 0) + result.rowcount
        audit = self.tables["audit_log"]
        counts["audit_log"] = self.conn.execute(audit.update().where(self._audit_condition(person_id)).values(
            resource=sa.func.replace(audit.c.resource, person_id, ERASED))).rowcount
        counts["outbox"] = self.forget_published_facts(person_id) + self._anonymise_unpublished_facts(person_id)
        # A remembered request that produced the person (or their membership year) names them: it goes, so a
        # late retry of it is answered as a new request.
        requests = self.tables["idempotency_keys"]
        counts["idempotency_keys"] = self.conn.execute(requests.delete().where(
            requests.c.resource.contains(person_id, autoescape=True))).rowcount
        return Erased(counts)

    def _anonymise_unpublished_facts(self, person_id: str) -> int:
        """Facts still waiting in the outbox that name the person: the id is cleared from their payload
        (the relay then publishes them without it)."""
        types = self.declared.outbox_types
        if not types:
            return 0
        outbox = self.tables["outbox"]
        needle, n = person_id.encode(), 0
        waiting = sa.select(outbox.c.id, outbox.c.ce_type, outbox.c.payload).where(
            outbox.c.published_at.is_(None), outbox.c.ce_type.in_(list(types)))
        for row in self.conn.execute(waiting).all():
            if needle not in bytes(row.payload):
                continue
            message = types[row.ce_type].FromString(bytes(row.payload))
            for fd, value in message.ListFields():
                if fd.type == fd.TYPE_STRING and value == person_id:
                    message.ClearField(fd.name)
            n += self.conn.execute(outbox.update().where(outbox.c.id == row.id).values(
                payload=message.SerializeToString())).rowcount
        return n

    def forget_staged_facts(self, person_id: str, ce_type: str) -> int:
        """Outbox rows of one type keyed by the person and not yet published (a resent erasure request
        that no service needs any more); how many."""
        outbox = self.tables["outbox"]
        return self.conn.execute(outbox.delete().where(
            outbox.c.published_at.is_(None), outbox.c.key == person_id, outbox.c.ce_type == ce_type)).rowcount

    def forget_published_facts(self, person_id: str) -> int:
        """Published outbox rows keyed by the person, or of a type that carries person ids and whose
        payload holds this one."""
        outbox = self.tables["outbox"]
        published = outbox.c.published_at.is_not(None)
        n = self.conn.execute(outbox.delete().where(published, outbox.c.key == person_id)).rowcount
        if self.declared.outbox_types:
            needle = person_id.encode()
            carrying = sa.select(outbox.c.id, outbox.c.payload).where(
                published, outbox.c.ce_type.in_(list(self.declared.outbox_types)))
            ids = [r.id for r in self.conn.execute(carrying) if needle in bytes(r.payload)]
            for start in range(0, len(ids), 500):
                n += self.conn.execute(outbox.delete().where(outbox.c.id.in_(ids[start:start + 500]))).rowcount
        return n


def _empty(column: sa.Column) -> Any:
    if column.nullable:
        return None
    if isinstance(column.type, sa.LargeBinary):
        return b""
    if isinstance(column.type, sa.Boolean):
        return False
    if isinstance(column.type, sa.Integer):
        return 0
    return ""


# ---------------------------------------------------------------------------- the use cases


@dataclass(frozen=True)
class ExportPersonData:
    """A coordinator (or the node's operator, through the node's service account) exports a person."""

    person: str  # organizations/{org}/persons/{id}
    purpose: str
    actor: "Actor | None" = None


def export_person_data(cmd: ExportPersonData, uow: "UnitOfWork", org: str,
                       guard: Callable[["UnitOfWork", str], None] | None = None) -> ServiceExport:
    """This service's part of a person's export; the export is written to the audit log (who, why) in
    the same transaction, after the log was read (so that the export does not list itself). guard may
    refuse the export (membership: while the person's erasure is in progress)."""
    purpose = check_purpose(cmd.purpose, "this person's data", "the person's request for their data")
    person_id = PERSON.parse(cmd.person, "person", org=org)["person"]
    with uow:
        if guard is not None:
            guard(uow, person_id)
        data = uow.person_data.export(person_id)  # type: ignore[attr-defined]
        uow.audit.record(cmd.actor, ACTION_EXPORT, cmd.person, purpose)
        uow.commit()
    return data


def erase_person_data(uow: "UnitOfWork", person_id: str, token: str, confirmation) -> Erased:
    """A service's part of an erasure, inside the consumer's unit of work (its commit is the caller's):
    the rows go or are anonymised, and the confirmation fact is staged in the same transaction. Erasing
    again finds nothing left to change, so a redelivered request is harmless."""
    erased = uow.person_data.erase(person_id, token)  # type: ignore[attr-defined]
    uow.facts.add(confirmation, key=confirmation.erasure_id)
    return erased


def meant_for(fact, service: str) -> bool:
    """Whether a PersonErasureRequested is for the service: a first request is for every service; a resend
    names the services that had not confirmed, and one not named has erased the person already."""
    return not fact.services or service in fact.services


def erasure_consumer(service: str, confirm: Callable[[str], Any], token: Callable[[str], str] = lambda _p: "",
                     otherwise: Callable[["UnitOfWork", Any], None] | None = None):
    """The handler of an idempotent consumer that applies membership's PersonErasureRequested:
    ``confirm(erasure_id)`` builds the service's PersonDataErased fact, ``token(person_id)`` the
    pseudonym of the person's rows (reporting), ``otherwise`` handles every other fact (reporting's
    counting; None: other facts are skipped)."""
    from brobygger.membership.v1 import erasure_facts_pb2
    from services.common import facts as fact_types

    requested = fact_types.of(erasure_facts_pb2.PersonErasureRequested())

    def handle(uow: "UnitOfWork", envelope) -> None:
        if envelope.type == requested.type:
            fact = requested.parse(envelope.data)
            if not fact.person_id or not fact.erasure_id:
                raise fact_types.UnusableFact("a PersonErasureRequested without a person or an erasure id")
            if not meant_for(fact, service):
                return
            erase_person_data(uow, fact.person_id, token(fact.person_id), confirm(fact.erasure_id))
        elif otherwise is not None:
            otherwise(uow, envelope)

    handle.__name__ = f"{service}_erasure_consumer"
    return handle
