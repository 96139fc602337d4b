"""Importing members from a spreadsheet: the use cases (check, start, read, list rows) and the batch step the
import worker runs in the service, each in a unit of work.

A check reads the file (services.membership.adapters.spreadsheet), judges every row
(services.membership.domain.person_import) and keeps the file and the rows' plans. Starting it marks it
running; the worker then applies it in batches of BATCH rows, each batch one transaction that also moves the
import's progress on, so that a crash loses at most the batch in flight and never applies a row twice (a
row's key is stored with the person it made, and the progress moves only from the value the batch read).
The file is dropped in the transaction that finishes the import, or when a checked import expires.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
import datetime as dt
from dataclasses import dataclass
from typing import Callable

from brobygger.membership.v1 import membership_facts_pb2 as facts
from services.common import audit as audit_log
from services.common.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from services.common.names import NamePattern, new_id
from services.common.pagination import PageToken, page_size
from services.common.timestamps import today, utcnow
from services.common.unit_of_work import Actor, run_once
from services.membership.adapters import spreadsheet
from services.membership.domain import person_import as rules
from services.membership.domain.group import GroupKind
from services.membership.domain.model import corrected
from services.membership.domain.person_import import ImportJob, ImportRowRecord, OnError, Plan, Result, State
from services.membership.service_layer.unit_of_work import MembershipUnitOfWork

log = logging.getLogger(__name__)
PERSON_IMPORT = NamePattern("organizations/{org}/personImports/{person_import}")
ROWS_PAGE = PageToken((int,))
BATCH = 1000
DEFAULT_ROWS_PAGE, MAX_ROWS_PAGE = 100, 1000
PURPOSE = "import of members from a spreadsheet"
MAX_CHAPTERS = 10_000  # more than any organisation has: every chapter id, to check the rows' chapters against


@dataclass(frozen=True)
class CreatePersonImport:
    org: str
    content: bytes
    filename: str = ""
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class GetPersonImport:
    import_id: str
    resource: str


@dataclass(frozen=True)
class StartPersonImport:
    import_id: str
    resource: str
    on_error: int
    actor: Actor | None = None
    request_id: str = ""


@dataclass(frozen=True)
class ListPersonImports:
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class ListPersonImportRows:
    import_id: str
    resource: str
    page_size: int = 0
    page_token: str = ""
    problems_only: bool = False


@dataclass
class Parsed:
    """A file read: its sheet, columns and rows by row number (the worker keeps one per running import)."""

    sheet: spreadsheet.Sheet
    columns: rules.Columns
    rows: dict[int, rules.Row]


class ParsedFiles:
    """The last few files read, by import id, so that the worker does not read again what the check just read
    (in one process; after a restart the worker reads the stored file). Thread-safe."""

    def __init__(self, size: int = 2) -> None:
        self.size, self._items, self._lock = size, {}, threading.Lock()
        # Set when an import is started in this process: the worker begins at once instead of at its next look.
        self.started = threading.Event()

    def put(self, import_id: str, parsed: Parsed) -> None:
        with self._lock:
            self._items.pop(import_id, None)
            self._items[import_id] = parsed
            while len(self._items) > self.size:
                self._items.pop(next(iter(self._items)))

    def get(self, import_id: str) -> Parsed | None:
        with self._lock:
            return self._items.get(import_id)

    def drop(self, import_id: str) -> None:
        with self._lock:
            self._items.pop(import_id, None)


def parse(content: bytes, filename: str = "", on: dt.date | None = None) -> Parsed:
    sheet = spreadsheet.read(content, filename)
    columns = rules.recognise(sheet.headers)
    missing = rules.missing_columns(columns)
    if missing:
        # The first row's cells are not quoted: in a file without a header row they are a member's data.
        known = len(columns.index)
        raise InvalidArgument(
            f"The file has no column {' or '.join(missing)} (or First name): the first row must hold the column "
            f"headers, e.g. Fornavn;Etternavn;Fødselsår;Kjønn;Mobil. Its first row has {len(sheet.headers)} "
            f"cells, {known} of them a header this import knows.",
            reason="MISSING_COLUMNS", violations=[FieldViolation("content", f"a column {m}") for m in missing])
    day = on or today()
    rows = {n: rules.parse_row(n, cells, columns, day) for n, cells in sheet.rows}
    return Parsed(sheet, columns, rows)


def _job(uow: MembershipUnitOfWork, import_id: str, resource: str) -> ImportJob:
    job = uow.imports.get(import_id)
    if job is None:
        raise NotFound(f"There is no import {resource}; upload the file again to check it.",
                       reason="PERSON_IMPORT_NOT_FOUND")
    return job


def _expire(uow: MembershipUnitOfWork, now: dt.datetime) -> None:
    """Checked imports not started in time: marked expired, their files dropped."""
    for job in uow.imports.with_state(State.CHECKED):
        if job.expire_time <= now:
            job.state, job.end_time = int(State.EXPIRED), now
            uow.imports.save(job)
            uow.imports.drop_content(job.id)


def create_person_import(cmd: CreatePersonImport, uow: MembershipUnitOfWork,
                         files: ParsedFiles | None = None) -> ImportJob:
    """The dry run: the file read and every row judged against the file itself and the register."""
    parsed = parse(cmd.content, cmd.filename)

    def work() -> ImportJob:
        now = utcnow()
        _expire(uow, now)
        rows = list(parsed.rows.values())
        register = rules.Register(uow.imports.register_people())
        imported = uow.imports.known_keys([rules.row_key(cmd.org, r) for r in rows if r.valid])
        chapters = frozenset(uow.groups.ids(GroupKind.CHAPTER, MAX_CHAPTERS))
        column = parsed.columns.index.get("chapter")
        planned = rules.plan(cmd.org, rows, register, imported, chapters,
                             parsed.columns.headers[column] if column is not None else rules.COLUMN_LABEL["chapter"])
        job = ImportJob(
            id=new_id(), state=int(State.CHECKED), file_format=parsed.sheet.format, encoding=parsed.sheet.encoding,
            delimiter=parsed.sheet.delimiter,
            columns=[(parsed.columns.headers[i], name) for name, i in sorted(parsed.columns.index.items(),
                                                                             key=lambda x: x[1])],
            unrecognized_columns=parsed.columns.unrecognised, total_rows=len(rows), create_time=now,
            expire_time=now + rules.CHECKED_FILE_KEPT, planned=rules.planned_counts(planned))
        uow.imports.add(job, cmd.content, [ImportRowRecord(
            row_number=p.number, plan=int(p.plan), person_id=p.person_id, same_as_row=p.same_as_row,
            problems=p.problems, row_key=p.key) for p in planned])
        uow.audit.record(cmd.actor, "person.import.check", PERSON_IMPORT.format(org=cmd.org, person_import=job.id),
                         PURPOSE)
        return job

    job = run_once(uow, method="CreatePersonImport", actor=cmd.actor, request_id=cmd.request_id, work=work,
                   identify=lambda j: j.id, load=lambda import_id: uow.imports.get(import_id))
    if files is not None and job.state == State.CHECKED:
        files.put(job.id, parsed)
    return job


def get_person_import(cmd: GetPersonImport, uow: MembershipUnitOfWork) -> ImportJob:
    with uow:
        return _job(uow, cmd.import_id, cmd.resource)


def start_person_import(cmd: StartPersonImport, uow: MembershipUnitOfWork) -> ImportJob:
    """A checked import marked running (the worker applies it); a started one answered as it is."""
    if cmd.on_error not in tuple(OnError):
        raise InvalidArgument("on_error is required: ON_ERROR_SKIP imports the valid rows and skips the others; "
                              "ON_ERROR_STOP stops at the first row that cannot be imported.",
                              reason="ON_ERROR_REQUIRED",
                              violations=[FieldViolation("on_error", "ON_ERROR_SKIP or ON_ERROR_STOP")])

    def work() -> ImportJob:
        now = utcnow()
        job = _job(uow, cmd.import_id, cmd.resource)
        if job.state == State.CHECKED and job.expire_time <= now:
            _expire(uow, now)
            job = _job(uow, cmd.import_id, cmd.resource)
        if job.state == State.EXPIRED:
            raise FailedPrecondition(
                f"The import {cmd.resource} was not started within an hour of its check, and its file has been "
                "removed; upload the file again.", reason="PERSON_IMPORT_EXPIRED")
        if job.state != State.CHECKED:
            return job
        job.state, job.on_error, job.start_time = int(State.RUNNING), int(cmd.on_error), now
        job.started_by, job.started_client = audit_log.identity(cmd.actor)
        uow.imports.save(job)
        uow.audit.record(cmd.actor, "person.import.start", cmd.resource, PURPOSE)
        return job

    return run_once(uow, method="StartPersonImport", actor=cmd.actor, request_id=cmd.request_id, work=work,
                    identify=lambda j: j.id, load=lambda import_id: uow.imports.get(import_id))


IMPORTS_PAGE = PageToken((dt.datetime, str))


def list_person_imports(cmd: ListPersonImports, uow: MembershipUnitOfWork) -> tuple[list[ImportJob], str]:
    size = page_size(cmd.page_size)
    after = IMPORTS_PAGE.decode(cmd.page_token)
    with uow:
        page = uow.imports.page(after, size)
    return page.items, IMPORTS_PAGE.encode(page.next_key)


def list_person_import_rows(cmd: ListPersonImportRows, uow: MembershipUnitOfWork) -> tuple[list[ImportRowRecord], str]:
    if not 0 <= cmd.page_size <= MAX_ROWS_PAGE:
        raise InvalidArgument(f"page_size must be 0..{MAX_ROWS_PAGE}; 0 means {DEFAULT_ROWS_PAGE}.",
                              reason="INVALID_PAGE_SIZE",
                              violations=[FieldViolation("page_size", f"must be 0..{MAX_ROWS_PAGE}")])
    size = cmd.page_size or DEFAULT_ROWS_PAGE
    filters = {"import": cmd.import_id, "problems": "1" if cmd.problems_only else ""}
    after = ROWS_PAGE.decode(cmd.page_token, **filters)
    with uow:
        _job(uow, cmd.import_id, cmd.resource)
        page = uow.imports.rows(cmd.import_id, after, size, problems_only=cmd.problems_only)
    return page.items, ROWS_PAGE.encode(page.next_key, **filters)


# ---------------------------------------------------------------------------- the worker's step


class ProgressMoved(Exception):
    """Another worker applied this batch first; this one's transaction is rolled back."""


