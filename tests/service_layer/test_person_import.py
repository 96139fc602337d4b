"""Importing members on in-memory fakes: the check (dry run), starting, the batches (skip or stop), idempotency,
updates of matched people, expiry of an unstarted file, and the facts and audit lines it leaves."""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt

import pytest

from brobygger.membership.v1 import membership_facts_pb2 as facts
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.pagination import memory_page
from services.common.vocabulary import Gender, PaymentState
from services.membership.adapters.import_repository import PersonImportRepository
from services.membership.domain.model import MembershipYear
from services.membership.domain.person_import import OnError, Plan, Result, State
from services.membership.service_layer import person_import as imports
from tests.fakes import State as FakeState, Store
from tests.import_files import csv_bytes, member, members
from tests.service_layer.test_membership import (
    COORDINATOR, NODE_SERVICE, FakeMembershipUnitOfWork, amina, with_chapters,
)


class FakeImports(PersonImportRepository):
    def __init__(self, state: FakeState) -> None:
        self.jobs, self.files = state.table("person_imports"), state.table("person_import_files")
        self.records, self.keys = state.table("person_import_rows"), state.table("person_import_keys")
        self.persons, self.years = state.table("persons"), state.table("membership_years")

    def add(self, job, content, rows):
        self.jobs[job.id], self.files[job.id] = copy.deepcopy(job), content
        for r in rows:
            self.records[(job.id, r.row_number)] = r

    def get(self, import_id):
        return copy.deepcopy(self.jobs.get(import_id))

    def save(self, job, *, processed_before=None):
        if processed_before is not None and self.jobs[job.id].processed_rows != processed_before:
            return False
        self.jobs[job.id] = copy.deepcopy(job)
        return True

    def content(self, import_id):
        return self.files.get(import_id)

    def drop_content(self, import_id):
        self.files.pop(import_id, None)

    def rows(self, import_id, after, limit, *, problems_only=False, pending_only=False):
        mine = [r for (i, _), r in sorted(self.records.items()) if i == import_id
                and (not problems_only or r.problems) and (not pending_only or not r.result)]
        return memory_page(mine, lambda r: (r.row_number,), after, limit)

    def person_of_rows(self, import_id, row_numbers):
        return {n: self.records[(import_id, n)].person_id for n in row_numbers if (import_id, n) in self.records}

    def set_results(self, import_id, results):
        for n, result, pid in results:
            self.records[(import_id, n)] = dataclasses.replace(self.records[(import_id, n)], result=result,
                                                                person_id=pid)

    def known_keys(self, keys):
        return {k: self.keys[k] for k in keys if k in self.keys}

    def add_keys(self, import_id, keys, now):
        for k, pid in keys:
            assert k not in self.keys, "a row imported twice"
            self.keys[k] = pid

    def register_people(self):
        return list(self.persons.values())

    def add_persons(self, people):
        for p in people:
            self.persons[p.id] = p

    def add_years(self, years):
        for y in years:
            assert (y.person_id, y.year) not in self.years
            self.years[(y.person_id, y.year)] = y

    def with_state(self, state):
        return [copy.deepcopy(j) for j in self.jobs.values() if j.state == state]

    def page(self, after, limit):
        return memory_page(list(self.jobs.values()), lambda j: (j.create_time, j.id), after, limit, descending=True)


class FakeImportUnitOfWork(FakeMembershipUnitOfWork):
    def open(self, state):
        super().open(state)
        self.imports = FakeImports(state)


@pytest.fixture
def store():
    return with_chapters(Store())


@pytest.fixture
def uow(store):
    return lambda: FakeImportUnitOfWork(store)


def check(uow, content, actor=COORDINATOR, request_id=""):
    return imports.create_person_import(imports.CreatePersonImport("mir", content, "x.csv", actor, request_id), uow())


