"""Fact records in and figures out.

The abstract repositories say what the service layer may ask; the SQL ones
answer it. Every write replaces the record with the same natural id, so a fact
applied twice leaves the tables as applying it once. Tests of the service layer
use in-memory ones.
"""
from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import json
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.common.counting import YearFacts
from services.common.timestamps import utcnow
from services.common.vocabulary import PaymentState
from services.reporting.adapters.orm import (
    activities, attendances, erasure_tombstones, membership_years, persons, privacy_answers, privacy_budgets,
    privacy_charges, referrals, role_assignments, sessions, statistics_consents, volunteer_hours,
)
from services.reporting.domain.consent import StatisticsConsentChange
from services.reporting.domain.privacy import NoisyAnswer
from services.reporting.domain.model import (
    NO_SUBGOAL, PAYING_STATES, AttendanceRow, HoursRow, Member, Period, ReferralRow, RoleRow, SessionRow,
)
from services.reporting.domain.records import (
    ActivityRecord, AttendanceRecord, HoursRecord, MembershipYearRecord, PersonRecord, ReferralRecord, RoleRecord,
    SessionRecord,
)

R = TypeVar("R")


class FactRepository(abc.ABC, Generic[R]):
    @abc.abstractmethod
    def put(self, record: R) -> None:
        """Insert the record, or replace the one with the same natural id."""


class PersonFacts(FactRepository[PersonRecord]):
    @abc.abstractmethod
    def get(self, person_id: str) -> PersonRecord | None: ...


class MembershipYearFacts(FactRepository[MembershipYearRecord]):
    @abc.abstractmethod
    def members(self, period: Period) -> list[Member]:
        """Persons with a membership year in the period's years (not cancelled), each once, paying when any of
        them is paid."""

    @abc.abstractmethod
    def year_facts(self, years: list[int]) -> list[YearFacts]:
        """The membership years of those years as counting rules read them, with the person's birth year as last
        known (a correction's, else the year's)."""


class ActivityFacts(FactRepository[ActivityRecord]):
    @abc.abstractmethod
    def get(self, activity_id: str) -> ActivityRecord | None: ...


class SessionFacts(FactRepository[SessionRecord]):
    @abc.abstractmethod
    def get(self, session_id: str) -> SessionRecord | None: ...

    @abc.abstractmethod
    def set_subgoal(self, activity_id: str, subgoal: int) -> None:
        """Every session of the activity counts under subgoal from now on (the activity's was corrected)."""

    @abc.abstractmethod
    def in_period(self, period: Period) -> list[SessionRow]:
        """The sessions in the period that are not cancelled, with their activity's sub-goal (None when unknown)."""


class AttendanceFacts(FactRepository[AttendanceRecord]):
    @abc.abstractmethod
    def get(self, attendance_id: str) -> AttendanceRecord | None: ...

    @abc.abstractmethod
    def move_session(self, session_id: str, date: dt.date) -> None:
        """Every attendance at the session counts on date from now on (the session was moved)."""

    @abc.abstractmethod
    def in_period(self, period: Period) -> list[AttendanceRow]:
        """The attendances in the period that are not withdrawn (a named participant is one visit, a head
        count its count)."""


class ReferralFacts(FactRepository[ReferralRecord]):
    @abc.abstractmethod
    def get(self, referral_id: str) -> ReferralRecord | None: ...

    @abc.abstractmethod
    def created_in(self, period: Period) -> list[ReferralRow]:
        """Referrals created in the period, each in its current state."""


class HoursFacts(FactRepository[HoursRecord]):
    @abc.abstractmethod
    def get(self, entry_id: str) -> HoursRecord | None: ...

    @abc.abstractmethod
    def in_period(self, period: Period) -> list[HoursRow]:
        """The entries in the period that are not withdrawn, with their activity's sub-goal (NO_SUBGOAL when its
        fact has not arrived)."""
class StatisticsConsentFacts(FactRepository[StatisticsConsentChange]):
    @abc.abstractmethod
    def before(self, day: dt.date) -> list[StatisticsConsentChange]:
        """Every change of a statistics consent dated before day."""


