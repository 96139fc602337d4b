"""Imports of members in and out of the database: the import, its file while needed, its rows, the keys of
rows imported, and the bulk writes an import's batch makes (persons and membership years many at a time)."""
from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.common.pagination import Key, Page, sql_page
from services.membership.adapters.orm import (
    membership_years, person_import_files, person_import_keys, person_import_rows, person_imports, persons,
)
from services.membership.adapters.repository import SqlPersonRepository
from services.membership.domain.model import MembershipYear, Person
from services.membership.domain.person_import import ImportJob, ImportRowRecord, Problem, State


class PersonImportRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, job: ImportJob, content: bytes, rows: list[ImportRowRecord]) -> None: ...

    @abc.abstractmethod
    def get(self, import_id: str) -> ImportJob | None: ...

    @abc.abstractmethod
    def save(self, job: ImportJob, *, processed_before: int | None = None) -> bool:
        """Write the job's state, progress and counts; with processed_before, only if its stored progress is
        still that (False otherwise: another worker got there first)."""

    @abc.abstractmethod
    def content(self, import_id: str) -> bytes | None: ...

    @abc.abstractmethod
    def drop_content(self, import_id: str) -> None: ...

    @abc.abstractmethod
    def rows(self, import_id: str, after: Key | None, limit: int, *, problems_only: bool = False,
             pending_only: bool = False) -> Page[ImportRowRecord]:
        """An import's rows by row number; pending_only: those the import has not reached."""

    @abc.abstractmethod
    def person_of_rows(self, import_id: str, row_numbers: list[int]) -> dict[int, str]: ...

    @abc.abstractmethod
    def set_results(self, import_id: str, results: list[tuple[int, int, str]]) -> None:
        """(row number, result, person id) for each row done."""

    @abc.abstractmethod
    def known_keys(self, keys: list[str]) -> dict[str, str]:
        """Of these row keys, those imported before, with the person each produced."""

    @abc.abstractmethod
    def add_keys(self, import_id: str, keys: list[tuple[str, str]], now: dt.datetime) -> None: ...

    @abc.abstractmethod
    def register_people(self) -> list[Person]:
        """Every registered person's id, name, birth year and phone (what duplicates are judged by)."""

    @abc.abstractmethod
    def add_persons(self, people: list[Person]) -> None: ...

    @abc.abstractmethod
    def add_years(self, years: list[MembershipYear]) -> None:
        """Years of persons who have none for that year (persons this batch created)."""

    @abc.abstractmethod
    def with_state(self, state: int) -> list[ImportJob]: ...

    @abc.abstractmethod
    def page(self, after: Key | None, limit: int) -> Page[ImportJob]:
        """Imports newest first, keyed by (create_time, id)."""


def _job(row) -> ImportJob:
    return ImportJob(
        id=row.id, state=row.state, file_format=row.file_format, encoding=row.encoding, delimiter=row.delimiter,
        columns=[tuple(c) for c in json.loads(row.columns)], unrecognized_columns=json.loads(row.unrecognized_columns),
        total_rows=row.total_rows, processed_rows=row.processed_rows, planned=json.loads(row.planned),
        done=json.loads(row.done), on_error=row.on_error, stopped_at_row=row.stopped_at_row,
        started_by=row.started_by, started_client=row.started_client, create_time=row.create_time, start_time=row.start_time, end_time=row.end_time, expire_time=row.expire_time)


def _row(r) -> ImportRowRecord:
    return ImportRowRecord(row_number=r.row_number, plan=r.plan, result=r.result, person_id=r.person_id,
                           same_as_row=r.same_as_row, problems=[Problem(**p) for p in json.loads(r.problems)],
                           row_key=r.row_key)


