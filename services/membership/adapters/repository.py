"""Persons, membership years and households in and out of the database.

The abstract repositories say what the service layer may ask; the SQL ones
answer it. Tests of the service layer use in-memory ones (tests/fakes.py).
"""
from __future__ import annotations

import abc

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.common.pagination import Key, Page, sql_page
from services.membership.adapters.orm import (
    household_members, households, membership_years, persons, renewal_entries, renewals,
)
from services.membership.domain.household import Household, HouseholdMember
from services.membership.domain.model import MembershipYear, Person
from services.membership.domain.renewal import AppliedRenewal, Entry, FeeSource, Outcome, Plan, Reason
from services.membership.domain.search import name_words


class PersonRepository(abc.ABC):
    """Persons come back with household_id set from the household members (never stored by add/update)."""

    @abc.abstractmethod
    def add(self, person: Person) -> None: ...

    @abc.abstractmethod
    def get(self, person_id: str) -> Person | None: ...

    @abc.abstractmethod
    def update(self, person: Person) -> None:
        """Replace the stored person with the same id (its create_time kept)."""

    @abc.abstractmethod
    def get_many(self, person_ids: list[str]) -> dict[str, Person]:
        """The persons of those ids that exist, by id."""

    @abc.abstractmethod
    def page(self, after: Key | None, limit: int, *, words: list[str] | None = None,
             chapter: str = "") -> Page[Person]:
        """Newest first, keyed by (create_time, id); with words, only persons each of whose words starts a
        word of their name (services.membership.domain.search); with chapter, only that chapter's."""


class MembershipYearRepository(abc.ABC):
    @abc.abstractmethod
    def put(self, year: MembershipYear) -> None:
        """Insert the year or replace the one recorded for the same person and year."""

    @abc.abstractmethod
    def get(self, person_id: str, year: int) -> MembershipYear | None: ...

    @abc.abstractmethod
    def page(self, person_id: str, after: Key | None, limit: int) -> Page[MembershipYear]:
        """A person's years in order, keyed by (year,)."""


class HouseholdRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, household: Household) -> None: ...

    @abc.abstractmethod
    def get(self, household_id: str) -> Household | None: ...

    @abc.abstractmethod
    def member_of(self, person_id: str) -> HouseholdMember | None:
        """The person's membership of a household, if any (a person is in at most one)."""

    @abc.abstractmethod
    def put_member(self, member: HouseholdMember) -> None:
        """Insert the membership or replace the person's one (its create_time kept)."""

    @abc.abstractmethod
    def remove_member(self, person_id: str) -> None: ...

    @abc.abstractmethod
    def members(self, household_id: str, after: Key | None, limit: int) -> Page[HouseholdMember]:
        """A household's members in the order they were added, keyed by (create_time, person_id)."""


def _to_person(row) -> Person:
    return Person(
        id=row.id, given_name=row.given_name, family_name=row.family_name, birth_year=row.birth_year,
        gender=row.gender, preferred_languages=[x for x in row.preferred_languages.split(",") if x],
        email=row.email, phone=row.phone, postal_code=row.postal_code, municipality=row.municipality,
        chapter=row.chapter, create_time=row.create_time, update_time=row.update_time,
        household_id=row.household_id or "",
    )


# Persons with the household they are a member of, if any.
_PERSONS = sa.select(persons, household_members.c.household_id).select_from(
    persons.outerjoin(household_members, household_members.c.person_id == persons.c.id))


def _to_year(row) -> MembershipYear:
    return MembershipYear(person_id=row.person_id, year=row.year, fee_nok=row.fee_nok,
                          payment_state=row.payment_state, paid_date=row.paid_date, update_time=row.update_time)