class RoleFacts(FactRepository[RoleRecord]):
    @abc.abstractmethod
    def get(self, assignment_id: str) -> RoleRecord | None: ...

    @abc.abstractmethod
    def held_in(self, period: Period) -> list[RoleRow]:
        """The role assignments held on at least one day of the period."""


class ConcurrentSpend(Exception):
    """Another transaction spent from the same budget, or stored the same answer, first: run the use case again."""


class PrivacyLedger(abc.ABC):
    """The analysts' privacy budgets at this node and the noisy answers drawn (domain/privacy.py)."""

    @abc.abstractmethod
    def answer(self, period: str, fingerprint: str) -> NoisyAnswer | None:
        """The noisy answer drawn for these records of this period, if one was."""

    @abc.abstractmethod
    def add_answer(self, period: str, fingerprint: str, answer: NoisyAnswer) -> None:
        """Keep a newly drawn answer; ConcurrentSpend when another was kept for the same key meanwhile."""

    @abc.abstractmethod
    def charged(self, analyst: str, period: str, fingerprint: str) -> bool:
        """Whether the analyst has paid for this answer already."""

    @abc.abstractmethod
    def spend(self, analyst: str, period: str, fingerprint: str, cost_micro: int, limit_micro: int) -> bool:
        """Add cost to the analyst's spending and record the charge, in one step, if the spending stays within
        limit; False (and nothing changed) when it would not."""

    @abc.abstractmethod
    def spent(self, analyst: str) -> int:
        """The analyst's spending in millionths of epsilon (0 for one never charged)."""


# ---------------------------------------------------------------------------- SQL


class _SqlFacts:
    """Records of one fact table, whose columns are named as the record's fields."""

    table: sa.Table
    key: tuple[str, ...]

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _where(self, **key):
        return sa.and_(*(self.table.c[k] == v for k, v in key.items()))

    record: type

    def put(self, record) -> None:
        values = {**dataclasses.asdict(record), "update_time": utcnow()}
        key = {k: values[k] for k in self.key}
        changes = {k: v for k, v in values.items() if k not in key}
        if self.conn.execute(self.table.update().where(self._where(**key)).values(**changes)).rowcount == 0:
            self.conn.execute(self.table.insert().values(**values))

    def get(self, *key_values):
        row = self.conn.execute(sa.select(self.table).where(self._where(**dict(zip(self.key, key_values))))).first()
        if row is None:
            return None
        return self.record(**{f.name: getattr(row, f.name) for f in dataclasses.fields(self.record)})


class SqlPersonFacts(_SqlFacts, PersonFacts):
    table, key, record = persons, ("person_id",), PersonRecord

    def get(self, person_id: str) -> PersonRecord | None:
        row = self.conn.execute(sa.select(persons).where(self._where(person_id=person_id))).first()
        if row is None:
            return None
        return PersonRecord(**{f.name: getattr(row, f.name) for f in dataclasses.fields(PersonRecord)})


class SqlMembershipYearFacts(_SqlFacts, MembershipYearFacts):
    table, key, record = membership_years, ("person_id", "year"), MembershipYearRecord

    def members(self, period: Period) -> list[Member]:
        m = membership_years
        paying = sa.func.max(sa.case((m.c.payment_state.in_([int(s) for s in PAYING_STATES]), 1), else_=0))
        q = (sa.select(m.c.person_id, paying).where(m.c.year.between(period.first_year, period.last_year),
                                                    m.c.payment_state != int(PaymentState.CANCELLED))
             .group_by(m.c.person_id))
        return [Member(person, bool(p)) for person, p in self.conn.execute(q).all()]

    def year_facts(self, years: list[int]) -> list[YearFacts]:
        if not years:
            return []
        m, p = membership_years, persons
        birth = sa.case((sa.and_(p.c.birth_year.is_not(None), p.c.birth_year != 0), p.c.birth_year),
                        else_=m.c.birth_year)
        q = (sa.select(m.c.person_id, m.c.year, m.c.payment_state, m.c.fee_nok, m.c.paid_date, birth)
             .select_from(m.outerjoin(p, p.c.person_id == m.c.person_id)).where(m.c.year.in_(sorted(set(years)))))
        return [YearFacts(*row) for row in self.conn.execute(q).all()]