def start(uow, job, on_error=OnError.SKIP, actor=COORDINATOR, request_id=""):
    return imports.start_person_import(imports.StartPersonImport(job.id, f"organizations/mir/personImports/{job.id}",
                                                                 int(on_error), actor, request_id), uow())


def run(uow, limit=imports.BATCH):
    worker = imports.PersonImportWorker(uow, "mir")
    batches = 0
    for import_id in imports.running_imports(uow()):
        while imports.apply_batch(uow(), "mir", import_id, worker._parsed_of, limit=limit):
            batches += 1
    return batches


def rows(uow, job, **kw):
    out, token = [], ""
    while True:
        page, token = imports.list_person_import_rows(imports.ListPersonImportRows(
            job.id, "x", page_size=1000, page_token=token, **kw), uow())
        out += page
        if not token:
            return out


def get(uow, job):
    return imports.get_person_import(imports.GetPersonImport(job.id, "x"), uow())


def test_a_check_changes_nothing_but_keeps_the_file_and_each_rows_plan(uow, store):
    content = csv_bytes([member(0), member(1, **{"E-post": "feil"}), member(0)])
    job = check(uow, content)
    assert (job.state, job.total_rows, job.file_format, job.delimiter) == (State.CHECKED, 3, "csv", ";")
    assert job.planned == {"new_rows": 1, "update_rows": 0, "unchanged_rows": 0, "duplicate_rows": 1,
                           "invalid_rows": 1}
    assert store.state.table("persons") == {} and store.state.facts == []
    assert [(r.row_number, Plan(r.plan)) for r in rows(uow, job)] == [
        (2, Plan.NEW), (3, Plan.INVALID), (4, Plan.DUPLICATE_SUSPECTED)]
    assert [r.row_number for r in rows(uow, job, problems_only=True)] == [3, 4]
    assert store.state.table("person_import_files")[job.id] == content
    [line] = [a for a in store.state.audit if a.action == "person.import.check"]
    assert line.purpose == imports.PURPOSE and line.resource == f"organizations/mir/personImports/{job.id}"


def test_importing_skips_what_cannot_be_imported_and_reports_per_row(uow, store):
    job = check(uow, csv_bytes([member(0), member(1, **{"E-post": "feil"}), member(0), member(2)]))
    started = start(uow, job)
    assert started.state == State.RUNNING and started.started_by == "coordinator-mir"
    run(uow)
    done = get(uow, job)
    assert (done.state, done.processed_rows) == (State.SUCCEEDED, 4)
    assert done.done == {"new_rows": 2, "skipped_rows": 2}
    assert [Result(r.result) for r in rows(uow, job)] == [Result.CREATED, Result.SKIPPED, Result.SKIPPED,
                                                          Result.CREATED]
    people = store.state.table("persons")
    assert sorted(p.given_name for p in people.values()) == ["Amina", "Hodan"]
    years = store.state.table("membership_years")
    assert {(y.year, y.fee_nok, y.payment_state) for y in years.values()} == {
        (2026, 200, PaymentState.UNPAID), (2026, 200, PaymentState.PAID)}
    kinds = [type(f.message).__name__ for f in store.state.facts]
    assert kinds.count("PersonRegistered") == 2 and kinds.count("MembershipYearRecorded") == 2
    assert job.id not in store.state.table("person_import_files")  # the file is gone with the import's end


def test_an_import_that_stops_imports_the_rows_before_and_none_after(uow, store):
    job = check(uow, csv_bytes([member(0), member(1), member(2, Fornavn=""), member(3)]))
    start(uow, job, OnError.STOP)
    run(uow)
    done = get(uow, job)
    assert (done.state, done.stopped_at_row) == (State.STOPPED, 4)
    assert [Result(r.result) for r in rows(uow, job)] == [Result.CREATED, Result.CREATED, Result.NOT_IMPORTED,
                                                          Result.NOT_IMPORTED]
    assert done.done == {"new_rows": 2, "not_imported_rows": 2} and len(store.state.table("persons")) == 2


