"""In-memory fakes of the unit of work (cosmicpython's FakeUnitOfWork), for the
fast service-layer tier: no database, no broker, no server.

A fake unit of work works on a copy of its :class:`Store` and writes the copy
back on commit, so a use case that fails half-way leaves nothing behind, as a
database transaction would. A service's fake declares its repositories by
overriding ``open(state)``; each repository keeps its rows in one dict of the state.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from google.protobuf.message import Message

from services.common import audit as audit_log
from services.common import facts as fact_types
from services.common.pagination import Page, memory_page
from services.common.timestamps import utcnow
from services.common.unit_of_work import (
    EXPIRED_PER_SWEEP, REQUEST_RETENTION, Actor, DuplicateRequest, UnitOfWork,
)


@dataclass
class StagedFact:
    message: Message
    key: str

    @property
    def type(self) -> str:
        return fact_types.of(self.message).type


@dataclass
class AuditLine:
    actor: str
    action: str
    resource: str
    purpose: str
    client: str = ""
    sequence: int = 0
    at: Any = None


@dataclass
class State:
    """Everything a node's database would hold, in memory."""

    tables: dict[str, dict] = field(default_factory=dict)
    facts: list[StagedFact] = field(default_factory=list)
    audit: list[AuditLine] = field(default_factory=list)
    requests: dict[str, str] = field(default_factory=dict)
    request_times: dict[str, dt.datetime] = field(default_factory=dict)  # when each request was remembered
    processed: set[tuple[str, str]] = field(default_factory=set)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)

    def table(self, name: str) -> dict:
        return self.tables.setdefault(name, {})


class Store:
    """The committed state, shared by every unit of work a test makes."""

    def __init__(self) -> None:
        self.state = State()
        self.commits = 0


class FakeFacts:
    def __init__(self, state: State) -> None:
        self.state = state

    def add(self, message: Message, *, key: str) -> str:
        fact_types.of(message)  # only facts may be staged
        self.state.facts.append(StagedFact(message, key))
        return str(len(self.state.facts))

    def add_many(self, facts: list[tuple[Message, str]]) -> list[str]:
        return [self.add(message, key=key) for message, key in facts]


class FakeAudit:
    def __init__(self, state: State) -> None:
        self.state = state

    def record(self, actor: Actor | None, action: str, resource: str, purpose: str = "") -> None:
        who, client = audit_log.identity(actor)
        self.state.audit.append(AuditLine(who, action, resource, purpose, client, len(self.state.audit) + 1,
                                          utcnow()))

    def page(self, after: tuple | None, limit: int, *, resource: str = "",
             actor: str = "") -> Page[audit_log.AuditEntry]:
        lines = [audit_log.AuditEntry(a.sequence, a.at, a.actor, a.client, a.action, a.resource, a.purpose)
                 for a in self.state.audit
                 if (not resource or a.resource == resource) and (not actor or a.actor == actor)]
        return memory_page(lines, lambda e: (e.sequence,), after, limit, descending=True)


class FakeRequests:
    """As SqlRequests: a request older than REQUEST_RETENTION is neither found nor kept."""

    def __init__(self, state: State, store: Store, *, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.state, self.store, self.clock = state, store, clock

    @staticmethod
    def _live(state: State, key: str, cutoff: dt.datetime) -> bool:
        return key in state.requests and state.request_times.get(key, cutoff) >= cutoff

    def find(self, key: str) -> str | None:
        return self.state.requests[key] if self._live(self.state, key, self.clock() - REQUEST_RETENTION) else None

    def remember(self, key: str, resource: str) -> None:
        now = self.clock()
        cutoff = now - REQUEST_RETENTION
        if self._live(self.store.state, key, cutoff):  # committed meanwhile by another unit of work
            raise DuplicateRequest()
        expired = sorted((at, k) for k, at in self.state.request_times.items() if at < cutoff)
        doomed = {k for _, k in expired[:EXPIRED_PER_SWEEP]}  # the oldest expired ones ...
        doomed |= {k for _, k in expired if k == key}  # ... and this key's own
        for old in doomed:
            del self.state.requests[old], self.state.request_times[old]
        self.state.requests[key] = resource
        self.state.request_times[key] = now


class FakeInbox:
    def __init__(self, state: State) -> None:
        self.state = state

    def mark(self, consumer: str, fact_id: str) -> bool:
        if (consumer, fact_id) in self.state.processed:
            return False
        self.state.processed.add((consumer, fact_id))
        return True

    def dead_letter(self, consumer: str, fact_id: str, **details: Any) -> None:
        self.state.dead_letters.append({"consumer": consumer, "fact_id": fact_id, **details})
        self.mark(consumer, fact_id)


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.committed = False
        self.state: State | None = None

    def __enter__(self):
        self._bind(copy.deepcopy(self.store.state))
        return self

    def _bind(self, state: State) -> None:
        self.state = state
        self.facts = FakeFacts(state)
        self.audit = FakeAudit(state)
        self.requests = FakeRequests(state, self.store)
        self.inbox = FakeInbox(state)
        self.open(state)

    def open(self, state: State) -> None:
        """Build this service's fake repositories over state."""

    def commit(self) -> None:
        self.store.state = self.state
        self.store.commits += 1
        self.committed = True
        self._bind(copy.deepcopy(self.state))

    def rollback(self) -> None:
        pass  # the working copy is simply dropped

    # What tests look at: the committed state.
    @property
    def facts_published(self) -> list[StagedFact]:
        return self.store.state.facts

    @property
    def audit_lines(self) -> list[AuditLine]:
        return self.store.state.audit