class SqlActivityFacts(_SqlFacts, ActivityFacts):
    table, key, record = activities, ("activity_id",), ActivityRecord


class SqlSessionFacts(_SqlFacts, SessionFacts):
    table, key, record = sessions, ("session_id",), SessionRecord

    def set_subgoal(self, activity_id: str, subgoal: int) -> None:
        self.conn.execute(sessions.update().where(sessions.c.activity_id == activity_id)
                          .values(subgoal=subgoal, update_time=utcnow()))

    def in_period(self, period: Period) -> list[SessionRow]:
        s, a = sessions, activities
        q = (
            sa.select(s.c.session_id, s.c.activity_id, s.c.subgoal, a.c.subgoal)
            .select_from(s.outerjoin(a, a.c.activity_id == s.c.activity_id))
            .where(s.c.date.between(period.start, period.end), s.c.cancelled.is_(sa.false()))
        )
        return [SessionRow(*row) for row in self.conn.execute(q).all()]


class SqlAttendanceFacts(_SqlFacts, AttendanceFacts):
    table, key, record = attendances, ("attendance_id",), AttendanceRecord

    def move_session(self, session_id: str, date: dt.date) -> None:
        self.conn.execute(attendances.update().where(attendances.c.session_id == session_id)
                          .values(date=date, update_time=utcnow()))

    def in_period(self, period: Period) -> list[AttendanceRow]:
        t = attendances
        q = (sa.select(t.c.attendance_id, t.c.person_id, t.c.gender, t.c.age_band, t.c.count, t.c.date,
                       t.c.activity_id)
             .where(t.c.date.between(period.start, period.end), t.c.withdrawn.is_(sa.false())))
        return [AttendanceRow(a, p, g, b, 1 if p else n, d, act)
                for a, p, g, b, n, d, act in self.conn.execute(q).all()]


class SqlReferralFacts(_SqlFacts, ReferralFacts):
    table, key, record = referrals, ("referral_id",), ReferralRecord

    def created_in(self, period: Period) -> list[ReferralRow]:
        r = referrals
        q = sa.select(r.c.referral_id, r.c.state).where(r.c.created_date.between(period.start, period.end))
        return [ReferralRow(i, s) for i, s in self.conn.execute(q).all()]


class SqlHoursFacts(_SqlFacts, HoursFacts):
    table, key, record = volunteer_hours, ("entry_id",), HoursRecord

    def in_period(self, period: Period) -> list[HoursRow]:
        h, a = volunteer_hours, activities
        q = (sa.select(h.c.entry_id, h.c.person_id, h.c.minutes, a.c.subgoal, h.c.activity_id)
             .select_from(h.outerjoin(a, a.c.activity_id == h.c.activity_id))
             .where(h.c.date.between(period.start, period.end), h.c.withdrawn.is_(sa.false())))
        return [HoursRow(e, p, m, g if g is not None else NO_SUBGOAL, act)
                for e, p, m, g, act in self.conn.execute(q).all()]
class SqlStatisticsConsentFacts(_SqlFacts, StatisticsConsentFacts):
    table, key, record = statistics_consents, ("person_id", "changed_date", "withdrawn"), StatisticsConsentChange

    def before(self, day: dt.date) -> list[StatisticsConsentChange]:
        t = statistics_consents
        rows = self.conn.execute(sa.select(t.c.person_id, t.c.changed_date, t.c.withdrawn).where(t.c.changed_date < day))
        return [StatisticsConsentChange(p, d, bool(w)) for p, d, w in rows.all()]


