"""Fact records in and figures out.

The abstract repositories say what the service layer may ask; the SQL ones
answer it. Every write replaces the record with the same natural id, so a fact
applied twice leaves the tables as applying it once. Tests of the service layer
use in-memory ones.
"""
from __future__ import annotations

import abc
import dataclasses
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.common.timestamps import utcnow
from services.reporting.adapters.orm import activities, attendances, membership_years, persons, referrals, sessions
from services.reporting.domain.model import PAYING_STATES, NamedVisit, Period
from services.reporting.domain.records import (
    ActivityRecord, AttendanceRecord, MembershipYearRecord, PersonRecord, ReferralRecord, SessionRecord,
)

R = TypeVar("R")


class FactRepository(abc.ABC, Generic[R]):
    @abc.abstractmethod
    def put(self, record: R) -> None:
        """Insert the record, or replace the one with the same natural id."""


class PersonFacts(FactRepository[PersonRecord]):
    pass


class MembershipYearFacts(FactRepository[MembershipYearRecord]):
    @abc.abstractmethod
    def member_counts(self, period: Period) -> tuple[int, int]:
        """Persons with a membership year in the period's years, and those of them who paid or were waived."""


class ActivityFacts(FactRepository[ActivityRecord]):
    pass


class SessionFacts(FactRepository[SessionRecord]):
    @abc.abstractmethod
    def activity_count(self, period: Period) -> int:
        """Activities with a session in the period."""

    @abc.abstractmethod
    def by_subgoals(self, period: Period) -> list[tuple[int, int | None, int]]:
        """(session's sub-goal, its activity's sub-goal or None when unknown, sessions) in the period."""


class AttendanceFacts(FactRepository[AttendanceRecord]):
    @abc.abstractmethod
    def visits_by_cell(self, period: Period) -> dict[tuple[int, int], int]:
        """Visits in the period by (gender, age band)."""

    @abc.abstractmethod
    def named_visits(self, period: Period) -> list[NamedVisit]:
        """Each named person's cells in the period, with the date of their latest attendance in each."""


class ReferralFacts(FactRepository[ReferralRecord]):
    @abc.abstractmethod
    def get(self, referral_id: str) -> ReferralRecord | None: ...

    @abc.abstractmethod
    def by_state(self, period: Period) -> dict[int, int]:
        """Referrals created in the period, each counted once in its current state."""


# ---------------------------------------------------------------------------- SQL


class _SqlFacts:
    """Records of one fact table, whose columns are named as the record's fields."""

    table: sa.Table
    key: tuple[str, ...]

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _where(self, **key):
        return sa.and_(*(self.table.c[k] == v for k, v in key.items()))

    def put(self, record) -> None:
        values = {**dataclasses.asdict(record), "update_time": utcnow()}
        key = {k: values[k] for k in self.key}
        changes = {k: v for k, v in values.items() if k not in key}
        if self.conn.execute(self.table.update().where(self._where(**key)).values(**changes)).rowcount == 0:
            self.conn.execute(self.table.insert().values(**values))


class SqlPersonFacts(_SqlFacts, PersonFacts):
    table, key = persons, ("person_id",)


class SqlMembershipYearFacts(_SqlFacts, MembershipYearFacts):
    table, key = membership_years, ("person_id", "year")

    def member_counts(self, period: Period) -> tuple[int, int]:
        m = membership_years
        people = sa.select(sa.func.count(sa.distinct(m.c.person_id))).where(
            m.c.year.between(period.first_year, period.last_year))
        members = self.conn.execute(people).scalar_one()
        paying = self.conn.execute(people.where(m.c.payment_state.in_([int(s) for s in PAYING_STATES]))).scalar_one()
        return members, paying


class SqlActivityFacts(_SqlFacts, ActivityFacts):
    table, key = activities, ("activity_id",)


class SqlSessionFacts(_SqlFacts, SessionFacts):
    table, key = sessions, ("session_id",)

    def activity_count(self, period: Period) -> int:
        s = sessions
        return self.conn.execute(
            sa.select(sa.func.count(sa.distinct(s.c.activity_id))).where(s.c.date.between(period.start, period.end))
        ).scalar_one()

    def by_subgoals(self, period: Period) -> list[tuple[int, int | None, int]]:
        s, a = sessions, activities
        q = (
            sa.select(s.c.subgoal, a.c.subgoal, sa.func.count())
            .select_from(s.outerjoin(a, a.c.activity_id == s.c.activity_id))
            .where(s.c.date.between(period.start, period.end))
            .group_by(s.c.subgoal, a.c.subgoal)
        )
        return [(own, of_activity, n) for own, of_activity, n in self.conn.execute(q).all()]


class SqlAttendanceFacts(_SqlFacts, AttendanceFacts):
    table, key = attendances, ("attendance_id",)

    def visits_by_cell(self, period: Period) -> dict[tuple[int, int], int]:
        t = attendances
        q = (
            sa.select(t.c.gender, t.c.age_band, sa.func.sum(t.c.count))
            .where(t.c.date.between(period.start, period.end))
            .group_by(t.c.gender, t.c.age_band)
        )
        return {(g, b): int(n or 0) for g, b, n in self.conn.execute(q).all()}

    def named_visits(self, period: Period) -> list[NamedVisit]:
        t = attendances
        q = (
            sa.select(t.c.person_id, t.c.gender, t.c.age_band, sa.func.max(t.c.date))
            .where(t.c.date.between(period.start, period.end), t.c.person_id != "")
            .group_by(t.c.person_id, t.c.gender, t.c.age_band)
        )
        return [NamedVisit(p, g, b, d) for p, g, b, d in self.conn.execute(q).all()]


class SqlReferralFacts(_SqlFacts, ReferralFacts):
    table, key = referrals, ("referral_id",)

    def get(self, referral_id: str) -> ReferralRecord | None:
        row = self.conn.execute(sa.select(referrals).where(self._where(referral_id=referral_id))).first()
        if row is None:
            return None
        return ReferralRecord(**{f.name: getattr(row, f.name) for f in dataclasses.fields(ReferralRecord)})

    def by_state(self, period: Period) -> dict[int, int]:
        r = referrals
        q = (
            sa.select(r.c.state, sa.func.count())
            .where(r.c.created_date.between(period.start, period.end))
            .group_by(r.c.state)
        )
        return {state: n for state, n in self.conn.execute(q).all()}