def running_imports(uow: MembershipUnitOfWork) -> list[str]:
    """The ids of imports to apply; checked imports past their time are expired on the way."""
    with uow:
        _expire(uow, utcnow())
        ids = [j.id for j in uow.imports.with_state(State.RUNNING)]
        uow.commit()
    return ids


def apply_batch(uow: MembershipUnitOfWork, org: str, import_id: str, parsed_of: Callable[[ImportJob, bytes], Parsed],
                *, limit: int = BATCH) -> bool:
    """Apply the next rows of a running import in one transaction; whether rows remain."""
    with uow:
        job = uow.imports.get(import_id)
        if job is None or job.state != State.RUNNING:
            return False
        content = uow.imports.content(import_id)
        if content is None:  # cannot happen while running: the file goes in the transaction that ends it
            raise FailedPrecondition(f"The file of import {import_id} is missing.", reason="PERSON_IMPORT_FILE_MISSING")
        parsed = parsed_of(job, content)
        actor = job.starter
        pending = uow.imports.rows(import_id, None, limit, pending_only=True).items
        before, now, day = job.processed_rows, utcnow(), today()
        known = uow.imports.known_keys([r.row_key for r in pending if r.row_key])
        earlier = uow.imports.person_of_rows(import_id, [r.same_as_row for r in pending if r.same_as_row])
        results: list[tuple[int, int, str]] = []
        new_people, new_years, keys, staged = [], [], [], []
        stopped = False
        for record in pending:
            row = parsed.rows[record.row_number]
            plan = Plan(record.plan)
            if plan in (Plan.INVALID, Plan.DUPLICATE_SUSPECTED):
                if job.on_error == OnError.STOP:
                    stopped = True
                    job.stopped_at_row = record.row_number
                    break
                results.append((record.row_number, int(Result.SKIPPED), record.person_id))
                continue
            if plan == Plan.UNCHANGED or record.row_key in known:
                results.append((record.row_number, int(Result.UNCHANGED), record.person_id or known.get(record.row_key, "")))
                continue
            person_id = record.person_id or earlier.get(record.same_as_row, "")
            existing = uow.persons.get(person_id) if person_id and plan == Plan.UPDATE else None
            if existing is None:
                person = dataclasses.replace(row.person, id=new_id(), create_time=now, update_time=now)
                new_people.append(person)
                staged.append((facts.PersonRegistered(person_id=person.id, birth_year=person.birth_year,
                                                      gender=person.gender, registered_date=now.date().isoformat()),
                               person.id))
                if row.year is not None:
                    year = dataclasses.replace(row.year, person_id=person.id, update_time=now)
                    new_years.append(year)
                    staged.append((_year_fact(person.id, person.birth_year, year), person.id))
                result, person_id = Result.CREATED, person.id
            else:
                result = _update(uow, org, existing, row, day, now, actor)
            results.append((record.row_number, int(result), person_id))
            keys.append((record.row_key, person_id))
            known[record.row_key] = person_id
            if record.same_as_row == 0:
                earlier[record.row_number] = person_id
            else:
                earlier.setdefault(record.row_number, person_id)
        uow.imports.add_persons(new_people)
        uow.facts.add_many(staged)
        uow.imports.add_years(new_years)
        uow.imports.add_keys(import_id, keys, now)
        uow.imports.set_results(import_id, results)
        for _, result, _ in results:
            job.count(Result(result))
        job.processed_rows += len(results)
        if stopped:
            rest = uow.imports.rows(import_id, None, job.total_rows + 1, pending_only=True).items
            rest = [r for r in rest if r.row_number not in {n for n, _, _ in results}]
            uow.imports.set_results(import_id, [(r.row_number, int(Result.NOT_IMPORTED), r.person_id) for r in rest])
            job.count(Result.NOT_IMPORTED, len(rest))
            job.processed_rows += len(rest)
            job.state = int(State.STOPPED)
        elif job.processed_rows >= job.total_rows:
            job.state = int(State.SUCCEEDED)
        if job.finished:
            job.end_time = now
            uow.imports.drop_content(import_id)
            uow.audit.record(actor, "person.import.finish", PERSON_IMPORT.format(org=org, person_import=import_id),
                             PURPOSE)
        if not uow.imports.save(job, processed_before=before):
            raise ProgressMoved()
        uow.commit()
        return not job.finished