class SqlRoleFacts(_SqlFacts, RoleFacts):
    table, key, record = role_assignments, ("assignment_id",), RoleRecord

    def held_in(self, period: Period) -> list[RoleRow]:
        r = role_assignments
        q = sa.select(r.c.person_id, r.c.role).where(
            r.c.start_date <= period.end, sa.or_(r.c.end_date.is_(None), r.c.end_date >= period.start))
        return [RoleRow(p, role) for p, role in self.conn.execute(q).all()]


def _contended(exc: DBAPIError) -> bool:
    """A PostgreSQL serialisation failure: a concurrent transaction changed the row first (SQLSTATE 40001)."""
    return getattr(exc.orig, "sqlstate", None) == "40001"


class SqlPrivacyLedger(PrivacyLedger):
    """Spending is one conditional UPDATE (spent + cost <= limit), so two answers never overspend: SQLite runs
    writers one at a time (BEGIN IMMEDIATE), and on PostgreSQL a concurrent update of the same analyst's row
    fails this transaction's (REPEATABLE READ), which is then run again (ConcurrentSpend)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _execute(self, statement):
        try:
            return self.conn.execute(statement)
        except DBAPIError as exc:
            if _contended(exc):
                raise ConcurrentSpend() from None
            raise

    def _insert(self, statement) -> None:
        try:
            with self.conn.begin_nested():
                self._execute(statement)
        except IntegrityError:
            raise ConcurrentSpend() from None

    def answer(self, period: str, fingerprint: str) -> NoisyAnswer | None:
        t = privacy_answers
        row = self._execute(sa.select(t.c.figures, t.c.epsilon, t.c.scale).where(
            t.c.period == period, t.c.fingerprint == fingerprint)).first()
        if row is None:
            return None
        return NoisyAnswer(tuple(json.loads(row.figures)), row.epsilon, row.scale)

    def add_answer(self, period: str, fingerprint: str, answer: NoisyAnswer) -> None:
        self._insert(privacy_answers.insert().values(
            period=period, fingerprint=fingerprint, figures=json.dumps(list(answer.values)),
            epsilon=answer.epsilon, scale=answer.scale, create_time=utcnow()))

    def charged(self, analyst: str, period: str, fingerprint: str) -> bool:
        t = privacy_charges
        return self._execute(sa.select(sa.literal(1)).where(
            t.c.analyst == analyst, t.c.period == period, t.c.fingerprint == fingerprint)).first() is not None

    def spend(self, analyst: str, period: str, fingerprint: str, cost_micro: int, limit_micro: int) -> bool:
        b = privacy_budgets
        now = utcnow()
        if self._execute(sa.select(b.c.spent_micro).where(b.c.analyst == analyst)).first() is None:
            if cost_micro > limit_micro:
                return False
            self._insert(b.insert().values(analyst=analyst, spent_micro=0, update_time=now))
        done = self._execute(b.update().where(b.c.analyst == analyst, b.c.spent_micro + cost_micro <= limit_micro)
                             .values(spent_micro=b.c.spent_micro + cost_micro, update_time=now))
        if done.rowcount != 1:
            return False
        self._insert(privacy_charges.insert().values(analyst=analyst, period=period, fingerprint=fingerprint,
                                                     epsilon_micro=cost_micro, create_time=now))
        return True

    def spent(self, analyst: str) -> int:
        b = privacy_budgets
        return self._execute(sa.select(b.c.spent_micro).where(b.c.analyst == analyst)).scalar() or 0


class ErasureTombstones(abc.ABC):
    """Tombstones of erased ids (service_layer/erasure.py)."""

    @abc.abstractmethod
    def add(self, tombstone: str) -> None: ...

    @abc.abstractmethod
    def contains(self, tombstone: str) -> bool: ...


class SqlErasureTombstones(ErasureTombstones):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, tombstone: str) -> None:
        if not self.contains(tombstone):
            self.conn.execute(erasure_tombstones.insert().values(tombstone=tombstone))

    def contains(self, tombstone: str) -> bool:
        return self.conn.execute(sa.select(erasure_tombstones.c.tombstone).where(
            erasure_tombstones.c.tombstone == tombstone)).first() is not None
