"""In-memory fakes of the unit of work (cosmicpython's FakeUnitOfWork), for the
fast service-layer tier: no database, no broker, no server.

A fake unit of work works on a copy of its :class:`Store` and writes the copy
back on commit, so a use case that fails half-way leaves nothing behind, as a
database transaction would. A service's fake declares its repositories by
overriding ``open(state)``; each repository keeps its rows in one dict of the state.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message

from services.common import facts as fact_types
from services.common.unit_of_work import Actor, DuplicateRequest, UnitOfWork


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


@dataclass
class State:
    """Everything a node's database would hold, in memory."""

    tables: dict[str, dict] = field(default_factory=dict)
    facts: list[StagedFact] = field(default_factory=list)
    audit: list[AuditLine] = field(default_factory=list)
    requests: dict[str, str] = field(default_factory=dict)
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


class FakeAudit:
    def __init__(self, state: State) -> None:
        self.state = state

    def record(self, actor: Actor | None, action: str, resource: str, purpose: str = "") -> None:
        who = (actor.username or actor.subject) if actor else "unknown"
        self.state.audit.append(AuditLine(who, action, resource, purpose))


class FakeRequests:
    def __init__(self, state: State, store: Store) -> None:
        self.state, self.store = state, store

    def find(self, key: str) -> str | None:
        return self.state.requests.get(key)

    def remember(self, key: str, resource: str) -> None:
        if key in self.store.state.requests:  # committed meanwhile by another unit of work
            raise DuplicateRequest()
        self.state.requests[key] = resource


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