def test_importing_the_same_file_again_creates_nothing_twice(uow, store):
    content = csv_bytes(members(30))
    first = check(uow, content)
    start(uow, first)
    run(uow, limit=7)  # in several batches
    assert len(store.state.table("persons")) == 30
    again = check(uow, content)
    assert again.planned["unchanged_rows"] == 30
    start(uow, again)
    run(uow)
    assert get(uow, again).done == {"unchanged_rows": 30}
    assert len(store.state.table("persons")) == 30
    assert sum(type(f.message).__name__ == "PersonRegistered" for f in store.state.facts) == 30


def test_two_checks_of_one_file_started_both_import_each_row_once(uow, store):
    content = csv_bytes(members(5))
    a, b = check(uow, content), check(uow, content)
    start(uow, a), start(uow, b)
    run(uow)
    assert len(store.state.table("persons")) == 5
    assert get(uow, b).done == {"unchanged_rows": 5}


def test_a_matched_person_is_updated_with_what_the_row_has_and_audited_without_values(uow, store):
    from services.membership.service_layer import commands, handlers

    registered = handlers.register_person(commands.RegisterPerson(amina(
        given_name="Amina", family_name="Hussain", birth_year=1950, phone="+47 900 00 000", email="", chapter="furuset"),
        COORDINATOR), uow())
    job = check(uow, csv_bytes([member(0, Betalt="Ja")]))
    assert [(Plan(r.plan), r.person_id) for r in rows(uow, job)] == [(Plan.UPDATE, registered.id)]
    start(uow, job)
    run(uow)
    person = store.state.table("persons")[registered.id]
    assert (person.email, person.chapter) == ("medlem0@example.no", "linderud")
    assert store.state.table("membership_years")[(registered.id, 2026)].payment_state == PaymentState.PAID
    assert [Result(r.result) for r in rows(uow, job)] == [Result.UPDATED]
    [line] = [a for a in store.state.audit if a.action == "person.update"]
    assert line.purpose == "import: correction of email, chapter" and line.actor == "coordinator-mir"
    updated = [f.message for f in store.state.facts if isinstance(f.message, facts.PersonUpdated)]
    assert list(updated[0].changed_fields) == ["email", "chapter"]
    assert len(store.state.table("persons")) == 1


def test_the_same_person_for_two_years_becomes_one_person_with_both_years(uow, store):
    job = check(uow, csv_bytes([member(0, År="2025"), member(0, År="2026", Betalt="Ja")]))
    start(uow, job)
    run(uow, limit=1)  # the second row in a batch of its own: the first row's person is read back
    [person_id] = store.state.table("persons")
    assert set(store.state.table("membership_years")) == {(person_id, 2025), (person_id, 2026)}
    assert [Result(r.result) for r in rows(uow, job)] == [Result.CREATED, Result.UPDATED]


def test_starting_needs_a_choice_and_starting_again_answers_the_import_as_it_is(uow):
    job = check(uow, csv_bytes([member(0)]))
    with pytest.raises(InvalidArgument) as err:
        start(uow, job, on_error=0)
    assert err.value.reason == "ON_ERROR_REQUIRED"
    start(uow, job, request_id="r1")
    run(uow)
    again = start(uow, job, OnError.STOP)
    assert (again.state, again.on_error) == (State.SUCCEEDED, OnError.SKIP)
    with pytest.raises(NotFound):
        imports.get_person_import(imports.GetPersonImport("nope", "organizations/mir/personImports/nope"), uow())


def test_an_unstarted_check_expires_and_its_file_is_removed(uow, store, monkeypatch):
    job = check(uow, csv_bytes([member(0)]))
    later = job.expire_time + dt.timedelta(seconds=1)
    monkeypatch.setattr(imports, "utcnow", lambda: later)
    assert imports.running_imports(uow()) == []
    assert get(uow, job).state == State.EXPIRED and job.id not in store.state.table("person_import_files")
    with pytest.raises(FailedPrecondition) as err:
        start(uow, job)
    assert err.value.reason == "PERSON_IMPORT_EXPIRED" and "upload the file again" in err.value.message


