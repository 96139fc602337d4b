"""The idempotency table on SQLite and PostgreSQL, and its in-memory fake, behaving the same: it keeps
ids only, and a request is remembered for REQUEST_RETENTION, then neither answered from nor kept."""
from __future__ import annotations

import contextlib
import datetime as dt

import pytest
import sqlalchemy as sa

from services.common.db import make_engine, migrate
from services.common.unit_of_work import EXPIRED_PER_SWEEP, REQUEST_RETENTION, DuplicateRequest, SqlRequests
from services.membership.adapters.orm import tables
from services.membership.bootstrap import MIGRATIONS
from tests.fakes import FakeRequests, FakeUnitOfWork, Store

KEY = "RegisterPerson:u-1:r-1"
SECOND = dt.timedelta(seconds=1)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now


class Sql:
    """SqlRequests, one transaction per ``tx()``."""

    def __init__(self, url: str, clock: Clock) -> None:
        migrate(url, MIGRATIONS)
        self.engine = make_engine(url)
        self.table = tables["idempotency_keys"]
        self.clock = clock

    @contextlib.contextmanager
    def tx(self):
        with self.engine.connect() as conn, conn.begin():
            yield SqlRequests(conn, self.table, clock=self.clock)

    def stored(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(self.table.c.request_key)).scalars())

    def close(self) -> None:
        self.engine.dispose()


class Fake:
    """FakeRequests over a FakeUnitOfWork's state, committed at the end of ``tx()``."""

    def __init__(self, clock: Clock) -> None:
        self.store = Store()
        self.clock = clock

    @contextlib.contextmanager
    def tx(self):
        uow = FakeUnitOfWork(self.store)
        with uow:
            yield FakeRequests(uow.state, self.store, clock=self.clock)
            uow.commit()

    def stored(self) -> set[str]:
        return set(self.store.state.requests)

    def close(self) -> None:
        pass


def answered_within_the_retention_and_forgotten_after_it(requests):
    start = requests.clock.now
    with requests.tx() as r:
        assert r.find(KEY) is None
        r.remember(KEY, "p1")
    requests.clock.now = start + REQUEST_RETENTION - SECOND
    with requests.tx() as r:
        assert r.find(KEY) == "p1"
    with pytest.raises(DuplicateRequest), requests.tx() as r:
        r.remember(KEY, "p2")
    requests.clock.now = start + REQUEST_RETENTION + SECOND
    with requests.tx() as r:
        assert r.find(KEY) is None  # expired: no longer answered
    with requests.tx() as r:
        r.remember(KEY, "p3")  # the id may be used again, for a new resource
    with requests.tx() as r:
        assert r.find(KEY) == "p3"
    assert requests.stored() == {KEY}


def expired_ones_deleted_oldest_first_a_bounded_number_at_a_time(requests):
    start = requests.clock.now
    expired = [f"RegisterPerson:u-1:old-{i:03d}" for i in range(EXPIRED_PER_SWEEP + 20)]
    for i, key in enumerate(expired):
        requests.clock.now = start + i * SECOND
        with requests.tx() as r:
            r.remember(key, f"p{i}")
    requests.clock.now = start + REQUEST_RETENTION + len(expired) * SECOND  # all of them have expired
    with requests.tx() as r:
        r.remember("RegisterPerson:u-1:new-1", "n1")
    assert requests.stored() == set(expired[EXPIRED_PER_SWEEP:]) | {"RegisterPerson:u-1:new-1"}
    with requests.tx() as r:
        r.remember("RegisterPerson:u-1:new-2", "n2")
    assert requests.stored() == {"RegisterPerson:u-1:new-1", "RegisterPerson:u-1:new-2"}


def only_those_past_the_retention_deleted(requests):
    start = requests.clock.now
    with requests.tx() as r:
        r.remember("RegisterPerson:u-1:a", "pa")
    requests.clock.now = start + REQUEST_RETENTION / 2
    with requests.tx() as r:
        r.remember("RegisterPerson:u-1:b", "pb")
    requests.clock.now = start + REQUEST_RETENTION + SECOND
    with requests.tx() as r:
        r.remember("RegisterPerson:u-1:c", "pc")
        assert r.find("RegisterPerson:u-1:b") == "pb"
    assert requests.stored() == {"RegisterPerson:u-1:b", "RegisterPerson:u-1:c"}


SCENARIOS = [answered_within_the_retention_and_forgotten_after_it,
             expired_ones_deleted_oldest_first_a_bounded_number_at_a_time, only_those_past_the_retention_deleted]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_sql_requests(scenario, database_url):
    side = Sql(database_url, Clock())
    try:
        scenario(side)
    finally:
        side.close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_fake_requests_behave_the_same(scenario):
    scenario(Fake(Clock()))


def test_the_table_holds_ids_and_times_never_answers(database_url):
    migrate(database_url, MIGRATIONS)
    engine = make_engine(database_url)
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("idempotency_keys")}
        indexes = {i["name"] for i in sa.inspect(engine).get_indexes("idempotency_keys")}
    finally:
        engine.dispose()
    assert columns == {"request_key", "method", "resource", "created_at"}
    assert "ix_idempotency_created" in indexes