class SqlPersonRepository(PersonRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _values(p: Person) -> dict:
        return dict(
            given_name=p.given_name, family_name=p.family_name, birth_year=p.birth_year, gender=p.gender,
            preferred_languages=",".join(p.preferred_languages), email=p.email, phone=p.phone,
            postal_code=p.postal_code, municipality=p.municipality, chapter=p.chapter, update_time=p.update_time,
            search_words=name_words(p.given_name, p.family_name),
        )

    def add(self, p: Person) -> None:
        self.conn.execute(persons.insert().values(id=p.id, create_time=p.create_time, **self._values(p)))

    def update(self, p: Person) -> None:
        self.conn.execute(persons.update().where(persons.c.id == p.id).values(**self._values(p)))

    def get(self, person_id: str) -> Person | None:
        row = self.conn.execute(_PERSONS.where(persons.c.id == person_id)).first()
        return _to_person(row) if row else None

    def get_many(self, person_ids: list[str]) -> dict[str, Person]:
        if not person_ids:
            return {}
        rows = self.conn.execute(_PERSONS.where(persons.c.id.in_(sorted(set(person_ids))))).all()
        return {row.id: _to_person(row) for row in rows}

    def page(self, after: Key | None, limit: int, *, words: list[str] | None = None,
             chapter: str = "") -> Page[Person]:
        query = _PERSONS
        for word in words or ():
            # The stored string puts a space before every word: ' amina khan' holds ' kh', not ' min'.
            query = query.where(persons.c.search_words.contains(f" {word}", autoescape=True))
        if chapter:
            query = query.where(persons.c.chapter == chapter)
        return sql_page(self.conn, query, (persons.c.create_time, persons.c.id), after, limit, _to_person,
                        descending=True)


class SqlMembershipYearRepository(MembershipYearRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _key(self, person_id: str, year: int):
        return (membership_years.c.person_id == person_id) & (membership_years.c.year == year)

    def put(self, m: MembershipYear) -> None:
        values = dict(fee_nok=m.fee_nok, payment_state=m.payment_state, paid_date=m.paid_date,
                      update_time=m.update_time)
        if self.get(m.person_id, m.year) is not None:
            self.conn.execute(membership_years.update().where(self._key(m.person_id, m.year)).values(**values))
        else:
            self.conn.execute(membership_years.insert().values(person_id=m.person_id, year=m.year, **values))

    def get(self, person_id: str, year: int) -> MembershipYear | None:
        row = self.conn.execute(sa.select(membership_years).where(self._key(person_id, year))).first()
        return _to_year(row) if row else None

    def page(self, person_id: str, after: Key | None, limit: int) -> Page[MembershipYear]:
        query = sa.select(membership_years).where(membership_years.c.person_id == person_id)
        return sql_page(self.conn, query, (membership_years.c.year,), after, limit, _to_year)


def _to_member(row) -> HouseholdMember:
    return HouseholdMember(household_id=row.household_id, person_id=row.person_id, role=row.role,
                           create_time=row.create_time)


class SqlHouseholdRepository(HouseholdRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, h: Household) -> None:
        self.conn.execute(households.insert().values(id=h.id, display_name=h.display_name, create_time=h.create_time))

    def get(self, household_id: str) -> Household | None:
        row = self.conn.execute(sa.select(households).where(households.c.id == household_id)).first()
        return Household(id=row.id, display_name=row.display_name, create_time=row.create_time) if row else None

    def member_of(self, person_id: str) -> HouseholdMember | None:
        row = self.conn.execute(sa.select(household_members).where(household_members.c.person_id == person_id)).first()
        return _to_member(row) if row else None

    def put_member(self, m: HouseholdMember) -> None:
        if self.member_of(m.person_id) is not None:
            self.conn.execute(household_members.update().where(household_members.c.person_id == m.person_id)
                              .values(household_id=m.household_id, role=m.role))
        else:
            self.conn.execute(household_members.insert().values(
                person_id=m.person_id, household_id=m.household_id, role=m.role, create_time=m.create_time))

    def remove_member(self, person_id: str) -> None:
        self.conn.execute(household_members.delete().where(household_members.c.person_id == person_id))

    def members(self, household_id: str, after: Key | None, limit: int) -> Page[HouseholdMember]:
        query = sa.select(household_members).where(household_members.c.household_id == household_id)
        return sql_page(self.conn, query, (household_members.c.create_time, household_members.c.person_id), after,
                        limit, _to_member)


class RenewalRepository(abc.ABC):
    """Membership years by year (every person's), and the renewals applied."""

    @abc.abstractmethod
    def years_of(self, years: list[int]) -> list[MembershipYear]:
        """Every person's membership years of those years."""

    @abc.abstractmethod
    def add(self, renewal: AppliedRenewal) -> None: ...

    @abc.abstractmethod
    def get(self, renewal_id: str) -> AppliedRenewal | None: ...


class SqlRenewalRepository(RenewalRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def years_of(self, years: list[int]) -> list[MembershipYear]:
        if not years:
            return []
        query = (sa.select(membership_years).where(membership_years.c.year.in_(sorted(set(years))))
                 .order_by(membership_years.c.year, membership_years.c.person_id))
        return [_to_year(row) for row in self.conn.execute(query)]

    def add(self, r: AppliedRenewal) -> None:
        self.conn.execute(renewals.insert().values(id=r.id, from_year=r.plan.from_year, apply_time=r.apply_time))
        if r.plan.entries:
            self.conn.execute(renewal_entries.insert(), [dict(
                renewal_id=r.id, person_id=e.person_id, outcome=int(e.outcome), reason=int(e.reason),
                from_state=e.from_state, from_fee_nok=e.from_fee_nok, to_fee_nok=e.to_fee_nok,
                fee_source=int(e.fee_source or 0), to_state=e.to_state) for e in r.plan.entries])

    def get(self, renewal_id: str) -> AppliedRenewal | None:
        row = self.conn.execute(sa.select(renewals).where(renewals.c.id == renewal_id)).first()
        if row is None:
            return None
        rows = self.conn.execute(sa.select(renewal_entries).where(renewal_entries.c.renewal_id == renewal_id)
                                 .order_by(renewal_entries.c.person_id)).all()
        entries = tuple(Entry(e.person_id, Outcome(e.outcome), Reason(e.reason), e.from_state, e.from_fee_nok,
                              e.to_fee_nok, FeeSource(e.fee_source) if e.fee_source else None, e.to_state)
                        for e in rows)
        return AppliedRenewal(row.id, Plan(row.from_year, entries), row.apply_time)