def _year_fact(person_id: str, birth_year: int, year) -> facts.MembershipYearRecorded:
    return facts.MembershipYearRecorded(person_id=person_id, year=year.year, payment_state=year.payment_state,
                                        fee_nok=year.fee_nok, birth_year=birth_year)


def _update(uow: MembershipUnitOfWork, org: str, person, row: rules.Row, day: dt.date, now: dt.datetime,
            actor: Actor | None) -> Result:
    """A registered person matched by name, birth year and phone: the fields the row has that differ, and its
    membership year; UPDATED, or UNCHANGED when nothing differed."""
    changed_any = False
    paths = rules.update_paths(person, row)
    if paths:
        updated, changed = corrected(person, row.person, paths, day, now)
        if changed:
            uow.persons.update(updated)
            uow.facts.add(facts.PersonUpdated(person_id=updated.id, changed_fields=changed,
                                              birth_year=updated.birth_year, gender=updated.gender,
                                              updated_date=now.date().isoformat()), key=updated.id)
            uow.audit.record(actor, "person.update", f"organizations/{org}/persons/{person.id}",
                             "import: correction of " + ", ".join(changed))
            person, changed_any = updated, True
    if row.year is not None:
        stored = uow.years.get(person.id, row.year.year)
        if rules.year_changed(stored, row.year):
            year = dataclasses.replace(row.year, person_id=person.id, update_time=now,
                                       paid_date=stored.paid_date if stored else "")
            uow.years.put(year)
            uow.facts.add(_year_fact(person.id, person.birth_year, year), key=person.id)
            changed_any = True
    return Result.UPDATED if changed_any else Result.UNCHANGED