def test_a_retried_check_returns_the_first(uow, store):
    content = csv_bytes([member(0)])
    assert check(uow, content, request_id="c1").id == check(uow, content, request_id="c1").id
    assert len(store.state.table("person_imports")) == 1


def test_a_batch_another_worker_applied_first_is_rolled_back(uow, store):
    job = check(uow, csv_bytes(members(3)))
    start(uow, job)
    worker = imports.PersonImportWorker(uow, "mir")
    moved = FakeImportUnitOfWork(store)
    original = FakeImports.save

    def racing_save(self, j, *, processed_before=None):
        if processed_before is not None:
            return False  # as if another worker's batch had committed meanwhile
        return original(self, j, processed_before=processed_before)

    FakeImports.save = racing_save
    try:
        with pytest.raises(imports.ProgressMoved):
            imports.apply_batch(moved, "mir", job.id, worker._parsed_of)
    finally:
        FakeImports.save = original
    assert store.state.table("persons") == {} and store.state.table("person_import_keys") == {}
    worker.run_once()
    assert len(store.state.table("persons")) == 3


def test_the_node_service_may_import_and_is_named_in_the_audit_log(uow, store):
    job = check(uow, csv_bytes([member(0)]), actor=NODE_SERVICE)
    start(uow, job, actor=NODE_SERVICE)
    run(uow)
    assert get(uow, job).started_by == "service-account-node-mir"
    assert [a.action for a in store.state.audit] == ["person.import.check", "person.import.start",
                                                     "person.import.finish"]
    [person] = store.state.table("persons").values()
    assert (person.gender, person.phone) == (Gender.FEMALE, "+47 900 00 000")
    [year] = store.state.table("membership_years").values()
    assert year == MembershipYear(person.id, 2026, 200, PaymentState.UNPAID, "", year.update_time)


def test_imports_are_listed_newest_first_in_pages(uow):
    jobs = [check(uow, csv_bytes([member(i)])) for i in range(3)]
    first, token = imports.list_person_imports(imports.ListPersonImports(page_size=2), uow())
    rest, end = imports.list_person_imports(imports.ListPersonImports(page_size=2, page_token=token), uow())
    assert [j.id for j in first + rest] == [j.id for j in reversed(jobs)] and end == ""


def test_the_worker_begins_when_an_import_is_started_and_stops_when_told(uow, store):
    import threading

    from tests.support import eventually

    files = imports.ParsedFiles()
    worker = imports.PersonImportWorker(uow, "mir", interval=60, files=files)  # it would look only every minute
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    job = imports.create_person_import(imports.CreatePersonImport("mir", csv_bytes(members(3)), "x.csv",
                                                                   COORDINATOR), uow(), files)
    assert files.get(job.id) is not None  # the check's reading, for the worker
    start(uow, job)
    files.started.set()  # what the servicer does after StartPersonImport
    eventually(lambda: len(store.state.table("persons")) == 3, timeout=10, what="the import's rows")
    assert files.get(job.id) is None  # dropped when the import ended
    stop.set()
    thread.join(5)
    assert not thread.is_alive()


def test_a_row_naming_a_chapter_the_organisation_does_not_have_is_invalid_in_the_dry_run(uow, store):
    """A person's chapter must be one of the organisation's chapters: the dry run says so for the row (and which
    column), rather than the import failing on it."""
    job = check(uow, csv_bytes([member(0), member(1, Lokallag="Grorud")]))
    planned = rows(uow, job)
    assert [Plan(r.plan) for r in planned] == [Plan.NEW, Plan.INVALID]
    assert [(p.column, p.code) for p in planned[1].problems] == [("Lokallag", "CHAPTER_NOT_FOUND")]
    start(uow, job)
    run(uow)
    assert len(store.state.table("persons")) == 1
