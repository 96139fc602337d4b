"""Files that may hold personal data are their owner's alone: SQLite databases (with their -wal and
-shm files) 0600 in directories created 0700, and the local federation's logs 0600 in a 0700 directory."""
from __future__ import annotations

import contextlib
import os
import stat
import sys

import sqlalchemy as sa

from services.common.db import make_engine, migrate
from services.devstack.procs import open_log
from services.devstack.stack import Layout, Stack
from services.membership.bootstrap import MIGRATIONS


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextlib.contextmanager
def umask(value: int):
    """The usual umask of a login shell, which leaves new files readable by everyone."""
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def test_a_sqlite_database_and_its_wal_and_shm_files_are_0600_in_0700_directories(tmp_path):
    db = tmp_path / "var" / "mir" / "membership.db"
    with umask(0o022):
        engine = make_engine(f"sqlite:///{db}")
        try:
            with engine.connect() as conn, conn.begin():
                conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
                conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            with engine.connect() as conn:  # the WAL and shared-memory files exist while a connection is open
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("SELECT x FROM t").scalar() == 1
                files = {p.name: mode(p) for p in db.parent.iterdir()}
        finally:
            engine.dispose()
    assert files == {"membership.db": 0o600, "membership.db-wal": 0o600, "membership.db-shm": 0o600}
    assert mode(tmp_path / "var") == 0o700 and mode(tmp_path / "var" / "mir") == 0o700


def test_migrating_a_new_database_creates_it_0600(tmp_path):
    db = tmp_path / "hub" / "hub.db"
    with umask(0o022):
        migrate(f"sqlite:///{db}", MIGRATIONS)
    assert mode(db) == 0o600 and mode(db.parent) == 0o700
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert "idempotency_keys" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_an_existing_directory_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    with umask(0o022):
        make_engine(f"sqlite:///{shared}/events.db").dispose()
    assert mode(shared) == 0o755 and mode(shared / "events.db") == 0o600


def test_the_local_federations_logs_are_0600_in_a_0700_directory(tmp_path):
    stack = Stack(tmp_path / "dev", orgs=[], layout=Layout.free([]))
    with umask(0o022):
        proc = stack._spawn("mir-membership", [sys.executable, "-c", "print('started')"], os.environ.copy())
        assert proc.wait(30) == 0
    log = stack.log_dir / "mir-membership.log"
    assert log.read_text() == "started\n"
    assert mode(log) == 0o600 and mode(stack.log_dir) == 0o700


def test_an_earlier_log_is_narrowed_to_0600_and_appended_to(tmp_path):
    log = tmp_path / "logs" / "issuer.log"
    log.parent.mkdir()
    log.write_text("earlier run\n")
    os.chmod(log, 0o644)
    with open_log(log) as out:
        out.write(b"this run\n")
    assert mode(log) == 0o600 and log.read_text() == "earlier run\nthis run\n"


def test_the_brokers_log_is_0600(broker):
    assert mode(broker.log_path) == 0o600