class SqlPersonImportRepository(PersonImportRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _state(job: ImportJob) -> dict:
        return dict(state=job.state, processed_rows=job.processed_rows, done=json.dumps(job.done),
                    on_error=job.on_error, stopped_at_row=job.stopped_at_row, started_by=job.started_by,
                    started_client=job.started_client, start_time=job.start_time,
                    end_time=job.end_time)

    def add(self, job: ImportJob, content: bytes, rows: list[ImportRowRecord]) -> None:
        self.conn.execute(person_imports.insert().values(
            id=job.id, file_format=job.file_format, encoding=job.encoding, delimiter=job.delimiter,
            columns=json.dumps(job.columns), unrecognized_columns=json.dumps(job.unrecognized_columns),
            total_rows=job.total_rows, planned=json.dumps(job.planned), create_time=job.create_time,
            expire_time=job.expire_time, **self._state(job)))
        self.conn.execute(person_import_files.insert().values(import_id=job.id, content=content))
        if rows:
            self.conn.execute(person_import_rows.insert(), [dict(
                import_id=job.id, row_number=r.row_number, plan=r.plan, result=r.result, person_id=r.person_id,
                same_as_row=r.same_as_row, row_key=r.row_key,
                problems=json.dumps([dataclasses.asdict(p) for p in r.problems])) for r in rows])

    def get(self, import_id: str) -> ImportJob | None:
        row = self.conn.execute(sa.select(person_imports).where(person_imports.c.id == import_id)).first()
        return _job(row) if row else None

    def save(self, job: ImportJob, *, processed_before: int | None = None) -> bool:
        query = person_imports.update().where(person_imports.c.id == job.id)
        if processed_before is not None:
            query = query.where(person_imports.c.processed_rows == processed_before)
        return self.conn.execute(query.values(**self._state(job))).rowcount == 1

    def content(self, import_id: str) -> bytes | None:
        return self.conn.execute(sa.select(person_import_files.c.content)
                                 .where(person_import_files.c.import_id == import_id)).scalar()

    def drop_content(self, import_id: str) -> None:
        self.conn.execute(person_import_files.delete().where(person_import_files.c.import_id == import_id))

    def rows(self, import_id: str, after: Key | None, limit: int, *, problems_only: bool = False,
             pending_only: bool = False) -> Page[ImportRowRecord]:
        t = person_import_rows
        query = sa.select(t).where(t.c.import_id == import_id)
        if problems_only:
            query = query.where(t.c.problems != "[]")
        if pending_only:
            query = query.where(t.c.result == 0)
        return sql_page(self.conn, query, (t.c.row_number,), after, limit, _row)

    def person_of_rows(self, import_id: str, row_numbers: list[int]) -> dict[int, str]:
        t = person_import_rows
        rows = self.conn.execute(sa.select(t.c.row_number, t.c.person_id).where(
            t.c.import_id == import_id, t.c.row_number.in_(sorted(set(row_numbers))))).all()
        return {r.row_number: r.person_id for r in rows}

    def set_results(self, import_id: str, results: list[tuple[int, int, str]]) -> None:
        if not results:
            return
        t = person_import_rows
        self.conn.execute(
            t.update().where(t.c.import_id == sa.bindparam("b_import"), t.c.row_number == sa.bindparam("b_row"))
            .values(result=sa.bindparam("b_result"), person_id=sa.bindparam("b_person")),
            [dict(b_import=import_id, b_row=n, b_result=result, b_person=pid) for n, result, pid in results])

    def known_keys(self, keys: list[str]) -> dict[str, str]:
        t = person_import_keys
        out: dict[str, str] = {}
        unique = sorted(set(keys))
        for i in range(0, len(unique), 500):
            rows = self.conn.execute(sa.select(t.c.row_key, t.c.person_id)
                                     .where(t.c.row_key.in_(unique[i:i + 500]))).all()
            out.update({r.row_key: r.person_id for r in rows})
        return out

    def add_keys(self, import_id: str, keys: list[tuple[str, str]], now: dt.datetime) -> None:
        if keys:
            self.conn.execute(person_import_keys.insert(), [
                dict(row_key=k, person_id=pid, import_id=import_id, create_time=now) for k, pid in keys])

    def register_people(self) -> list[Person]:
        rows = self.conn.execute(sa.select(persons.c.id, persons.c.given_name, persons.c.family_name,
                                           persons.c.birth_year, persons.c.phone)).all()
        return [Person(id=r.id, given_name=r.given_name, family_name=r.family_name, birth_year=r.birth_year,
                       gender=0, phone=r.phone) for r in rows]

    def add_persons(self, people: list[Person]) -> None:
        if people:
            self.conn.execute(persons.insert(), [
                dict(id=p.id, create_time=p.create_time, **SqlPersonRepository._values(p)) for p in people])

    def add_years(self, years: list[MembershipYear]) -> None:
        if years:
            self.conn.execute(membership_years.insert(), [
                dict(person_id=y.person_id, year=y.year, fee_nok=y.fee_nok, payment_state=y.payment_state,
                     paid_date=y.paid_date, update_time=y.update_time) for y in years])

    def with_state(self, state: int) -> list[ImportJob]:
        rows = self.conn.execute(sa.select(person_imports).where(person_imports.c.state == int(state))
                                 .order_by(person_imports.c.create_time)).all()
        return [_job(r) for r in rows]

    def page(self, after: Key | None, limit: int) -> Page[ImportJob]:
        t = person_imports
        return sql_page(self.conn, sa.select(t), (t.c.create_time, t.c.id), after, limit, _job, descending=True)


__all__ = ["PersonImportRepository", "SqlPersonImportRepository", "State"]