class PersonImportWorker:
    """Applies running imports in the service, batch by batch; resumes them after a restart (their files and
    progress are in the database). Expires checked imports not started in time."""

    name = "person-import"

    def __init__(self, uow: Callable[[], MembershipUnitOfWork], org: str, *, interval: float = 2.0,
                 files: ParsedFiles | None = None) -> None:
        self.uow, self.org, self.interval = uow, org, interval
        self.files = files or ParsedFiles()

    def _parsed_of(self, job: ImportJob, content: bytes) -> Parsed:
        parsed = self.files.get(job.id)
        if parsed is None:
            parsed = parse(content, "x." + job.file_format, on=job.create_time.date())
            self.files.put(job.id, parsed)
        return parsed

    def run_once(self, stop=None) -> int:
        """Apply every running import to its end (or until stop is set); how many batches ran."""
        batches = 0
        for import_id in running_imports(self.uow()):
            while stop is None or not stop.is_set():
                try:
                    more = apply_batch(self.uow(), self.org, import_id, self._parsed_of)
                except ProgressMoved:
                    more = True
                batches += 1
                if not more:
                    self.files.drop(import_id)
                    break
        return batches

    def run(self, stop) -> None:
        log.info("person import worker of %s started", self.org)
        while not stop.is_set():
            try:
                self.run_once(stop)
            except Exception as exc:  # noqa: BLE001 - the type only (the text could hold a cell's value); retried
                log.warning("person import worker: %s; retrying in %.1fs", type(exc).__name__, self.interval)
            self._pause(stop)
        log.info("person import worker of %s stopped", self.org)

    def _pause(self, stop) -> None:
        """Until the next look at the database: interval seconds (an import started by another process of the
        service, a check to expire), or less when an import is started in this process or the service stops."""
        deadline = time.monotonic() + self.interval
        while not stop.is_set() and time.monotonic() < deadline:
            if self.files.started.wait(0.1):
                self.files.started.clear()
                return
